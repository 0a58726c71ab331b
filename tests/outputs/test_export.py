"""Exports: the CSV is exactly `nbgrader export`'s; the JSON has every test's score."""

import json

from threads101 import course as C
from threads101.outputs.export import export_csv, export_json
from threads101.grading.gradebook import sqlite_url


def test_csv_matches_nbgrader_export(pipeline_course, tmp_path):
    course, _ = pipeline_course
    ours = export_csv(sqlite_url(course), tmp_path / "ours.csv")
    theirs = tmp_path / "theirs.csv"
    C.nbgrader(course, "export", "--to", str(theirs))
    assert ours.read_text() == theirs.read_text()
    assert ours.read_text().splitlines()[0].startswith("assignment,duedate,timestamp,student_id")


def test_json_has_notebooks_cells_and_problems(pipeline_course, tmp_path):
    course, results = pipeline_course
    data = json.loads(export_json(sqlite_url(course), tmp_path / "g.json", results).read_text())
    students = {s["student_id"]: s for s in data["students"]}
    assert set(results) <= set(students)
    correct = students["correct"]["notebooks"][C.NOTEBOOKS[0]]
    assert correct["cells"]["run_in_threads_concurrent"] == {"score": 2.0, "max_score": 2.0,
                                                             "autograded": True}
    assert any("malformed" in p for p in students["malformed"]["problems"])


def test_json_lists_no_selfcheck_and_keeps_the_totals(failed_selfchecks, tmp_path):
    """grades.json lists each test worth points: the self-checks (graded cells worth 0
    points, for Validate) are none, even failed; totals are the notebooks' points."""
    from conftest import source_points

    course, results, selfchecks = failed_selfchecks
    data = json.loads(export_json(sqlite_url(course), tmp_path / "g.json", results).read_text())
    correct = {s["student_id"]: s for s in data["students"]}["correct"]
    nb1 = correct["notebooks"][C.NOTEBOOKS[0]]
    scored = {C.nbgrader_meta(c)["grade_id"] for c in C.source_notebook(C.NOTEBOOKS[0]).cells
              if C.nbgrader_meta(c).get("grade") and C.points(c) > 0}
    assert set(nb1["cells"]) == scored and not set(selfchecks) & set(nb1["cells"])
    assert all(cell["max_score"] > 0 for nb in correct["notebooks"].values()
               for cell in nb["cells"].values())
    assert nb1["max_score"] == source_points(C.NOTEBOOKS[0])
    assert nb1["score"] == source_points(C.NOTEBOOKS[0], code_only=True)
    assert correct["max_score"] == sum(source_points(nb) for nb in C.NOTEBOOKS)
