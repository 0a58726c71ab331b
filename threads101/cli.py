"""The instructor's command line: `threads101 <command>` or `python -m threads101 <command>`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console

from threads101 import course as C


def _course(args) -> Path:
    return Path(args.course).resolve()


def cmd_release(args) -> int:
    from threads101.grading.release import release

    problems = release(_course(args))
    for p in problems:
        print(f"LEAK: {p}", file=sys.stderr)
    if not problems:
        print(f"released {len(C.NOTEBOOKS)} notebooks to release/{C.ASSIGNMENT}/; nothing leaks")
    return 1 if problems else 0


def cmd_grade(args) -> int:
    from threads101.grading.grader import Grader
    from threads101.outputs.progress import Reporter, summary_table

    grader = Grader(_course(args), jobs=args.jobs, students=args.student, force=args.force,
                    scheduler=args.scheduler, reporter=Reporter(), unsafe=args.unsafe)
    results = grader.run()
    console = Console()
    if not console.is_terminal:
        console = Console(width=160)
    console.print(summary_table(results, C.NOTEBOOKS))
    print(f"per-student logs: {grader.course / 'logs'}/")
    if grader.grader_failures:
        print(f"{grader.grader_failures} student(s) NOT graded because the grader itself failed "
              f"(see the problems column); nothing was stored for them.", file=sys.stderr)
        return 2
    return 0


def cmd_collect(args) -> int:
    from threads101.grading.collect import collect

    result = collect(Path(args.path), _course(args))
    print(result.summary())
    return 0 if result.placed else 1


def _url_and_results(args):
    from threads101.grading.grader import db_url_of, load_config, load_results

    course = _course(args)
    return course, db_url_of(load_config(course), course), load_results(course)


def cmd_feedback(args) -> int:
    from threads101.outputs.feedback import write_feedback

    course, url, results = _url_and_results(args)
    students = args.student or sorted(results)
    for student in students:
        result = results.get(student)
        problems = {nb: n.problems for nb, n in result.notebooks.items()} if result else {}
        write_feedback(course, student, url, problems)
    print(f"feedback for {len(students)} students in {course / 'feedback'}/<student>/{C.ASSIGNMENT}/")
    return 0


def cmd_export(args) -> int:
    from threads101.outputs.export import export_csv, export_json

    course, url, results = _url_and_results(args)
    folder = Path(args.to) if args.to else course / "exports"
    print(export_csv(url, folder / "grades.csv"))
    print(export_json(url, folder / "grades.json", results))
    return 0


def cmd_report(args) -> int:
    from threads101.outputs.report import write_report

    course, url, results = _url_and_results(args)
    print(write_report(course, url, Path(args.to) if args.to else course / "reports" / "report.html",
                       results))
    return 0


def cmd_lab(args) -> int:
    from threads101.lab import lab

    return lab(_course(args), port=args.port)


def cmd_demo(args) -> int:
    from threads101.demo import demo

    return demo(Path(args.output).resolve(), jobs=args.jobs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="threads101", description=__doc__)
    parser.add_argument("--course", default=str(C.REPO), help="course directory (default: this repo)")
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("release", help="generate the student notebooks and check they leak nothing")

    p = sub.add_parser("grade", help="autograde the submissions in parallel")
    p.add_argument("--jobs", type=int, default=None, help="worker processes (default: all cores)")
    p.add_argument("--student", nargs="+", help="grade only these students")
    p.add_argument("--force", action="store_true", help="regrade even unchanged submissions")
    p.add_argument("--scheduler", help="a Dask scheduler address (tcp://host:port)")
    p.add_argument("--unsafe", action="store_true",
                   help="grade even where kernels cannot be sandboxed (bubblewrap missing)")

    p = sub.add_parser("collect", help="import a folder or zip of submissions")
    p.add_argument("path")

    p = sub.add_parser("feedback", help="per-student HTML feedback, without the hidden tests")
    p.add_argument("--student", nargs="+")

    p = sub.add_parser("export", help="grades as CSV (nbgrader's columns) and JSON")
    p.add_argument("--to", help="folder (default: exports/)")

    p = sub.add_parser("report", help="the class report: one HTML page with plots")
    p.add_argument("--to", help="file (default: reports/report.html)")

    p = sub.add_parser("lab", help="JupyterLab on a working copy of the student release")
    p.add_argument("--port", type=int, default=8888)

    p = sub.add_parser("demo", help="release, grade the sample class, feedback, export, report")
    p.add_argument("--output", default=str(C.REPO / "demo-output"))
    p.add_argument("--jobs", type=int, default=None)

    args = parser.parse_args(argv)
    C.ensure_tools_on_path()
    handler = {"release": cmd_release, "collect": cmd_collect, "grade": cmd_grade,
               "feedback": cmd_feedback, "export": cmd_export, "report": cmd_report,
               "lab": cmd_lab, "demo": cmd_demo}
    return handler[args.command](args)
