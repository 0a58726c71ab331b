"""Real `nbgrader autograde` on the instructor's answers and on the blank release."""

import nbformat
import pytest

from threads101 import course as C
from threads101.grading.gradebook import cell_scores, sqlite_url


def autograded_outputs(course, student, notebook):
    nb = nbformat.read(course / "autograded" / student / C.ASSIGNMENT / f"{notebook}.ipynb", 4)
    return {C.nbgrader_meta(c).get("grade_id"): c.get("outputs", []) for c in nb.cells}


def test_instructor_solutions_get_full_marks(graded_course):
    scores = cell_scores(sqlite_url(graded_course), "solution")
    auto = [s for s in scores if s.auto]
    assert {s.notebook for s in auto} == set(C.NOTEBOOKS)
    lost = [(s.grade_id, s.score, s.max_score) for s in auto if s.score != s.max_score]
    assert lost == []


def test_blank_release_gets_zero_quickly(graded_course):
    scores = cell_scores(sqlite_url(graded_course), "blank")
    assert scores and all(s.score == 0 for s in scores if s.score is not None)
    for notebook in C.NOTEBOOKS:
        for gid, outputs in autograded_outputs(graded_course, "blank", notebook).items():
            names = {o.get("ename") for o in outputs}
            assert "CellTimeoutError" not in names, f"{notebook}/{gid} hit the cell timeout"


@pytest.mark.slow  # nbgrader validate, once per notebook
@pytest.mark.parametrize("notebook", C.NOTEBOOKS)
def test_validate_passes_on_the_solutions(graded_course, notebook):
    path = graded_course / "submitted" / "solution" / C.ASSIGNMENT / f"{notebook}.ipynb"
    proc = C.nbgrader(graded_course, "validate", str(path), check=False, timeout=120)
    assert proc.returncode == 0 and "Success!" in proc.stdout, proc.stdout + proc.stderr


def test_demo_cells_are_not_run_while_grading(graded_course):
    """Demos only show things: grading leaves them unexecuted (KitExecute.skip_demos), and
    the solutions still get full marks (above); every other code cell ran."""
    for notebook in C.NOTEBOOKS:
        nb = nbformat.read(graded_course / "autograded" / "solution" / C.ASSIGNMENT
                           / f"{notebook}.ipynb", 4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        demos = [c for c in code if (C.nbgrader_meta(c).get("grade_id") or "").startswith("demo_")]
        assert demos, f"{notebook} has no demo cell"
        assert all(c.execution_count is None and not c.outputs for c in demos), notebook
        assert all(c.execution_count is not None for c in code if c not in demos), notebook
