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
