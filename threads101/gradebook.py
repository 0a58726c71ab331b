"""Reading scores back from an nbgrader gradebook (SQLite or PostgreSQL)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry

from .course import ASSIGNMENT


@dataclass
class CellScore:
    notebook: str
    grade_id: str
    score: float | None  # None: a written answer still waiting for manual grading
    max_score: float
    auto: bool  # an autograded test cell (False: a written answer graded by hand)


def sqlite_url(course: Path) -> str:
    return "sqlite:///" + str(Path(course) / "gradebook.db")


def cell_scores(url_or_gradebook, student: str, assignment: str = ASSIGNMENT
                ) -> list[CellScore] | None:
    """Every graded cell of a student's submission, or None if there is no submission.

    Takes a database URL, or a Gradebook already open."""
    if isinstance(url_or_gradebook, str):
        with Gradebook(url_or_gradebook) as gb:
            return cell_scores(gb, student, assignment)
    gb = url_or_gradebook
    try:
        submission = gb.find_submission(assignment, student)
    except MissingEntry:
        return None
    out = []
    for nb in submission.notebooks:
        for grade in nb.grades:
            auto = grade.cell_type == "code"
            score = None if grade.needs_manual_grade else grade.score
            out.append(CellScore(nb.name, grade.name, score, grade.max_score, auto))
    return out
