"""The JupyterHub way, end to end on one machine, through nbgrader's own exchange directory.

Instructor: `nbgrader release_assignment`; two students (each with a HOME of their own,
so nbgrader's cache of what they submitted is theirs): `fetch_assignment`, work,
`submit`; instructor: `nbgrader collect`, `threads101 grade`, `threads101 feedback`,
`nbgrader generate_feedback` and `release_feedback`; each student: `fetch_feedback`.
The feedback that reaches a student has their scores and no line of a hidden test.
As nbgrader's own tests do it (nbgrader/tests/apps/test_nbgrader_fetchfeedback.py):
every command gets `--Exchange.root` and the course id; the students' commands run in
their home with `--Exchange.path_includes_course` (what a hub with several courses uses)
and, all students being one Unix user here, `--CourseDirectory.student_id`.
"""

import html
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from threads101 import course as C
from threads101.grading.gradebook import cell_scores, sqlite_url
from threads101.grading.release import hidden_test_lines

pytestmark = [pytest.mark.slow]  # nbgrader's exchange, end to end (a minute): make test-full

NB2 = "02_race_conditions_and_locks"
SUBMISSIONS = Path(__file__).resolve().parents[1] / "submissions"
COURSE_ID = C.ASSIGNMENT  # the course id of nbgrader_config.py


def exchange_args(exchange: Path) -> list[str]:
    return [f"--Exchange.root={exchange}", f"--CourseDirectory.course_id={COURSE_ID}"]


class Student:
    """A student on the hub: a home of their own, nbgrader's student commands run there."""

    def __init__(self, name: str, tmp: Path, exchange: Path):
        self.name, self.exchange = name, exchange
        self.home = tmp / f"home-{name}"
        self.home.mkdir()

    def nbgrader(self, *args: str) -> subprocess.CompletedProcess:
        env = {"HOME": str(self.home), "JUPYTER_CONFIG_DIR": str(self.home / ".jupyter"),
               "JUPYTER_DATA_DIR": str(self.home / ".local" / "share" / "jupyter")}
        return C.nbgrader(self.home, *args, *exchange_args(self.exchange),
                          "--Exchange.path_includes_course=True",
                          f"--CourseDirectory.student_id={self.name}", env=env, timeout=300)

    @property
    def folder(self) -> Path:
        """Where fetch_assignment puts the assignment (course id first: path_includes_course)."""
        return self.home / COURSE_ID / C.ASSIGNMENT


def threads101(course: Path, *args: str) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "threads101", "--course", str(course), *args],
                          cwd=course, env=C.tool_env(), capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, f"threads101 {' '.join(args)}:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


def page_text(path: Path) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", path.read_text()))


def leaked(page: Path, secret: set[str], public: str) -> list[str]:
    text = page_text(page)
    return sorted(line for line in secret if line in text and line not in public)


def fmt(x) -> str:
    """A score as nbgrader's feedback template prints it (`| float | round(2)`)."""
    return str(round(float(x), 2))


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hub")
    course = C.generated_copy(tmp / "course")
    exchange = tmp / "exchange"
    exchange.mkdir()
    exchange.chmod(0o777)
    C.nbgrader(course, "release_assignment", C.ASSIGNMENT, *exchange_args(exchange), "--force")

    students = {name: Student(name, tmp, exchange) for name in ("alice", "bob")}
    for student in students.values():
        student.nbgrader("fetch_assignment", C.ASSIGNMENT)
    # alice solves everything; bob hands in the release unchanged, except a transfer that
    # deadlocks (its failure message is a stuck-thread report)
    hang = (SUBMISSIONS / NB2 / "transfer" / "hang_naive_order.py").read_text()
    work = {"alice": {nb: C.filled_release(nb, root=course) for nb in C.NOTEBOOKS},
            "bob": {NB2: C.filled_release(NB2, {"transfer": hang}, root=course)}}
    fetched = {}
    for name, student in students.items():
        fetched[name] = {p.stem: p.read_bytes() for p in student.folder.glob("*.ipynb")}
        for nb, notebook in work[name].items():
            nbformat.write(notebook, student.folder / f"{nb}.ipynb")
        student.nbgrader("submit", C.ASSIGNMENT)

    # one Unix user plays every student here: nbgrader's owner check would only warn
    C.nbgrader(course, "collect", C.ASSIGNMENT, *exchange_args(exchange), "--CollectApp.check_owner=False")
    grade = threads101(course, "grade", "--jobs", "2")
    feedback = threads101(course, "feedback")
    kit_pages = tmp / "kit-feedback"  # generate_feedback --force replaces the folder
    shutil.copytree(course / "feedback", kit_pages)
    C.nbgrader(course, "generate_feedback", C.ASSIGNMENT, "--force", timeout=600)
    C.nbgrader(course, "release_feedback", C.ASSIGNMENT, *exchange_args(exchange))
    for student in students.values():
        student.nbgrader("fetch_feedback", C.ASSIGNMENT)
    return {"course": course, "exchange": exchange, "students": students, "fetched": fetched,
            "work": work, "grade": grade, "feedback": feedback, "kit_pages": kit_pages}


def test_students_fetch_the_release_and_their_submission_is_collected(hub):
    course = hub["course"]
    release = course / "release" / C.ASSIGNMENT
    for name in ("alice", "bob"):
        assert hub["fetched"][name] == {p.stem: p.read_bytes() for p in release.glob("*.ipynb")}
        submitted = course / "submitted" / name / C.ASSIGNMENT
        assert (submitted / "timestamp.txt").is_file()
        for nb, notebook in hub["work"][name].items():
            assert nbformat.read(submitted / f"{nb}.ipynb", as_version=4).cells == notebook.cells


def test_threads101_grades_the_collected_class(hub):
    course = hub["course"]
    url = sqlite_url(course)
    alice = cell_scores(url, "alice")
    bob = cell_scores(url, "bob")
    assert alice and bob
    assert {s.notebook for s in alice} == set(C.NOTEBOOKS)
    auto = [s for s in alice if s.auto]
    # the instructor's own answers pass (nearly) every graded test
    assert sum(s.score for s in auto) >= 0.9 * sum(s.max_score for s in auto)
    assert sum(s.score or 0 for s in bob) < sum(s.score or 0 for s in alice)
    opposite = next(s for s in bob if s.grade_id == "transfer_opposite")
    assert opposite.score == 0


def test_threads101_feedback_pages_give_no_hidden_test_away(hub):
    course, pages = hub["course"], hub["kit_pages"]
    secret = hidden_test_lines(course)
    assert len(secret) > 100
    for name in ("alice", "bob"):
        folder = pages / name / C.ASSIGNMENT
        assert {p.stem for p in folder.glob("*.html")} == set(C.NOTEBOOKS) | {"index"}
        public = released_notebooks_text(course, name)
        for page in folder.glob("*.html"):
            found = leaked(page, secret, public)
            assert not found, f"{page} shows hidden-test lines: {found[:3]}"
        scores = cell_scores(sqlite_url(course), name)
        for nb in C.NOTEBOOKS:
            mine = [s for s in scores if s.notebook == nb]
            total, maximum = sum(s.score or 0 for s in mine), sum(s.max_score for s in mine)
            assert f"Score: {total:g} / {maximum:g}" in page_text(folder / f"{nb}.html"), (name, nb)


def released_notebooks_text(course: Path, student: str) -> str:
    parts = []
    for folder in (course / "release" / C.ASSIGNMENT, course / "submitted" / student / C.ASSIGNMENT):
        for path in sorted(folder.glob("*.ipynb")):
            parts += [cell.source for cell in nbformat.read(path, as_version=4).cells]
    return "\n".join(parts)


@pytest.mark.parametrize("name", ["alice", "bob"])
def test_fetched_feedback_has_scores_and_no_hidden_test(hub, name):
    course, student = hub["course"], hub["students"][name]
    stamps = list((student.folder / "feedback").iterdir())
    assert len(stamps) == 1, stamps  # one submission, one timestamp folder
    pages = {p.stem: p for p in stamps[0].glob("*.html")}
    submitted = {p.stem for p in (course / "submitted" / name / C.ASSIGNMENT).glob("*.ipynb")}
    assert set(pages) >= submitted and submitted
    secret = hidden_test_lines(course)
    public = released_notebooks_text(course, name)
    scores = cell_scores(sqlite_url(course), name)
    for nb in submitted:
        text = page_text(pages[nb])
        mine = [s for s in scores if s.notebook == nb]
        total = sum(s.score or 0 for s in mine)
        assert f"(Score: {fmt(total)} / {fmt(sum(s.max_score for s in mine))})" in text, (name, nb)
        found = leaked(pages[nb], secret, public)
        assert not found, f"{name}'s feedback {nb} shows hidden-test lines: {found[:3]}"
    if name == "bob":
        assert "deadlock" in page_text(pages[NB2])  # the failure's message reached him
