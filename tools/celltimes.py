"""Execute a notebook as the autograder would and print each cell's run time.

    .venv/bin/python tools/celltimes.py path/to/notebook.ipynb [more.ipynb ...] [--student]
    .venv/bin/python tools/celltimes.py --bench spinning|blocking|correct

Give it source notebooks (source/threads101/*.ipynb): they hold the solutions and
the hidden tests; a student release has no hidden tests to time. With --student
the self-checks run too (NBGRADER_EXECUTION is not set). After the cells, a
summary says where the seconds went: kernel start and shutdown, hidden tests,
the other cells.

With --bench, it grades one of `make bench`'s hidden-test submissions (notebooks
01-05: the instructor's answers, or every exercise hanging by blocking, or by
spinning and polling) with plain `nbgrader autograde` in a temporary course,
and lists the graded cells slowest first: where a hang's seconds go.
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


def bench(style: str, top: int = 30) -> None:
    import subprocess
    import tempfile
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from devtools import bench as B, suites
    from threads101 import course as C

    with tempfile.TemporaryDirectory(prefix="threads101-celltimes-") as tmp:
        course = suites.prepare_course(Path(tmp) / "course")
        overrides = B.all_hang_overrides(style) if style != "correct" else {}
        C.submit(course, style, {nb: C.filled_release(nb, overrides.get(nb, {}), root=course)
                                 for nb in B.HIDDEN_NOTEBOOKS})
        subprocess.run(B.nbgrader_cmd("autograde", C.ASSIGNMENT, "--student", style, "--force"),
                       cwd=course, env=C.tool_env(), check=True, capture_output=True)
        rows = []
        for path in sorted((course / "autograded" / style / C.ASSIGNMENT).glob("*.ipynb")):
            for cell in nbformat.read(path, as_version=4).cells:
                seconds = cell_seconds(cell) if cell.cell_type == "code" else None
                if seconds is not None:
                    gid = cell.metadata.get("nbgrader", {}).get("grade_id", "?")
                    rows.append((seconds, f"{path.stem[:2]} {gid}"))
    print(f"{style}: {len(rows)} cells, {sum(s for s, _ in rows):.1f} s in all; the slowest:")
    for seconds, name in sorted(rows, reverse=True)[:top]:
        print(f"  {seconds:6.2f} s  {name}")


if __name__ == "__main__":
    if "--bench" in sys.argv[1:]:
        bench(sys.argv[sys.argv.index("--bench") + 1])
        sys.exit(0)
    paths = [a for a in sys.argv[1:] if not a.startswith("--")]
    grand: dict[str, float] = {}
    for p in paths:
        for k, v in main(p, "--student" in sys.argv[1:]).items():
            grand[k] = grand.get(k, 0.0) + v
    if len(paths) > 1:
        print("all: " + ", ".join(f"{k} {v:.2f} s" for k, v in grand.items()))
