"""Fixtures: temporary course directories graded by real nbgrader commands."""

import os
from pathlib import Path

import pytest

from threads101 import course as C

# Every course the tests make keeps its own SQLite gradebook unless a test says otherwise
# (a developer's exported THREADS101_DB_URL must not receive the tests' grades).
os.environ.pop("THREADS101_DB_URL", None)


@pytest.fixture(scope="session")
def graded_course(tmp_path_factory) -> Path:
    """A course copy where two students were autograded: `solution` (the instructor's
    answers, submitted as a student would) and `blank` (the unchanged student release)."""
    course = C.generated_copy(tmp_path_factory.mktemp("graded") / "course")
    C.submit(course, "solution", {nb: C.filled_release(nb, root=course) for nb in C.NOTEBOOKS})
    C.submit(course, "blank", {nb: C.release_notebook(nb, course) for nb in C.NOTEBOOKS})
    C.nbgrader(course, "autograde", C.ASSIGNMENT, "--force", timeout=600)
    return course


NB1 = "01_threads_and_join"
EXIT_CODE = "import os\n\ndef threaded_count(count_to, n_threads):\n    os._exit(1)\n"
HANG_CODE = (Path(__file__).parent / "submissions" / NB1 / "run_in_threads"
             / "hang_event_never_set.py")


def small_class(course: Path) -> dict[str, str]:
    """Submit a small class of notebook-1 submissions covering the bad inputs; returns
    student -> what it is."""
    import nbformat

    good = C.filled_release(NB1, root=course)
    C.submit(course, "correct", {NB1: good})
    C.submit(course, "blank", {NB1: C.release_notebook(NB1, course)})
    hang = C.filled_release(NB1, {"run_in_threads": HANG_CODE.read_text()}, root=course)
    C.submit(course, "hangs", {NB1: hang})
    C.submit(course, "dies", {NB1: C.filled_release(NB1, {"threaded_count": EXIT_CODE},
                                                      root=course)})
    deleted = C.filled_release(NB1, root=course)
    deleted.cells = [c for c in deleted.cells
                     if C.nbgrader_meta(c).get("grade_id") != "run_in_threads_concurrent"]
    for cell in deleted.cells:
        if C.nbgrader_meta(cell).get("grade_id") == "threaded_count_result":
            cell.source = "pass"
        if C.nbgrader_meta(cell).get("grade_id") == "threaded_count":
            cell.source = cell.source.replace("return sum(counts)", "return count_to + 1")
    C.submit(course, "tampered", {NB1: deleted})
    kernel = C.filled_release(NB1, root=course)
    kernel.metadata["kernelspec"] = {"name": "no-such-kernel", "display_name": "x",
                                     "language": "python"}
    folder = C.submit(course, "otherkernel", {NB1: kernel})
    (folder / "notes.txt").write_text("my notes")
    folder = C.submit(course, "malformed", {})
    (folder / f"{NB1}.ipynb").write_text(nbformat.writes(good)[:5000])
    C.submit(course, "stranger", {NB1: good})
    (course / "roster.csv").write_text(
        "id,first_name,last_name\n" + "".join(f"{s},{s},X\n" for s in
                                              ["correct", "blank", "hangs", "dies", "tampered",
                                               "otherkernel", "malformed"]))
    return {"correct": "all right", "blank": "unchanged release", "hangs": "run_in_threads hangs",
            "dies": "kernel dies in threaded_count", "tampered": "deleted and edited test cells",
            "otherkernel": "wrong kernel name, extra file", "malformed": "broken JSON",
            "stranger": "not on the roster"}


@pytest.fixture(scope="session")
def pipeline_course(tmp_path_factory):
    """A course where `threads101 grade` graded the small class: (course, results by student)."""
    from threads101.grading.grader import Grader

    course = C.generated_copy(tmp_path_factory.mktemp("pipeline") / "course")
    small_class(course)
    results = Grader(course, jobs=2).run()
    return course, {r.student: r for r in results}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed browser test (tests/test_browser.py) lists its screenshots in its report,
    one of them taken at the moment of the failure."""
    report = (yield).get_result()
    screenshots = getattr(item, "screenshots", None)
    if screenshots is not None and report.failed and report.when == "call":
        report.sections.append(("screenshots", screenshots.at_failure()))


def source_points(notebook: str, code_only: bool = False) -> float:
    """The points of a notebook's graded cells in source/ (its title's total); `code_only`:
    of its autograded tests alone (no written answer). The 0-point self-checks add nothing."""
    return sum(C.points(c) for c in C.source_notebook(notebook).cells
               if C.nbgrader_meta(c).get("grade") and (C.is_graded_code(c) or not code_only))


def fail_selfchecks(course: Path, student: str, notebook: str = NB1) -> list[str]:
    """Give every self-check cell of a student's autograded notebook an error, as a kernel
    that died above them leaves (the grader's NotRun). A self-check is a graded cell worth 0
    points: its failing must change no score, and count as no failed test. Returns their ids."""
    import nbformat

    from threads101.grading.execute import NOT_RUN, error_output

    path = course / "autograded" / student / C.ASSIGNMENT / f"{notebook}.ipynb"
    nb = nbformat.read(path, as_version=4)
    failed = []
    for cell in nb.cells:
        if C.is_selfcheck(cell):
            cell.outputs = [error_output(NOT_RUN, "not run: the kernel died earlier")]
            failed.append(C.nbgrader_meta(cell)["grade_id"])
    assert failed, f"{notebook} has no self-check cell"
    path.chmod(0o644)
    nbformat.write(nb, path)
    return failed


@pytest.fixture
def failed_selfchecks(pipeline_course, tmp_path):
    """A copy of the graded small class in which the self-checks of `correct`'s notebook 1
    failed (fail_selfchecks): (course, results, the self-checks' ids)."""
    import shutil

    source, results = pipeline_course
    course = tmp_path / "course"
    shutil.copytree(source, course)
    return course, results, fail_selfchecks(course, "correct")
