"""The demo: the whole instructor job on the shipped sample class.

release -> collect (a zip from a learning platform, and a folder in nbgrader's
layout) -> grade in parallel -> feedback -> export (CSV, JSON) -> report,
all in a fresh course directory under `output`.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from rich.console import Console

from threads101 import course as C
from threads101.grading.collect import collect
from threads101.outputs.export import export_csv, export_json
from threads101.outputs.feedback import write_feedback
from threads101.grading.grader import Grader, db_url_of
from threads101.outputs.progress import Reporter, summary_table
from threads101.grading.release import release
from threads101.outputs.report import write_report
from threads101.samples import SAMPLES, build_class


def demo(output: Path, jobs: int | None = None, students: list[dict] | None = None) -> int:
    console = Console()
    if not console.is_terminal:  # a log: wide enough for the summary table
        console = Console(width=160)
    start = time.monotonic()
    output = Path(output)
    shutil.rmtree(output, ignore_errors=True)
    course = C.copy_course(output / "course")
    shutil.copy2(SAMPLES / "roster.csv", course / "roster.csv")

    console.rule("[bold]1. release")
    problems = release(course)
    if problems:
        for p in problems:
            console.print(f"[red]LEAK[/] {p}")
        return 1
    console.print(f"student notebooks in {course / 'release' / C.ASSIGNMENT}; nothing leaks")

    console.rule("[bold]2. collect the sample class")
    for source in build_class(output / "inbox", course, students):
        result = collect(source, course)
        console.print(f"{source.name}: {result.summary()}")

    console.rule("[bold]3. grade")
    grader = Grader(course, jobs=jobs, reporter=Reporter())
    results = grader.run()
    console.print(summary_table(results, C.NOTEBOOKS))
    if grader.grader_failures:
        console.print(f"[red]{grader.grader_failures} student(s) could not be graded: the "
                      f"grader itself failed (see the problems column).")
        return 2

    console.rule("[bold]4. feedback, export, report")
    url = db_url_of(grader.cfg, course)
    by_student = {r.student: r for r in results}
    for r in results:
        per_notebook = {nb: n.problems for nb, n in r.notebooks.items()}
        write_feedback(course, r.student, url, per_notebook)
    csv_path = export_csv(url, course / "exports" / "grades.csv")
    json_path = export_json(url, course / "exports" / "grades.json", by_student)
    report_path = write_report(course, url, course / "reports" / "report.html", by_student)

    console.rule("[bold]done")
    console.print(f"demo finished in {time.monotonic() - start:.0f} s")
    console.print(f"gradebook: {course / 'gradebook.db'}")
    console.print(f"feedback:  {course / 'feedback'}/<student>/{C.ASSIGNMENT}/index.html")
    console.print(f"grades:    {csv_path}  and  {json_path}")
    console.print(f"report:    {report_path}")
    console.print(f"logs:      {course / 'logs'}/<student>.log")
    return 0
