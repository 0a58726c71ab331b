"""The instructor's command line: `threads101 <command>` or `python -m threads101 <command>`.

Every command works on a course directory: the current one, or `--course DIR`.
Each subcommand is one function below (set as the parser's default `func`);
the work itself is in `threads101.api`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console

from threads101 import api
from threads101 import course as C


def _console() -> Console:
    console = Console()
    return console if console.is_terminal else Console(width=160)  # a log: room for the table


def cmd_release(course: C.Course, args) -> int:
    problems = api.release(course)
    for p in problems:
        print(f"LEAK: {p}", file=sys.stderr)
    if not problems:
        print(f"released {len(C.NOTEBOOKS)} notebooks to release/{C.ASSIGNMENT}/; nothing leaks")
    return 1 if problems else 0


def cmd_bundle(course: C.Course, args) -> int:
    from threads101.grading.bundle import BundleError

    try:
        path = api.bundle(course, Path(args.output) if args.output else None)
    except BundleError as exc:
        print(f"threads101 bundle: {exc}", file=sys.stderr)
        return 1
    print(f"student bundle: {path} (hand it to the students; it holds no solution and no hidden test)")
    return 0


def cmd_grade(course: C.Course, args) -> int:
    from threads101.outputs.progress import Reporter, summary_table

    grader = api.grade(course, jobs=args.jobs, students=args.student, force=args.force,
                       scheduler=args.scheduler, reporter=Reporter(), unsafe=args.unsafe)
    _console().print(summary_table(grader.results, C.NOTEBOOKS))
    print(f"per-student logs: {course.root / 'logs'}/")
    if grader.grader_failures:
        print(f"{grader.grader_failures} student(s) NOT graded because the grader itself failed "
              f"(see the problems column); nothing was stored for them.", file=sys.stderr)
        return 2
    return 0


def cmd_collect(course: C.Course, args) -> int:
    result = api.collect(course, Path(args.path))
    print(result.summary())
    return 0 if result.placed else 1


def cmd_feedback(course: C.Course, args) -> int:
    students = api.feedback(course, args.student)
    print(f"feedback for {len(students)} students in {course.root / 'feedback'}/<student>/"
          f"{C.ASSIGNMENT}/")
    return 0


def cmd_export(course: C.Course, args) -> int:
    paths, messages = api.export(course, Path(args.to) if args.to else None)
    for path in paths:
        print(path)
    for message in messages:
        print(f"note: {message}", file=sys.stderr)
    return 0


def cmd_report(course: C.Course, args) -> int:
    print(api.report(course, Path(args.to) if args.to else None))
    return 0


def cmd_lab(course: C.Course, args) -> int:
    from threads101.lab import lab

    return lab(course.root, port=args.port)


def cmd_demo(course: C.Course, args) -> int:
    from threads101.demo import demo

    output = Path(args.output) if args.output else course.root / "demo-output"
    return demo(output.resolve(), jobs=args.jobs, source=course.root)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="threads101", description=__doc__.split("\n\n")[0])
    parser.add_argument("--course", default=".",
                        help="course directory (default: the current directory)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("release", help="generate the student notebooks and check they leak nothing")
    p.set_defaults(func=cmd_release)

    p = sub.add_parser("bundle", help="the student bundle (dist/threads101-student.zip): release "
                                      "notebooks, the kernel runtime wheel, requirements, README")
    p.add_argument("--output", help="zip file or folder (default: dist/threads101-student.zip)")
    p.set_defaults(func=cmd_bundle)

    p = sub.add_parser("grade", help="autograde the submissions in parallel")
    p.add_argument("--jobs", type=int, default=None,
                   help="worker processes (default: c.Threads101.jobs, else all cores)")
    p.add_argument("--student", nargs="+", help="grade only these students")
    p.add_argument("--force", action="store_true", help="regrade even unchanged submissions")
    p.add_argument("--scheduler", help="a Dask scheduler address (tcp://host:port); "
                                       "default: c.Threads101.scheduler")
    p.add_argument("--unsafe", action="store_true",
                   help="grade even where kernels cannot be sandboxed (bubblewrap missing)")
    p.set_defaults(func=cmd_grade)

    p = sub.add_parser("collect", help="import a folder or zip of submissions")
    p.add_argument("path")
    p.set_defaults(func=cmd_collect)

    p = sub.add_parser("feedback", help="per-student HTML feedback, without the hidden tests")
    p.add_argument("--student", nargs="+")
    p.set_defaults(func=cmd_feedback)

    p = sub.add_parser("export", help="grades as CSV (nbgrader's columns), JSON, and Canvas and "
                                      "Moodle import files")
    p.add_argument("--to", help="folder (default: exports/)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("report", help="the class report: one HTML page with plots")
    p.add_argument("--to", help="file (default: reports/report.html)")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("lab", help="JupyterLab on a working copy of the student release "
                                   "(an instructor's preview)")
    p.add_argument("--port", type=int, default=8888)
    p.set_defaults(func=cmd_lab)

    p = sub.add_parser("demo", help="release, grade the sample class, feedback, export, report")
    p.add_argument("--output", help="folder (default: demo-output/ in the course directory)")
    p.add_argument("--jobs", type=int, default=None)
    p.set_defaults(func=cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    C.ensure_tools_on_path()
    try:
        course = C.Course(args.course)
        return args.func(course, args)
    except C.CourseError as exc:
        print(f"threads101 {args.command}: {exc}", file=sys.stderr)
        return 2
