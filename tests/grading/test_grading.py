"""Real `nbgrader autograde` on the instructor's answers and on the blank release, and real
`nbgrader validate` (the Validate button) on both."""

import re
from pathlib import Path

import nbformat
import pytest
from conftest import NB1, source_points

from threads101 import course as C
from threads101.grading.gradebook import cell_scores, sqlite_url

SUBMISSIONS = Path(__file__).resolve().parents[1] / "submissions"
NOT_IMPLEMENTED = re.compile(r"NotImplementedError|not implemented yet")
#: nbgrader validate on every notebook is slow: the quick run validates notebook 1 only.
EACH_NOTEBOOK = [NB1] + [pytest.param(nb, marks=pytest.mark.slow) for nb in C.NOTEBOOKS[1:]]


def selfcheck_ids(notebook: str) -> set[str]:
    return {f"{gid}_selfcheck" for gid in C.EXERCISES[notebook].values()}


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


def test_selfchecks_are_zero_point_grades_that_change_no_score(graded_course):
    """The gradebook holds every self-check as a graded cell worth 0 points (so that Validate
    judges it), scored 0 (skipped while autograding: it printed so and raised nothing); the
    kit's reading of the gradebook leaves them out; every total is what the notebooks' titles
    say, the instructor's answers get every autograded point and the blank release none, in
    the kit's sums and in nbgrader's own."""
    from nbgrader.api import Gradebook

    url = sqlite_url(graded_course)
    for student in ("solution", "blank"):
        every = cell_scores(url, student, zero_point=True)
        scored = cell_scores(url, student)
        zero = [s for s in every if s.max_score == 0]
        assert {(s.notebook, s.grade_id) for s in zero} == {
            (nb, gid) for nb in C.NOTEBOOKS for gid in selfcheck_ids(nb)}
        assert all(s.score == 0 and s.auto for s in zero), zero
        assert scored == [s for s in every if s.max_score > 0]
        for notebook in C.NOTEBOOKS:
            mine = [s for s in scored if s.notebook == notebook]
            assert sum(s.max_score for s in mine) == source_points(notebook)
            auto = sum(s.score for s in mine if s.auto)
            assert auto == (source_points(notebook, code_only=True) if student == "solution" else 0)
            for gid, outputs in autograded_outputs(graded_course, student, notebook).items():
                if gid in selfcheck_ids(notebook):
                    text = "".join(o.get("text", "") for o in outputs)
                    assert "skipped while autograding" in text, (student, notebook, gid, outputs)
                    assert not [o for o in outputs if o.get("output_type") == "error"], outputs
    with Gradebook(url) as gb:
        for notebook in C.NOTEBOOKS:
            for student in ("solution", "blank"):
                submitted = gb.find_submission_notebook(notebook, C.ASSIGNMENT, student)
                assert submitted.max_score == source_points(notebook)
                assert submitted.code_score == (source_points(notebook, code_only=True)
                                                if student == "solution" else 0)
            assert gb.find_notebook(notebook, C.ASSIGNMENT).max_score == source_points(notebook)


def validate(course: Path, path: Path) -> list[tuple[str, str]]:
    """Real `nbgrader validate` (what the Validate button runs) of a notebook: the (source,
    error) of every cell it reports as failed; [] when it says "Success"."""
    proc = C.nbgrader(course, "validate", str(path), check=False, timeout=300)
    out = proc.stdout
    assert proc.returncode == 0, out + proc.stderr
    if "Success! Your notebook passes all the tests." in out:
        assert "The following cell failed" not in out, out
        return []
    assert "VALIDATION FAILED ON" in out, out + proc.stderr
    failed = []
    for block in out.split("The following cell failed:\n")[1:]:
        source, _, error = block.partition("The error was:\n")
        failed.append((source, error.split("=" * 20)[0]))
    assert len(failed) == int(re.search(r"VALIDATION FAILED ON (\d+) CELL", out).group(1)), out
    return failed


def selfcheck_failures(notebook: str, failed: list[tuple[str, str]]) -> dict[str, list[str]]:
    """Self-check grade_id -> the errors Validate reported for that cell (found by the line
    `def check_...():` of the cell, which Validate prints whole)."""
    release = {C.nbgrader_meta(c).get("grade_id"): c for c in C.release_notebook(notebook).cells}
    out = {}
    for gid in sorted(selfcheck_ids(notebook)):
        header = next(line for line in release[gid].source.splitlines() if line.startswith("def check_"))
        out[gid] = [error for source, error in failed if header in source]
    return out


@pytest.mark.parametrize("notebook", EACH_NOTEBOOK)
def test_validate_fails_the_unsolved_release_on_each_selfcheck(graded_course, notebook):
    """The release as handed out (every exercise raising NotImplementedError): Validate does
    not say "Success"; it reports each exercise's self-check, with an error saying that the
    exercise is not implemented, and the unanswered written question; nothing else."""
    path = graded_course / "submitted" / "blank" / C.ASSIGNMENT / f"{notebook}.ipynb"
    failed = validate(graded_course, path)
    written = [c for c in C.release_notebook(notebook).cells
               if c.cell_type == "markdown" and C.nbgrader_meta(c).get("grade")]
    assert len(failed) == len(C.EXERCISES[notebook]) + len(written), failed
    for gid, errors in selfcheck_failures(notebook, failed).items():
        assert len(errors) == 1, (gid, failed)
        assert NOT_IMPLEMENTED.search(errors[0]), (gid, errors[0])


def test_validate_reports_a_wrong_answer_by_its_selfcheck(graded_course, tmp_path):
    """Notebook 1 with run_in_threads implemented wrongly (it never joins) and the rest solved:
    Validate runs the self-check (it is not skipped as under autograde) and reports its
    message, and only that cell."""
    code = (SUBMISSIONS / NB1 / "run_in_threads" / "bad_no_join.py").read_text()
    path = tmp_path / f"{NB1}.ipynb"
    nbformat.write(C.filled_release(NB1, {"run_in_threads": code}, root=graded_course), path)
    failed = validate(graded_course, path)
    errors = selfcheck_failures(NB1, failed)
    assert len(failed) == 1 and len(errors["run_in_threads_selfcheck"]) == 1, failed
    assert "returned while some calls were still running" in errors["run_in_threads_selfcheck"][0]


@pytest.mark.parametrize("notebook", EACH_NOTEBOOK)  # notebook 1 in the quick run too
def test_validate_passes_on_the_solutions(graded_course, notebook):
    """The instructor's answers pass every graded cell Validate runs, the self-checks
    included (their checks run under validate)."""
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
