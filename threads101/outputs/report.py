"""Report: one HTML page for the instructor, with plots.

- the distribution of total scores;
- the pass rate of each exercise (students with full marks on it);
- the most common causes of lost points: wrong result, race, hang, crash,
  not attempted, not submitted;
- what went wrong, by kind and by exercise: for each exercise and each kind of
  failure (the typed outcome, outcomes.Kind: wrong result, race, deadlock, hang,
  leftover threads, ...), how many students failed a test of it that way;
- a table of the students who need a look (grading problems, hangs, crashes,
  written answers to grade, low scores).
"""

from __future__ import annotations

import base64
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import nbformat

from threads101 import course as C
from threads101.grading.gradebook import class_scores
from threads101.outputs.outcomes import Kind, outcome_of
from threads101.outputs.templates import TEMPLATES

CAUSES = ("wrong result", "race", "hang", "crash", "not attempted", "not submitted")
RACE_WORDS = re.compile(r"race|atomic|lost update|lock|interleav|shared|at the same time", re.IGNORECASE)


def classify(grade_id: str, outputs) -> str | None:
    """Why a graded cell lost its points (None: it passed), from its typed outcome
    (outcomes.Kind); a plain assertion of a test about races counts as a race."""
    outcome = outcome_of(outputs)
    kind = outcome.kind
    if kind is Kind.PASSED:
        return None
    if kind.is_crash:
        return "crash"
    if kind.is_hang:
        return "hang"
    if kind is Kind.NOT_IMPLEMENTED:
        return "not attempted"
    if kind is Kind.RACE:
        return "race"
    if kind is Kind.WRONG and outcome.message.startswith("AssertionError") and (
            RACE_WORDS.search(outcome.message) or RACE_WORDS.search(grade_id.replace("_", " "))):
        return "race"
    return "wrong result"  # a typed wrong result, leftover threads


@dataclass
class StudentRow:
    student: str
    score: float = 0.0
    max_score: float = 0.0
    causes: Counter = field(default_factory=Counter)
    exercises: dict[str, bool] = field(default_factory=dict)  # exercise -> full marks
    problems: list[str] = field(default_factory=list)
    pending_manual: int = 0
    #: (exercise, kind) of every failed autograded test (a set: a student counts once per pair)
    kinds: set[tuple[str, Kind]] = field(default_factory=set)

    @property
    def reasons(self) -> list[str]:
        out = list(self.problems)
        for cause in ("hang", "crash"):
            if self.causes[cause]:
                out.append(f"{self.causes[cause]} test(s) lost to a {cause}")
        if self.max_score and self.score < 0.5 * self.max_score:
            out.append("below half marks")
        return out


def collect_rows(course: Path, url: str, results: dict | None = None) -> list[StudentRow]:
    results = results or {}
    rows = []
    for student, cells in class_scores(url):
        row = StudentRow(student)
        result = results.get(student)
        row.problems = result.all_problems if result is not None else []
        outputs = {}
        for notebook in C.NOTEBOOKS:
            path = Path(course) / "autograded" / student / C.ASSIGNMENT / f"{notebook}.ipynb"
            if path.exists():
                nb = nbformat.read(path, as_version=4)
                outputs.update({(notebook, C.nbgrader_meta(c).get("grade_id")): c.get("outputs", [])
                                for c in nb.cells if c.cell_type == "code"})
        for cell in cells:
            row.max_score += cell.max_score
            if cell.score is None:
                row.pending_manual += 1
                continue
            row.score += cell.score
            if not cell.auto:
                continue
            exercise = C.exercise_of(cell.grade_id) or cell.grade_id
            full = cell.score >= cell.max_score
            row.exercises[exercise] = row.exercises.get(exercise, True) and full
            if not full:
                key = (cell.notebook, cell.grade_id)
                cause = (classify(cell.grade_id, outputs[key]) if key in outputs
                         else "not submitted") or "wrong result"
                row.causes[cause] += 1
                if key in outputs:
                    kind = outcome_of(outputs[key]).kind
                    row.kinds.add((exercise, Kind.WRONG if kind is Kind.PASSED else kind))
        rows.append(row)
    return rows


@dataclass
class KindTable:
    """Students per (exercise, kind of failure): what went wrong, by kind and by exercise."""

    exercises: list[str]  # rows: the exercises with a failure, in the course's order
    kinds: list[Kind]  # columns: the kinds seen, in Kind's order
    students: dict[tuple[str, Kind], list[str]]  # (exercise, kind) -> the students, sorted

    def count(self, exercise: str, kind: Kind) -> int:
        return len(self.students.get((exercise, kind), []))


def by_kind(rows: list[StudentRow]) -> KindTable:
    students: dict[tuple[str, Kind], list[str]] = {}
    for row in rows:
        for pair in row.kinds:
            students.setdefault(pair, []).append(row.student)
    order = [gid for names in C.EXERCISES.values() for gid in names.values()]
    seen = {e for e, _ in students}
    exercises = [e for e in order if e in seen] + sorted(seen - set(order))
    kinds = [k for k in Kind if any(k is kind for _, kind in students)]
    return KindTable(exercises, kinds, {pair: sorted(names) for pair, names in students.items()})


def _png(fig) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def plots(rows: list[StudentRow]) -> dict[str, str]:
    """The three plots as PNG data URLs."""
    out = {}
    fig, ax = plt.subplots(figsize=(6, 3))
    percents = [100 * r.score / r.max_score for r in rows if r.max_score]
    ax.hist(percents, bins=range(0, 105, 5), color="#4c72b0", edgecolor="white")
    ax.set_xlabel("total score (% of the points)")
    ax.set_ylabel("students")
    ax.set_title("Score distribution")
    out["distribution"] = _png(fig)

    exercises = [gid for names in C.EXERCISES.values() for gid in names.values()]
    rates = [100 * sum(r.exercises.get(e, False) for r in rows) / max(len(rows), 1)
             for e in exercises]
    fig, ax = plt.subplots(figsize=(6, 3.2))
    ax.barh(exercises[::-1], rates[::-1], color="#55a868")
    ax.set_xlim(0, 100)
    ax.set_xlabel("students with full marks (%)")
    ax.set_title("Pass rate per exercise")
    out["pass_rate"] = _png(fig)

    totals = Counter()
    for r in rows:
        totals.update(r.causes)
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.bar(CAUSES, [totals[c] for c in CAUSES], color="#c44e52")
    ax.set_ylabel("failed tests")
    ax.set_title("Why tests failed")
    ax.tick_params(axis="x", labelrotation=20)
    out["causes"] = _png(fig)
    return out


PAGE = TEMPLATES.get_template("report.html")


def write_report(course: Path, url: str, dest: Path, results: dict | None = None) -> Path:
    rows = collect_rows(course, url, results)
    totals = Counter()
    for r in rows:
        totals.update(r.causes)
    exercises = [gid for names in C.EXERCISES.values() for gid in names.values()]
    html = PAGE.render(
        assignment=C.ASSIGNMENT, rows=rows, n=len(rows), plots=plots(rows),
        mean=sum(r.score for r in rows) / max(len(rows), 1),
        max_score=max((r.max_score for r in rows), default=0),
        causes=[(c, totals[c]) for c in CAUSES], exercises=exercises, by_kind=by_kind(rows),
        look=[r for r in rows if r.reasons], pending=sum(r.pending_manual for r in rows))
    Path(dest).parent.mkdir(parents=True, exist_ok=True)
    Path(dest).write_text(html)
    return Path(dest)
