"""Where a graded notebook's seconds go: each cell's run time, slowest first.

    python -m devtools.celltimes autograded/<student>/<assignment>/*.ipynb [--top 20]
    python -m devtools.celltimes --bench spinning    # grade the bench's submission, then list

nbclient records when each cell started and ended (cell metadata "execution",
written by nbgrader autograde); this reads those stamps. With --bench, a
temporary course is made with one of `bench hidden`'s submissions (correct,
blocking or spinning) of notebooks 01-05, graded by plain `nbgrader autograde`,
and its cells listed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import tempfile
from pathlib import Path


def _stamp(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def cell_times(path: Path) -> list[tuple[float, str, str]]:
    """(seconds, grade_id or cell index, first line) of each executed cell of a notebook."""
    nb = json.loads(path.read_text())
    out = []
    for i, cell in enumerate(nb.get("cells", [])):
        ex = cell.get("metadata", {}).get("execution", {})
        start, end = ex.get("iopub.execute_input"), ex.get("shell.execute_reply")
        if not (start and end):
            continue
        name = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") or f"cell {i}"
        source = "".join(cell.get("source", "")).strip().splitlines()
        out.append(((_stamp(end) - _stamp(start)).total_seconds(), name,
                    source[0][:60] if source else ""))
    return out


def show(paths: list[Path], top: int) -> None:
    rows = [(s, f"{p.stem[:24]}:{name}", first) for p in paths for s, name, first in cell_times(p)]
    total = sum(s for s, _n, _f in rows)
    print(f"{len(rows)} cells, {total:.1f} s in all")
    for s, name, first in sorted(rows, reverse=True)[:top]:
        print(f"  {s:6.2f} s  {name:50s} {first}")


def bench(style: str, top: int) -> None:
    from devtools import bench as B, suites
    from threads101 import course as C

    with tempfile.TemporaryDirectory(prefix="threads101-celltimes-") as tmp:
        course = suites.prepare_course(Path(tmp) / "course")
        overrides = B.all_hang_overrides(style) if style != "correct" else {}
        C.submit(course, style, {nb: C.filled_release(nb, overrides.get(nb, {}), root=course)
                                 for nb in B.HIDDEN_NOTEBOOKS})
        subprocess.run(B.nbgrader_cmd("autograde", C.ASSIGNMENT, "--student", style, "--force"),
                       cwd=course, env=C.tool_env(), check=True, capture_output=True)
        show(sorted((course / "autograded" / style / C.ASSIGNMENT).glob("*.ipynb")), top)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--bench", choices=["correct", "blocking", "spinning"])
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    if args.bench:
        bench(args.bench, args.top)
    elif args.notebooks:
        show(args.notebooks, args.top)
    else:
        parser.error("give notebooks or --bench")
    return 0


if __name__ == "__main__":
    sys.exit(main())
