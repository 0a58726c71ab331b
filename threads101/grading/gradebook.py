"""Reading scores back from an nbgrader gradebook (SQLite or PostgreSQL)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from nbgrader.api import (
    Assignment,
    BaseCell,
    Grade,
    Gradebook,
    Notebook,
    SubmittedAssignment,
    SubmittedNotebook,
)

from threads101.course import ASSIGNMENT


@dataclass
class CellScore:
    notebook: str
    grade_id: str
    score: float | None  # None: a written answer still waiting for manual grading
    max_score: float
    auto: bool  # an autograded test cell (False: a written answer graded by hand)


def sqlite_url(course: Path) -> str:
    return "sqlite:///" + str(Path(course) / "gradebook.db")


def cell_scores(url_or_gradebook, student: str, assignment: str = ASSIGNMENT,
                zero_point: bool = False) -> list[CellScore] | None:
    """Every graded cell of a student's submission worth points, or None if there is no
    submission.

    A graded cell worth 0 points (the self-checks, `course.SELFCHECK_IDS`: graded only so
    that nbgrader's Validate runs them) is left out unless `zero_point`: it changes no score
    or total, and is no test of the grade, so feedback, exports, the report and the proof
    suites never count it as a passed or failed test.

    Takes a database URL, or a Gradebook already open. One query (nbgrader's ORM
    loads each grade's maximum score with a query of its own)."""
    if isinstance(url_or_gradebook, str):
        with Gradebook(url_or_gradebook) as gb:
            return cell_scores(gb, student, assignment, zero_point)
    db = url_or_gradebook.db
    rows = (db.query(Notebook.name, BaseCell.name, Grade.score, Grade.max_score, Grade.cell_type,
                     Grade.needs_manual_grade)
            .select_from(Grade)
            .join(SubmittedNotebook, Grade.notebook_id == SubmittedNotebook.id)
            .join(Notebook, SubmittedNotebook.notebook_id == Notebook.id)
            .join(SubmittedAssignment, SubmittedNotebook.assignment_id == SubmittedAssignment.id)
            .join(Assignment, SubmittedAssignment.assignment_id == Assignment.id)
            .join(BaseCell, Grade.cell_id == BaseCell.id)
            .filter(SubmittedAssignment.student_id == student, Assignment.name == assignment)
            .order_by(Notebook.name, BaseCell.name)
            .all())
    if not rows:
        has_submission = (db.query(SubmittedAssignment.id)
                          .join(Assignment, SubmittedAssignment.assignment_id == Assignment.id)
                          .filter(SubmittedAssignment.student_id == student,
                                  Assignment.name == assignment).first())
        return [] if has_submission else None
    return [CellScore(notebook, name, None if needs_manual else score, max_score, cell_type == "code")
            for notebook, name, score, max_score, cell_type, needs_manual in rows
            if zero_point or max_score]


def class_scores(url: str, assignment: str = ASSIGNMENT):
    """(student, their CellScores) for every student with a submission, sorted by id, read on
    one open gradebook (feedback, export and report all walk the class this way)."""
    with Gradebook(url) as gb:
        for student in sorted(s.id for s in gb.students):
            cells = cell_scores(gb, student, assignment)
            if cells is not None:
                yield student, cells
