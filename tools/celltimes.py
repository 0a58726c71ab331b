"""Execute a notebook as the autograder would and print each cell's run time.

    .venv/bin/python tools/celltimes.py path/to/notebook.ipynb [more.ipynb ...] [--student]

Give it source notebooks (source/threads101/*.ipynb): they hold the solutions and
the hidden tests; a student release has no hidden tests to time. With --student
the self-checks run too (NBGRADER_EXECUTION is not set). After the cells, a
summary says where the seconds went: kernel start and shutdown, hidden tests,
the other cells.
"""

import datetime
import os
import sys
import time

import nbformat
from nbclient import NotebookClient

HIDDEN = "### BEGIN HIDDEN TESTS"


def cell_seconds(cell) -> float | None:
    timing = cell.metadata.get("execution", {})
    begin, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
    if not (begin and end):
        return None
    return (datetime.datetime.fromisoformat(end.rstrip("Z"))
            - datetime.datetime.fromisoformat(begin.rstrip("Z"))).total_seconds()


def main(path: str, student: bool = False) -> dict[str, float]:
    if not student:
        os.environ["NBGRADER_EXECUTION"] = "autograde"
    nb = nbformat.read(path, as_version=4)
    start = time.monotonic()
    install = "--IPKernelApp.exec_lines=['import threads101.kernel; threads101.kernel.install()']"
    client = NotebookClient(nb, timeout=60, kernel_name="python3", record_timing=True,
                            allow_errors=True, shutdown_kernel="immediate",
                            extra_arguments=[install])
    client.execute()
    whole = time.monotonic() - start
    print(f"{path}: {whole:.2f} s (kernel start included)")
    totals = {"hidden tests": 0.0, "other cells": 0.0}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        seconds = cell_seconds(cell)
        if seconds is None:
            continue
        totals["hidden tests" if HIDDEN in cell.source else "other cells"] += seconds
        errors = [f"{o.ename}: {o.evalue[:100]}" for o in cell.outputs if o.output_type == "error"]
        gid = cell.metadata.get("nbgrader", {}).get("grade_id", "?")
        print(f"  {gid:40s} {seconds:6.2f}  {' | '.join(errors)}")
    totals["kernel and the rest"] = whole - totals["hidden tests"] - totals["other cells"]
    print("  " + ", ".join(f"{k} {v:.2f} s" for k, v in totals.items()))
    return totals


if __name__ == "__main__":
    paths = [a for a in sys.argv[1:] if not a.startswith("--")]
    grand: dict[str, float] = {}
    for p in paths:
        for k, v in main(p, "--student" in sys.argv[1:]).items():
            grand[k] = grand.get(k, 0.0) + v
    if len(paths) > 1:
        print("all: " + ", ".join(f"{k} {v:.2f} s" for k, v in grand.items()))
