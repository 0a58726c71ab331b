"""The class report: one HTML page with its three plots and the students who need a look."""

import base64
import re

import nbformat

from threads101.grading.gradebook import sqlite_url
from threads101.outputs.report import classify, write_report


def test_report_has_plots_and_a_look_table(pipeline_course, tmp_path):
    course, results = pipeline_course
    page = write_report(course, sqlite_url(course), tmp_path / "report.html", results).read_text()
    images = re.findall(r'<img id="(plot-[a-z-]+)"[^>]*src="data:image/png;base64,([^"]+)"', page)
    assert [i for i, _ in images] == ["plot-distribution", "plot-pass-rate", "plot-causes"]
    for _, data in images:
        assert base64.b64decode(data).startswith(b"\x89PNG")
    look = page.split("Students who need a look")[1].split("All students")[0]
    rows = {re.search(r"<td>([^<]+)</td>", row).group(1): row
            for row in look.split("<tr>")[1:] if re.search(r"<td>([^<]+)</td>", row)}
    for student in ["hangs", "dies", "malformed", "stranger", "blank"]:
        assert student in rows, f"{student} not among the students who need a look"
    assert "lost to a hang" in rows["hangs"], rows["hangs"]
    assert "kernel died" in rows["dies"], rows["dies"]


def test_failure_causes():
    def err(ename, evalue=""):
        return [nbformat.v4.new_output("error", ename=ename, evalue=evalue, traceback=[])]

    assert classify("x_results", []) is None
    assert classify("x_results", err("AssertionError", "f() did not finish within 3 s.")) == "hang"
    assert classify("x_results", err("AssertionError", "g() is deadlocked: every")) == "hang"
    assert classify("counter_atomic", err("AssertionError", "value 3 instead of 5")) == "race"
    assert classify("x_results", err("AssertionError", "returned 4, expected 5")) == "wrong result"
    assert classify("x_results", err("KernelDied", "gone")) == "crash"
    assert classify("x_results", err("TypeError", "bad")) == "crash"
    assert classify("x_results", err("NotImplementedError")) == "not attempted"
    # a stall's report, and a test's own sentence about a hung call, in a plain assert
    assert classify("x_results", err("AssertionError", "f() did not finish: for 0.10 s its")) == "hang"
    assert classify("x_results", err("AssertionError", "run_consumers did not finish: some")) == "hang"
    assert classify("x_results", err("AssertionError", "returned before it had finished")) == "wrong result"
    # one vocabulary: nbgrader's cell timeout is a hang in the report as in the feedback
    from threads101.outputs.outcomes import outcome_of

    assert classify("x_results", err("CellTimeoutError", "")) == "hang"
    assert outcome_of(err("CellTimeoutError", "")).kind.is_hang
    assert outcome_of(err("AssertionError", "f() did not finish within 3 s.")).kind.is_hang


def test_selfchecks_count_as_no_test(failed_selfchecks):
    """A self-check is a graded cell worth 0 points: it is no test of an exercise's pass
    rate or of the causes of failures, and no part of a score or total, even when it failed
    (as below a dead kernel)."""
    from conftest import source_points

    from threads101 import course as C
    from threads101.outputs.report import collect_rows

    course, results, _ = failed_selfchecks
    row = {r.student: r for r in collect_rows(course, sqlite_url(course), results)}["correct"]
    assert set(row.exercises) == set(C.SOLUTION_IDS)  # no self-check among them
    nb1 = C.EXERCISES[C.NOTEBOOKS[0]].values()
    assert all(row.exercises[g] for g in nb1), row.exercises  # every test of notebook 1 passed
    # `correct` handed in notebook 1 only: each test of the others is lost, "not submitted"
    others = sum(C.is_test(c) for nb in C.NOTEBOOKS[1:] for c in C.source_notebook(nb).cells)
    assert row.causes == {"not submitted": others} and not row.kinds, (row.causes, row.kinds)
    assert row.max_score == sum(source_points(nb) for nb in C.NOTEBOOKS)
    assert row.score == source_points(C.NOTEBOOKS[0], code_only=True)
    assert row.pending_manual == 1  # the written answer
