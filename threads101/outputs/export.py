"""Export: the grades as CSV (exactly `nbgrader export`'s columns) and as JSON (per test)."""

from __future__ import annotations

import json
from pathlib import Path

from nbgrader.api import Gradebook
from nbgrader.plugins import CsvExportPlugin

from threads101 import course as C
from threads101.grading.gradebook import cell_scores


def export_csv(url: str, dest: Path) -> Path:
    """nbgrader's own CSV export plugin: the same columns as `nbgrader export`."""
    Path(dest).parent.mkdir(parents=True, exist_ok=True)
    plugin = CsvExportPlugin()
    plugin.to = str(dest)
    with Gradebook(url) as gb:
        plugin.export(gb)
    return Path(dest)


def export_json(url: str, dest: Path, results: dict | None = None) -> Path:
    """Every student's score per notebook and per graded cell, with grading problems."""
    results = results or {}
    with Gradebook(url) as gb:
        students = sorted(s.id for s in gb.students)
    data = {"assignment": C.ASSIGNMENT, "students": []}
    for student in students:
        cells = cell_scores(url, student)
        if cells is None:
            continue
        result = results.get(student)
        notebooks: dict[str, dict] = {}
        for cell in cells:
            nb = notebooks.setdefault(cell.notebook, {"score": 0.0, "max_score": 0.0, "cells": {}})
            nb["max_score"] += cell.max_score
            nb["score"] += cell.score or 0.0
            nb["cells"][cell.grade_id] = {"score": cell.score, "max_score": cell.max_score,
                                          "autograded": cell.auto}
        data["students"].append({
            "student_id": student,
            "score": sum(n["score"] for n in notebooks.values()),
            "max_score": sum(n["max_score"] for n in notebooks.values()),
            "notebooks": notebooks,
            "problems": result.all_problems if result is not None else [],
        })
    Path(dest).parent.mkdir(parents=True, exist_ok=True)
    Path(dest).write_text(json.dumps(data, indent=2))
    return Path(dest)
