"""`threads101 collect`: both layouts, zip or folder, with a message for every file it cannot place."""

import zipfile

import nbformat

from threads101 import course as C
from threads101.grading.collect import collect

NB1, NB2 = C.NOTEBOOKS[0], C.NOTEBOOKS[1]


def notebook_text():
    return nbformat.writes(nbformat.v4.new_notebook())


def test_flat_zip_from_a_learning_platform(tmp_path):
    archive = tmp_path / "download.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr(f"alice_1001_5501_{NB1}.ipynb", notebook_text())
        z.writestr(f"alice_1001_5502_{NB2}.ipynb", notebook_text())
        z.writestr(f"bob_LATE_1002_{NB1}.ipynb", notebook_text())
        z.writestr("bob_1002_notes.txt", "hello")
        z.writestr("carol_1003_homework.ipynb", notebook_text())
        z.writestr(f"bad id!_1004_{NB1}.ipynb", notebook_text())
        z.writestr(f"alice_1001_5509_{NB1}.ipynb", notebook_text())
        z.writestr(f"__MACOSX/._alice_1001_{NB1}.ipynb", "junk")
    course = tmp_path / "course"
    result = collect(archive, course)
    assert result.placed == {"alice": [NB1, NB2], "bob": [NB1]}
    assert (course / "submitted" / "alice" / C.ASSIGNMENT / f"{NB2}.ipynb").exists()
    text = "\n".join(result.problems)
    assert "bob_1002_notes.txt: not a notebook" in text
    assert "carol_1003_homework.ipynb: the name does not end with a notebook name" in text
    assert "not a valid student id" in text
    assert "a second file for alice" in text
    assert len(result.problems) == 4


def test_nbgrader_layout_folder_keeps_timestamps(tmp_path):
    inbox = tmp_path / "inbox" / "submitted" / "dora" / C.ASSIGNMENT
    inbox.mkdir(parents=True)
    (inbox / f"{NB1}.ipynb").write_text(notebook_text())
    (inbox / "timestamp.txt").write_text("2026-11-20 10:00:00 UTC")
    (inbox / "scratch.py").write_text("x = 1")
    course = tmp_path / "course"
    result = collect(tmp_path / "inbox", course)
    assert result.placed == {"dora": [NB1]}
    folder = course / "submitted" / "dora" / C.ASSIGNMENT
    assert (folder / "timestamp.txt").read_text().startswith("2026-11-20")
    assert (folder / "scratch.py").exists(), "other files stay with the submission"
    assert result.problems == []


def test_recollecting_replaces_a_students_files(tmp_path):
    course = tmp_path / "course"
    first = tmp_path / "first"
    first.mkdir()
    (first / f"eve_1_{NB1}.ipynb").write_text(notebook_text())
    (first / f"eve_1_{NB2}.ipynb").write_text(notebook_text())
    collect(first, course)
    second = tmp_path / "second"
    second.mkdir()
    (second / f"eve_2_{NB1}.ipynb").write_text(notebook_text())
    collect(second, course)
    assert sorted(p.name for p in (course / "submitted" / "eve" / C.ASSIGNMENT).iterdir()) == [
        f"{NB1}.ipynb"]


def test_missing_or_unreadable_source(tmp_path):
    assert collect(tmp_path / "nope", tmp_path).problems
    junk = tmp_path / "junk.zip"
    junk.write_text("not a zip")
    assert "neither a folder nor a zip" in collect(junk, tmp_path).problems[0]
