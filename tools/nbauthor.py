"""Helpers to write nbgrader source notebooks from Python (used when authoring).

The notebooks in source/ are the truth; this only saves typing nbgrader's cell
metadata by hand:

    from nbauthor import md, demo, solution, selfcheck, tests, written, save
    cells = [md("# Title"), demo("setup", "import threading"), ...]
    save(cells, "source/threads101/01_threads_and_join.ipynb")
"""

from __future__ import annotations

import textwrap

import nbformat

KERNEL = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def _meta(grade_id, *, grade=False, solution=False, locked=False, points=None):
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def _src(text: str) -> str:
    return textwrap.dedent(text).strip("\n")


def md(text: str, grade_id: str | None = None):
    """A markdown cell; read-only when it has a grade_id."""
    cell = nbformat.v4.new_markdown_cell(_src(text))
    if grade_id:
        cell.metadata.update(_meta(grade_id, locked=True))
    return cell


def demo(grade_id: str, code: str):
    """A read-only code cell: setup, demos, given code."""
    cell = nbformat.v4.new_code_cell(_src(code))
    cell.metadata.update(_meta(grade_id, locked=True))
    return cell


def selfcheck(exercise: str, code: str):
    """The self-check of an exercise (grade_id `<exercise>_selfcheck`): a read-only,
    autograded test cell worth 0 points, so that nbgrader's Validate runs it and reports
    it when it fails, while it changes no score (it is skipped while autograding)."""
    cell = nbformat.v4.new_code_cell(_src(code))
    cell.metadata.update(_meta(f"{exercise}_selfcheck", grade=True, locked=True, points=0))
    return cell


def solution(grade_id: str, code: str):
    """The exercise cell: signature, docstring and ### BEGIN/END SOLUTION."""
    cell = nbformat.v4.new_code_cell(_src(code))
    cell.metadata.update(_meta(grade_id, solution=True))
    return cell


HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"


def _in_own_scope(code: str) -> str:
    """Put the hidden part of a test cell in a function of its own, so that the names the
    test defines never replace a student's global variables."""
    lines = code.split("\n")
    if HIDDEN_BEGIN not in lines or HIDDEN_END not in lines:
        return code
    begin, end = lines.index(HIDDEN_BEGIN), lines.index(HIDDEN_END)
    body = [("    " + line) if line.strip() else "" for line in lines[begin + 1:end]]
    wrapped = (["def _t101_test():  # a scope of its own: the test's names stay out of yours"]
               + body + ["", "_t101_test()"])
    return "\n".join(lines[:begin + 1] + wrapped + lines[end:])


def tests(grade_id: str, points: float, code: str):
    """An autograded test cell; hide its checks between ### BEGIN/END HIDDEN TESTS.

    The hidden part runs inside a function (see _in_own_scope)."""
    cell = nbformat.v4.new_code_cell(_in_own_scope(_src(code)))
    cell.metadata.update(_meta(grade_id, grade=True, locked=True, points=points))
    return cell


def written(grade_id: str, points: float, answer: str):
    """A manually graded written answer (markdown); `answer` is the instructor's model answer."""
    text = "### BEGIN SOLUTION\n" + _src(answer) + "\n### END SOLUTION"
    cell = nbformat.v4.new_markdown_cell(text)
    cell.metadata.update(_meta(grade_id, grade=True, solution=True, points=points))
    return cell


def save(cells, path: str) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = cells
    nb.metadata["kernelspec"] = KERNEL
    nb.metadata["language_info"] = {"name": "python"}
    for i, cell in enumerate(nb.cells):  # stable ids keep diffs small
        cell.id = cell.metadata.get("nbgrader", {}).get("grade_id") or f"cell-{i}"
    nbformat.validate(nb)
    nbformat.write(nb, path)
