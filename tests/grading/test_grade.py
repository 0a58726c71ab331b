"""`threads101 grade` end to end on a temporary course with a real SQLite gradebook."""

import shutil
import subprocess
import sys

import pytest
from conftest import NB1

from threads101 import course as C
from threads101.grading.grader import Grader, load_results
from threads101.grading.gradebook import cell_scores, sqlite_url


def nb1(results, student):
    return results[student].notebooks[NB1]


def test_correct_and_blank(pipeline_course):
    course, results = pipeline_course
    assert nb1(results, "correct").score == nb1(results, "correct").max_score - 4  # written: by hand
    assert results["correct"].pending_manual == 1
    assert nb1(results, "blank").score == 0


def test_hang_costs_only_its_tests(pipeline_course):
    course, results = pipeline_course
    scores = {s.grade_id: s.score for s in cell_scores(sqlite_url(course), "hangs")}
    assert all(scores[g] == 0 for g in scores if g.startswith("run_in_threads_"))
    assert all(scores[g] > 0 for g in scores if g.startswith("threaded_count_"))


def test_dead_kernel_keeps_earlier_points(pipeline_course):
    course, results = pipeline_course
    scores = {s.grade_id: s.score for s in cell_scores(sqlite_url(course), "dies")}
    assert all(scores[g] > 0 for g in scores if g.startswith("run_in_threads_"))
    assert all(scores[g] == 0 for g in scores if g.startswith("threaded_count_"))
    assert any("kernel died" in p for p in results["dies"].all_problems)


def test_deleted_and_edited_test_cells_are_restored(pipeline_course):
    course, results = pipeline_course
    scores = {s.grade_id: (s.score, s.max_score) for s in cell_scores(sqlite_url(course), "tampered")}
    assert scores["run_in_threads_concurrent"] == (2, 2)  # restored and passed
    assert scores["threaded_count_result"][0] == 0  # restored, and the wrong code caught


def test_bad_input_messages_and_everything_else_graded(pipeline_course):
    course, results = pipeline_course
    assert any("malformed" in p for p in results["malformed"].all_problems)
    assert nb1(results, "malformed").score == 0
    assert any("extra file ignored: notes.txt" in p for p in results["otherkernel"].all_problems)
    assert nb1(results, "otherkernel").score == nb1(results, "correct").score
    assert any("not on the roster" in p for p in results["stranger"].all_problems)
    assert nb1(results, "stranger").score == nb1(results, "correct").score
    for student in results:
        assert any("missing" in p for p in results[student].all_problems) or student == "malformed"
        assert (course / "logs" / f"{student}.log").exists()


@pytest.mark.slow  # a second grading of the class by plain nbgrader
def test_same_scores_as_plain_nbgrader(pipeline_course, tmp_path):
    course, results = pipeline_course
    plain = C.generated_copy(tmp_path / "plain")
    shutil.copytree(course / "submitted", plain / "submitted")
    C.nbgrader(plain, "autograde", C.ASSIGNMENT, "--force", timeout=600, check=False)
    for student in ["correct", "blank", "hangs", "tampered", "otherkernel"]:
        ours = {s.grade_id: s.score for s in cell_scores(sqlite_url(course), student)}
        theirs = {s.grade_id: s.score for s in cell_scores(sqlite_url(plain), student)}
        assert ours == theirs, student


def test_nbgrader_commands_still_work_on_the_course(pipeline_course, tmp_path):
    course, _ = pipeline_course
    out = tmp_path / "grades.csv"
    C.nbgrader(course, "export", "--to", str(out))
    assert "correct" in out.read_text()


def test_rerun_grades_only_what_changed(pipeline_course, tmp_path):
    course, _ = pipeline_course
    copy = tmp_path / "course"
    shutil.copytree(course, copy)
    autograded = {p: p.stat().st_mtime_ns for p in (copy / "autograded").rglob("*.ipynb")}
    again = {r.student: r for r in Grader(copy, jobs=2).run()}
    assert all(not r.graded for r in again.values())
    assert autograded and {p: p.stat().st_mtime_ns for p in autograded} == autograded, \
        "an unchanged submission was graded again"
    assert again["correct"].score == load_results(course)["correct"].score
    C.submit(copy, "blank", {NB1: C.filled_release(NB1, root=copy)})
    again = {r.student: r for r in Grader(copy, jobs=2).run()}
    assert [s for s, r in again.items() if r.graded] == ["blank"]
    assert again["blank"].score == again["correct"].score
    forced = Grader(copy, jobs=2, students=["correct"], force=True).run()
    assert [r.student for r in forced] == ["correct"] and forced[0].graded


def test_cli_prints_plain_progress_lines_and_a_summary(tmp_path):
    course = C.generated_copy(tmp_path / "course")
    C.submit(course, "solo", {NB1: C.filled_release(NB1, root=course)})
    proc = subprocess.run([sys.executable, "-m", "threads101", "--course", str(course), "grade",
                           "--jobs", "1"], capture_output=True, text=True, env=C.tool_env(),
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "[1/1] solo:" in proc.stderr
    assert "\r" not in proc.stderr and "\x1b[" not in proc.stderr
    assert "solo" in proc.stdout and "threads101 grades" in proc.stdout


def test_log_files_hold_the_details(pipeline_course):
    course, _ = pipeline_course
    text = (course / "logs" / "hangs.log").read_text()
    assert f"== {NB1}: 9/20" in text
    assert "-- run_in_threads_results failed:" in text and "deadlocked" in text


def test_a_failed_selfcheck_is_no_failed_test(failed_selfchecks):
    """The log lists the failed tests: a self-check (a graded cell worth 0 points) that
    failed, as below a dead kernel, is none of them."""
    import nbformat

    from threads101.grading.grader import failed_tests

    course, _, selfchecks = failed_selfchecks
    nb = nbformat.read(course / "autograded" / "correct" / C.ASSIGNMENT / f"{NB1}.ipynb", 4)
    failing = [C.nbgrader_meta(c)["grade_id"] for c in nb.cells
               if C.is_graded_code(c) and any(o.get("output_type") == "error" for o in c.outputs)]
    assert failing == selfchecks
    assert failed_tests(nb) == []
