"""The LMS round trip: exports/canvas.csv and exports/moodle.csv from a graded course, with
the totals nbgrader's own export has, and a message (not a crash) for students without ids."""

import csv
import shutil

import pytest

from threads101 import course as C
from threads101.grading.gradebook import sqlite_url
from threads101.outputs.export import export_all, export_csv, student_totals
from threads101.outputs.lms import write_lms_exports

ROSTER = """id,first_name,last_name,email,canvas_id,sis_id,sis_login_id,section
correct,Ada,Lovelace,ada@example.org,1001,S-1,ada,Group A
blank,Bela,Bartok,,,S-2,,Group B
hangs,Cyrus,Adler,cyrus@example.org,1003,,,Group A
dies,Dana,Scott,dana@example.org,,,,
tampered,Emmy,Noether,emmy@example.org,1005,S-5,emmy,Group B
otherkernel,Felix,Klein,felix@example.org,1006,S-6,felix,Group B
malformed,Grace,Hopper,grace@example.org,1007,S-7,grace,Group A
"""


@pytest.fixture(scope="module")
def graded(pipeline_course, tmp_path_factory):
    """A copy of the course `threads101 grade` graded (the small class: `stranger` is not on
    the roster), the roster above, and nbgrader's own totals: student -> (score, max)."""
    source, results = pipeline_course
    course = tmp_path_factory.mktemp("lms") / "course"
    shutil.copytree(source, course)
    (course / "roster.csv").write_text(ROSTER)
    nbgrader_csv = export_csv(sqlite_url(course), course / "nbgrader-grades.csv")
    with nbgrader_csv.open(newline="") as f:
        theirs = {row["student_id"]: (float(row["raw_score"]), float(row["max_score"]))
                  for row in csv.DictReader(f)}
    return course, results, theirs


def read(path):
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def test_export_writes_canvas_and_moodle_files(graded):
    course, results, theirs = graded
    paths, messages = export_all(course, sqlite_url(course), course / "exports", results)
    assert {p.name for p in paths} == {"grades.csv", "grades.json", "canvas.csv", "moodle.csv"}
    assert all(p.is_file() for p in paths)
    graded_students = {row["student_id"] for row in student_totals(sqlite_url(course))}
    assert {"correct", "blank", "hangs", "dies", "stranger"} <= graded_students

    canvas = read(course / "exports" / "canvas.csv")
    assert canvas[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", C.ASSIGNMENT]
    maximum = theirs["correct"][1]
    assert maximum > 0
    assert canvas[1][0] == "Points Possible" and float(canvas[1][5]) == maximum
    assert canvas[1][1:5] == ["", "", "", ""]
    rows = {row[1] or row[2]: row for row in canvas[2:]}  # by Canvas id, else SIS id
    assert rows["1001"][:5] == ["Lovelace, Ada", "1001", "S-1", "ada", "Group A"]
    assert rows["S-2"][:5] == ["Bartok, Bela", "", "S-2", "", "Group B"]  # found by SIS User ID
    by_student = {"1001": "correct", "S-2": "blank", "1003": "hangs", "1005": "tampered",
                  "1006": "otherkernel", "1007": "malformed"}
    assert set(rows) == {k for k, s in by_student.items() if s in graded_students}
    for key, row in rows.items():
        assert float(row[5]) == pytest.approx(theirs[by_student[key]][0]), key
    assert float(rows["1001"][5]) > float(rows["1003"][5])  # the correct student beats the hang

    moodle = read(course / "exports" / "moodle.csv")
    assert moodle[0] == ["Email address", "First name", "Last name", C.ASSIGNMENT]
    emails = {row[0]: row for row in moodle[1:]}
    assert "ada@example.org" in emails and "dana@example.org" in emails
    assert float(emails["dana@example.org"][3]) == pytest.approx(theirs["dies"][0])
    assert emails["ada@example.org"][1:3] == ["Ada", "Lovelace"]
    assert len(moodle) - 1 == len(graded_students - {"blank", "stranger"})

    canvas_msg = next(m for m in messages if m.startswith("canvas.csv"))
    assert "dies" in canvas_msg and "stranger" in canvas_msg and "correct" not in canvas_msg
    moodle_msg = next(m for m in messages if m.startswith("moodle.csv"))
    assert "blank" in moodle_msg and "stranger" in moodle_msg and "no email" in moodle_msg
    assert "dana" not in moodle_msg and "dies" not in moodle_msg


def test_moodle_identifier_follows_the_roster(graded, tmp_path):
    course, results, theirs = graded
    roster = tmp_path / "course"
    roster.mkdir()
    (roster / "roster.csv").write_text("id,moodle_username,email\ncorrect,alovelace,ada@example.org\n"
                                       "hangs,,cyrus@example.org\n")
    rows = student_totals(sqlite_url(course), results)
    messages = write_lms_exports(roster, rows)
    moodle = read(roster / "exports" / "moodle.csv")
    assert moodle[0] == ["Username", C.ASSIGNMENT]  # a username before an email
    assert moodle[1][0] == "alovelace" and len(moodle) == 2
    assert float(moodle[1][1]) == pytest.approx(theirs["correct"][0])
    msg = next(m for m in messages if m.startswith("moodle.csv"))
    assert "hangs" in msg and "no moodle_username" in msg and "username" in msg


def test_no_roster_is_a_message_not_a_crash(graded, tmp_path):
    course, results, _ = graded
    rows = student_totals(sqlite_url(course), results)
    messages = write_lms_exports(tmp_path, rows)  # no roster.csv there
    assert any(m.startswith("no roster at") for m in messages)
    assert read(tmp_path / "exports" / "canvas.csv")[2:] == []
    assert len(read(tmp_path / "exports" / "moodle.csv")) == 1
    canvas_msg = next(m for m in messages if m.startswith("canvas.csv"))
    assert all(row["student_id"] in canvas_msg for row in rows)
