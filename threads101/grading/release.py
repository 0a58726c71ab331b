"""Release: make the student notebooks from source/ and check that they give nothing away.

`nbgrader generate_assignment` writes release/threads101/; then every
notebook of the release is checked: no solution or hidden-test markers, and
none of the solution or hidden-test lines of the source notebook.
"""

from __future__ import annotations

import filecmp
import tempfile
from pathlib import Path

from threads101 import course as C

#: Lines shorter than this are too common ("pass", "return x") to count as a leak.
MIN_SECRET_LINE = 16


def _regions(source: str, begin: str, end: str) -> list[str]:
    """Lines between begin/end markers, stripped."""
    return [line.strip() for line in C.region(source, begin, end)]


def secret_lines(notebook: str, root: Path) -> set[str]:
    """Distinctive lines of the solutions and hidden tests of a source notebook."""
    nb = C.source_notebook(notebook, root)
    secret, public = set(), set()
    for cell in nb.cells:
        hidden = (_regions(cell.source, C.SOLUTION_BEGIN, C.SOLUTION_END)
                  + _regions(cell.source, C.HIDDEN_BEGIN, C.HIDDEN_END))
        secret.update(line for line in hidden if len(line) >= MIN_SECRET_LINE)
        public.update(line.strip() for line in cell.source.splitlines()
                      if line.strip() not in hidden)
    return secret - public


def hidden_test_lines(root: Path) -> set[str]:
    """Distinctive lines of every notebook's hidden tests: found nowhere else in source/
    (neither in the visible parts nor in the solutions)."""
    hidden, elsewhere = set(), set()
    for notebook in C.NOTEBOOKS:
        for cell in C.source_notebook(notebook, root).cells:
            region = _regions(cell.source, C.HIDDEN_BEGIN, C.HIDDEN_END)
            hidden.update(line for line in region if len(line) >= MIN_SECRET_LINE)
            elsewhere.update(line.strip() for line in
                             C.region(cell.source, C.HIDDEN_BEGIN, C.HIDDEN_END, inside_markers=False))
    return hidden - elsewhere


def leaks(root: Path) -> list[str]:
    """Problems found in the release of the course at `root` (empty list: nothing leaks)."""
    problems = []
    for name in C.NOTEBOOKS:
        path = root / "release" / C.ASSIGNMENT / f"{name}.ipynb"
        if not path.exists():
            problems.append(f"{name}: missing from the release")
            continue
        text = path.read_text()
        for marker in (C.SOLUTION_BEGIN, C.HIDDEN_BEGIN, C.SOLUTION_END, C.HIDDEN_END):
            if marker in text:
                problems.append(f"{name}: contains the marker {marker!r}")
        released = {line.strip() for cell in C.release_notebook(name, root).cells
                    for line in cell.source.splitlines()}
        for line in sorted(secret_lines(name, root) & released):
            problems.append(f"{name}: gives away the line {line!r}")
    return problems


def stale(root: Path) -> list[str]:
    """Release notebooks that differ from what generate_assignment makes of source/ now."""
    with tempfile.TemporaryDirectory(prefix="threads101-release-") as tmp:
        fresh = C.copy_course(Path(tmp) / "course", root)
        C.generate(fresh)
        problems = []
        for name in C.NOTEBOOKS:
            ours = root / "release" / C.ASSIGNMENT / f"{name}.ipynb"
            theirs = fresh / "release" / C.ASSIGNMENT / f"{name}.ipynb"
            if not ours.exists() or not theirs.exists() or not filecmp.cmp(ours, theirs, False):
                problems.append(f"{name}: release/ is out of date (run `make release`)")
        return problems


def release(root: Path) -> list[str]:
    """Regenerate release/ from source/ and return what leaks (nothing, normally)."""
    C.generate(root)
    return leaks(root)
