"""nbgrader's own feedback path (`nbgrader generate_feedback`, the formgrader's buttons) shows
scores and the student's code, and no line of a hidden test (nbgrader_config.py's
HideHiddenTests, threads101/outputs/nbgrader_feedback.py)."""

import html
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from threads101 import course as C
from threads101.grading.gradebook import cell_scores, sqlite_url
from threads101.grading.release import hidden_test_lines
from threads101.outputs.nbgrader_feedback import HIDDEN, clean_traceback

NB2 = "02_race_conditions_and_locks"
SUBMISSIONS = Path(__file__).resolve().parents[1] / "submissions"
#: nbgrader's own default list, without the kit's preprocessor.
PLAIN = ("--GenerateFeedback.preprocessors=['nbgrader.preprocessors.GetGrades',"
         "'nbconvert.preprocessors.CSSHTMLHeaderPreprocessor']")


@pytest.fixture(scope="module")
def course(graded_course, tmp_path_factory):
    """The graded course (students `solution` and `blank`, plain nbgrader autograde) plus a
    student whose transfer deadlocks (its failure message is a stuck-thread report) and
    whose counter loses updates; then `nbgrader generate_feedback`."""
    course = tmp_path_factory.mktemp("nbfeedback") / "course"
    shutil.copytree(graded_course, course)
    code = {"transfer": (SUBMISSIONS / NB2 / "transfer" / "hang_naive_order.py").read_text(),
            "counter": (SUBMISSIONS / NB2 / "counter" / "bad_unlocked.py").read_text()}
    C.submit(course, "hangs", {NB2: C.filled_release(NB2, code, root=course)})
    C.nbgrader(course, "autograde", C.ASSIGNMENT, "--student", "hangs", "--force", timeout=600)
    C.nbgrader(course, "generate_feedback", C.ASSIGNMENT, "--force", timeout=600)
    return course


def page_text(path: Path) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", path.read_text()))


def public_text(course: Path, student: str) -> str:
    """Everything the student has seen anyway: the release and their own submission."""
    parts = []
    for folder in (course / "release" / C.ASSIGNMENT, course / "submitted" / student / C.ASSIGNMENT):
        for path in sorted(folder.glob("*.ipynb")):
            parts += [cell.source for cell in nbformat.read(path, as_version=4).cells]
    return "\n".join(parts)


def leaked(course: Path, student: str, page: Path, secret: set[str]) -> list[str]:
    """Hidden-test lines a feedback page shows that the student's release and submission do not."""
    text, public = page_text(page), public_text(course, student)
    return sorted(line for line in secret if line in text and line not in public)


def fmt(x) -> str:
    """A score as nbgrader's feedback template prints it (`| float | round(2)`)."""
    return str(round(float(x), 2))


def graded(course: Path):
    for folder in sorted((course / "autograded").glob(f"*/{C.ASSIGNMENT}")):
        for nb in sorted(folder.glob("*.ipynb")):
            yield folder.parent.name, nb.stem


def test_every_feedback_file_exists_shows_scores_and_no_hidden_test(course):
    secret = hidden_test_lines(course)
    assert len(secret) > 100
    pairs = list(graded(course))
    assert {s for s, _ in pairs} == {"solution", "blank", "hangs"}
    assert len(pairs) == 2 * len(C.NOTEBOOKS) + 1
    for student, notebook in pairs:
        page = course / "feedback" / student / C.ASSIGNMENT / f"{notebook}.html"
        assert page.is_file(), f"no feedback for {student}/{notebook}"
        text = page_text(page)
        # nbgrader's page shows every grade cell, the self-checks too (0-point grade cells, for
        # Validate: "Score: 0.0 / 0.0"), so its count of them is the gradebook's, zero_point
        scores = [s for s in cell_scores(sqlite_url(course), student, zero_point=True)
                  if s.notebook == notebook]
        total = sum(s.score or 0 for s in scores)
        maximum = sum(s.max_score for s in scores)
        assert f"(Score: {fmt(total)} / {fmt(maximum)})" in text, (student, notebook)
        assert {s.grade_id for s in scores if s.max_score == 0} == {
            f"{g}_selfcheck" for g in C.EXERCISES[notebook].values()}
        tests = [s for s in scores if s.auto]
        assert text.count("Grade cell:") == len(tests), (student, notebook)
        for s in tests:  # each test cell's own line: "Grade cell: <id> Score: a / b"
            assert re.search(rf"Grade cell: {re.escape(s.grade_id)}\s+Score: {fmt(s.score)} / "
                             rf"{fmt(s.max_score)}", text), (student, notebook, s.grade_id)
        found = leaked(course, student, page, secret)
        assert not found, f"{page} shows hidden-test lines: {found[:3]}"


def test_visible_parts_student_code_and_messages_are_kept(course):
    release = {C.nbgrader_meta(c).get("grade_id"): c.source for c in C.release_notebook(NB2, course).cells}
    hangs = page_text(course / "feedback" / "hangs" / C.ASSIGNMENT / f"{NB2}.html")
    assert release["transfer_opposite"].strip() in hangs  # the test cell as the release shows it
    student_code = (SUBMISSIONS / NB2 / "transfer" / "hang_naive_order.py").read_text()
    assert "with source.lock:" in student_code and "with source.lock:" in hangs
    assert "deadlock" in hangs  # the failure's message survives, the test's frames do not
    assert HIDDEN in hangs
    solution = page_text(course / "feedback" / "solution" / C.ASSIGNMENT / f"{NB2}.html")
    for line in C.solutions(NB2, course)["transfer"].splitlines():
        assert line.strip() in solution


def test_without_the_kit_preprocessor_nbgrader_gives_hidden_tests_away(course, tmp_path):
    """The check above can fail: nbgrader's default feedback of the same student leaks."""
    plain = tmp_path / "course"
    shutil.copytree(course, plain)
    shutil.rmtree(plain / "feedback")
    C.nbgrader(plain, "generate_feedback", C.ASSIGNMENT, "--student", "hangs", PLAIN, timeout=600)
    page = plain / "feedback" / "hangs" / C.ASSIGNMENT / f"{NB2}.html"
    assert len(leaked(plain, "hangs", page, hidden_test_lines(plain))) > 20


def test_traceback_frames_of_test_cells_are_dropped():
    red = "\x1b[31m"
    traceback = [
        "-" * 20,
        f"{red}AssertionError\x1b[0m    Traceback (most recent call last)",
        f"{red}Cell In[7], line 3\x1b[0m\n      1 x = 1\n----> 3 secret_helper_of_the_test(x)\n",
        "Cell In[7], line 9, in secret_helper_of_the_test()\n----> 9 assert check(total), msg\n",
        "Cell In[4], line 2, in transfer(a, b)\n----> 2 with a.lock:\n",
        "File /usr/lib/python3.11/threading.py:1119, in join()\n   1118 x\n",
        "AssertionError: stuck in assert check_the_hidden_total(total) here",
    ]
    out = clean_traceback(traceback, {4}, ("assert check_the_hidden_total(total)",))
    assert out == [*traceback[:2],
                   f"Cell In[7], the graded test: {HIDDEN}",  # two frames of the test cell: one line
                   traceback[4], traceback[5],  # the student's frame, a file's frame
                   f"AssertionError: stuck in {HIDDEN} here"]


def test_selfcheck_frames_are_kept_and_test_frames_hidden(tmp_path):
    """HideHiddenTests on an autograded notebook whose self-check failed (a graded cell worth
    0 points, shown whole by the release) and whose graded test failed: the self-check's
    frames are kept as the student's own cells' are, the test's frames are hidden."""
    from threads101.outputs.nbgrader_feedback import HideHiddenTests

    def meta(gid, points):
        return {"nbgrader": {"grade": True, "grade_id": gid, "locked": True, "points": points,
                             "schema_version": 3, "solution": False, "task": False}}

    def failed(count, line):
        return [nbformat.v4.new_output("error", ename="AssertionError", evalue="boom", traceback=[
            "AssertionError    Traceback (most recent call last)",
            f"Cell In[{count}], line 3\n----> 3 {line}\n", "AssertionError: boom"])]

    nb = nbformat.v4.new_notebook()
    check = nbformat.v4.new_code_cell("@selfcheck\ndef check_it():\n    assert it_works()",
                                      metadata=meta("run_in_threads_selfcheck", 0),
                                      execution_count=5, outputs=failed(5, "assert it_works()"))
    test = nbformat.v4.new_code_cell(f"# Graded: it works.\n{C.HIDDEN_BEGIN}\nassert it_really_works()\n"
                                     f"{C.HIDDEN_END}", metadata=meta("run_in_threads_results", 2),
                                     execution_count=6, outputs=failed(6, "assert it_really_works()"))
    nb.cells = [check, test]
    nb, _ = HideHiddenTests(course_root=str(C.REPO)).preprocess(nb, {})
    assert check.outputs[0]["traceback"][1] == "Cell In[5], line 3\n----> 3 assert it_works()\n"
    assert "@selfcheck" in check.source
    assert test.outputs[0]["traceback"][1] == f"Cell In[6], the graded test: {HIDDEN}"
    assert test.source == "# Graded: it works."
