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
