"""The demo: the whole instructor job on the shipped sample class.

release -> collect (a zip from a learning platform, and a folder in nbgrader's
layout) -> grade in parallel -> feedback -> export (CSV, JSON) -> report,
all in a fresh copy of the course (`source`: a course directory with samples/)
under `output`, through the same `threads101.api` functions as the CLI.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from rich.console import Console

from threads101 import api
from threads101 import course as C
from threads101.samples import build_class


def demo(output: Path, jobs: int | None = None, students: list[dict] | None = None,
         source: Path = Path(".")) -> int:
    console = Console()
    if not console.is_terminal:  # a log: wide enough for the summary table
        console = Console(width=160)
    start = time.monotonic()
    output, source = Path(output), Path(source).resolve()
    if not (source / "samples" / "class.toml").is_file():
        raise C.CourseError(f"{source} has no sample class (samples/class.toml): run the demo "
                            f"from the threads101 repository or pass --course")
    shutil.rmtree(output, ignore_errors=True)
    root = C.copy_course(output / "course", source)
    shutil.copy2(source / "samples" / "roster.csv", root / "roster.csv")
    course = C.Course(root)

    console.rule("[bold]1. release")
    problems = api.release(course)
    if problems:
        for p in problems:
            console.print(f"[red]LEAK[/] {p}")
        return 1
    console.print(f"student notebooks in {root / 'release' / C.ASSIGNMENT}; nothing leaks")

    console.rule("[bold]2. collect the sample class")
    for inbox in build_class(output / "inbox", root, students, root=source):
        console.print(f"{inbox.name}: {api.collect(course, inbox).summary()}")

    console.rule("[bold]3. grade")
    from threads101.outputs.progress import Reporter, summary_table

    grader = api.grade(course, jobs=jobs, reporter=Reporter())
    console.print(summary_table(grader.results, C.NOTEBOOKS))
    if grader.grader_failures:
        console.print(f"[red]{grader.grader_failures} student(s) could not be graded: the "
                      f"grader itself failed (see the problems column).")
        return 2

    console.rule("[bold]4. feedback, export, report")
    api.feedback(course, results={r.student: r for r in grader.results})
    exported, messages = api.export(course)
    for message in messages:
        console.print(f"[yellow]note[/] {message}")
    report_path = api.report(course)

    console.rule("[bold]done")
    console.print(f"demo finished in {time.monotonic() - start:.0f} s")
    console.print(f"gradebook: {course.db_url}")
    console.print(f"feedback:  {root / 'feedback'}/<student>/{C.ASSIGNMENT}/index.html")
    console.print(f"grades:    {'  and  '.join(str(p) for p in exported)}")
    console.print(f"report:    {report_path}")
    console.print(f"logs:      {root / 'logs'}/<student>.log")
    return 0
