"""The instructor's command line: `threads101 <command>` or `python -m threads101 <command>`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console

from . import course as C


def _course(args) -> Path:
    return Path(args.course).resolve()


def cmd_release(args) -> int:
    from .release import release

    problems = release(_course(args))
    for p in problems:
        print(f"LEAK: {p}", file=sys.stderr)
    if not problems:
        print(f"released {len(C.NOTEBOOKS)} notebooks to release/{C.ASSIGNMENT}/; nothing leaks")
    return 1 if problems else 0


def cmd_grade(args) -> int:
    from .grade import Grader
    from .progress import Reporter, summary_table

    grader = Grader(_course(args), jobs=args.jobs, students=args.student, force=args.force,
                    scheduler=args.scheduler, reporter=Reporter())
    results = grader.run()
    Console().print(summary_table(results, C.NOTEBOOKS))
    print(f"per-student logs: {grader.course / 'logs'}/")
    return 0


def cmd_lab(args) -> int:
    from .lab import lab

    return lab(_course(args), port=args.port)


def cmd_demo(args) -> int:
    from .demo import demo

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

    p = sub.add_parser("lab", help="JupyterLab on a working copy of the student release")
    p.add_argument("--port", type=int, default=8888)

    p = sub.add_parser("demo", help="release, grade the sample class, feedback, export, report")
    p.add_argument("--output", default=str(C.REPO / "demo-output"))
    p.add_argument("--jobs", type=int, default=None)

    args = parser.parse_args(argv)
    handler = {"release": cmd_release, "grade": cmd_grade, "lab": cmd_lab, "demo": cmd_demo}
    return handler[args.command](args)
