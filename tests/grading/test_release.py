"""The committed student release is fresh and gives nothing away."""

from threads101 import course as C
from threads101.grading import release


def test_release_is_fresh():
    assert release.stale(C.REPO) == []


def test_release_leaks_nothing():
    assert release.leaks(C.REPO) == []


def test_release_cells_raise_not_implemented():
    for notebook, names in C.EXERCISES.items():
        released = {C.nbgrader_meta(c).get("grade_id"): c for c in C.release_notebook(notebook).cells}
        for grade_id in names.values():
            assert "raise NotImplementedError" in released[grade_id].source


def test_leak_check_catches_a_leak(tmp_path):
    course = C.copy_course(tmp_path / "course")
    path = course / "release" / C.ASSIGNMENT / f"{C.NOTEBOOKS[0]}.ipynb"
    nb = C.release_notebook(C.NOTEBOOKS[0], course)
    solution_code = next(iter(C.solutions(C.NOTEBOOKS[0]).values()))
    nb.cells[-1].source += "\n" + solution_code
    import nbformat

    nbformat.write(nb, path)
    problems = release.leaks(course)
    assert any("gives away" in p for p in problems)
