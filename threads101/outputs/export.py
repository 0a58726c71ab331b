"""Export: the grades as CSV (exactly `nbgrader export`'s columns) and as JSON (per test)."""

from __future__ import annotations

import json
from pathlib import Path

from nbgrader.api import Gradebook
from nbgrader.plugins import CsvExportPlugin

from threads101 import course as C
from threads101.grading.gradebook import class_scores


def export_csv(url: str, dest: Path) -> Path:
    """nbgrader's own CSV export plugin: the same columns as `nbgrader export`."""
    Path(dest).parent.mkdir(parents=True, exist_ok=True)
    plugin = CsvExportPlugin()
    plugin.to = str(dest)
    with Gradebook(url) as gb:
        plugin.export(gb)
    return Path(dest)


def student_totals(url: str, results: dict | None = None) -> list[dict]:
    """Every student with a submission: total score, per notebook and per graded cell, with
    grading problems (what grades.json holds; the LMS files read the same totals)."""
    results = results or {}
    rows = []
    for student, cells in class_scores(url):
        result = results.get(student)
        notebooks: dict[str, dict] = {}
        for cell in cells:
            nb = notebooks.setdefault(cell.notebook, {"score": 0.0, "max_score": 0.0, "cells": {}})
            nb["max_score"] += cell.max_score
            nb["score"] += cell.score or 0.0
            nb["cells"][cell.grade_id] = {"score": cell.score, "max_score": cell.max_score,
                                          "autograded": cell.auto}
        rows.append({
            "student_id": student,
            "score": sum(n["score"] for n in notebooks.values()),
            "max_score": sum(n["max_score"] for n in notebooks.values()),
            "notebooks": notebooks,
            "problems": result.all_problems if result is not None else [],
        })
    return rows


def export_json(url: str, dest: Path, results: dict | None = None,
                totals: list[dict] | None = None) -> Path:
    """Every student's score per notebook and per graded cell, with grading problems
    (`totals`: student_totals(url, results) when already read)."""
    data = {"assignment": C.ASSIGNMENT,
            "students": student_totals(url, results) if totals is None else totals}
    Path(dest).parent.mkdir(parents=True, exist_ok=True)
    Path(dest).write_text(json.dumps(data, indent=2))
    return Path(dest)


def export_all(course, url: str, folder: Path, results: dict | None = None
               ) -> tuple[list[Path], list[str]]:
    """`threads101 export`: grades.csv, grades.json, and the LMS files canvas.csv and
    moodle.csv (threads101/outputs/lms.py). Returns the files written and the LMS messages
    (students left out of an LMS file for want of an id in the roster)."""
    from threads101.outputs.lms import write_lms_exports

    folder = Path(folder)
    totals = student_totals(url, results)
    paths = [export_csv(url, folder / "grades.csv"),
             export_json(url, folder / "grades.json", totals=totals)]
    messages = write_lms_exports(course, totals, folder)
    return paths + [folder / "canvas.csv", folder / "moodle.csv"], messages
