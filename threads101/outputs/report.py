"""Report: one HTML page for the instructor, with plots.

- the distribution of total scores;
- the pass rate of each exercise (students with full marks on it);
- the most common causes of lost points: wrong result, race, hang, crash,
  not attempted, not submitted;
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
from threads101.outputs.templates import TEMPLATES

from threads101 import course as C
from threads101.grading.gradebook import class_scores

CAUSES = ("wrong result", "race", "hang", "crash", "not attempted", "not submitted")
RACE_WORDS = re.compile(r"race|atomic|lost update|lock|interleav|shared|at the same time", re.IGNORECASE)
HANG_WORDS = re.compile(r"did not finish within|is deadlocked")
CRASH_NAMES = {"KernelDied", "KernelStuck", "NotRun", "CellTimeoutError", "DeadKernelError"}


def classify(grade_id: str, outputs) -> str | None:
    """Why a graded cell lost its points, from its error output (None: it passed)."""
    errors = [o for o in outputs if o.get("output_type") == "error"]
    if not errors:
        return None
    name = errors[0].get("ename", "")
    value = str(errors[0].get("evalue", ""))
    if name in CRASH_NAMES:
        return "crash"
    if HANG_WORDS.search(value):
        return "hang"
    if name == "NotImplementedError":
        return "not attempted"
    if name != "AssertionError":
        return "crash"
    if RACE_WORDS.search(value) or RACE_WORDS.search(grade_id.replace("_", " ")):
        return "race"
    return "wrong result"


@dataclass
class StudentRow:
    student: str
    score: float = 0.0
    max_score: float = 0.0
    causes: Counter = field(default_factory=Counter)
    exercises: dict[str, bool] = field(default_factory=dict)  # exercise -> full marks
    problems: list[str] = field(default_factory=list)
    pending_manual: int = 0

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
        rows.append(row)
    return rows


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
        causes=[(c, totals[c]) for c in CAUSES], exercises=exercises,
        look=[r for r in rows if r.reasons], pending=sum(r.pending_manual for r in rows))
    Path(dest).parent.mkdir(parents=True, exist_ok=True)
    Path(dest).write_text(html)
    return Path(dest)
