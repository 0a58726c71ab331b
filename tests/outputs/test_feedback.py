"""Feedback pages show results and messages, and never a line of the hidden tests."""

import html
import re

import pytest
from conftest import NB1

from threads101 import course as C
from threads101.outputs.feedback import write_feedback
from threads101.grading.gradebook import sqlite_url
from threads101.grading.release import hidden_test_lines


@pytest.fixture(scope="module")
def feedback(pipeline_course):
    course, results = pipeline_course
    pages = {}
    for student, result in results.items():
        problems = {nb: n.problems for nb, n in result.notebooks.items()}
        pages[student] = write_feedback(course, student, sqlite_url(course), problems)
    return course, pages


def page_text(path):
    return html.unescape(re.sub(r"<[^>]+>", "\n", path.read_text()))


def test_no_hidden_test_text_in_any_feedback_file(feedback):
    course, pages = feedback
    secret = hidden_test_lines(course)
    assert len(secret) > 50
    for student, files in pages.items():
        for path in files:
            text = page_text(path)
            leaked = [line for line in secret if line in text]
            assert not leaked, f"{path} shows hidden test lines: {leaked[:3]}"


def test_feedback_shows_results_messages_and_stuck_threads(feedback):
    course, pages = feedback
    text = page_text(course / "feedback" / "hangs" / C.ASSIGNMENT / f"{NB1}.html")
    assert "failed" in text and "passed" in text
    assert "deadlocked" in text and "all_done.wait()" in text  # the stuck-thread report
    died = page_text(course / "feedback" / "dies" / C.ASSIGNMENT / f"{NB1}.html")
    assert "the kernel died" in died
    index = page_text(course / "feedback" / "correct" / C.ASSIGNMENT / "index.html")
    assert NB1 in index


def test_feedback_layout_is_nbgraders(feedback):
    course, pages = feedback
    for student, files in pages.items():
        assert {p.name for p in files} == {f"{nb}.html" for nb in C.NOTEBOOKS} | {"index.html"}


def test_selfchecks_are_no_graded_test_on_the_pages(failed_selfchecks):
    """The self-checks are graded cells worth 0 points (for Validate): a page lists only the
    tests worth points, each exercise's in its section, and its score and total are the
    points of those tests; a self-check that failed (as below a dead kernel) changes nothing."""
    course, _, selfchecks = failed_selfchecks
    url = sqlite_url(course)
    page = course / "feedback" / "correct" / C.ASSIGNMENT / f"{NB1}.html"
    from nbgrader.api import Gradebook

    with Gradebook(url) as gb:
        zero = {c.name for c in gb.find_notebook(NB1, C.ASSIGNMENT).grade_cells if c.max_score == 0}
    assert set(selfchecks) == {f"{g}_selfcheck" for g in C.EXERCISES[NB1].values()} <= zero

    write_feedback(course, "correct", url)
    before = page.read_text()
    release = C.release_notebook(NB1, course)
    tests = [c for c in release.cells if C.is_test(c)]
    assert before.count('<div class="test') == len(tests) > 0
    assert "passed</b>" in before and "failed</b>" not in before
    assert not [c for c in release.cells
                if C.is_selfcheck(c) and c.source.splitlines()[0] in html.unescape(before)]
    assert "def check_" not in before
    from conftest import source_points

    score = re.search(r"Score: <b>([\d.]+) / ([\d.]+)</b>", before)
    assert float(score.group(2)) == source_points(NB1)
    assert float(score.group(1)) == source_points(NB1, code_only=True)  # written: by hand

    # the same page after the self-checks failed
    from threads101.outputs.feedback import sections

    assert not [t for s in sections(course, "correct", NB1, url) for t in s.tests
                if C.is_selfcheck(t.grade_id)]
    write_feedback(course, "correct", url)
    assert page.read_text() == before
