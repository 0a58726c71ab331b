"""Feedback: one HTML page per student and notebook, without the hidden tests.

nbgrader's own feedback renders the autograded notebook, hidden tests and
all. This one shows, for each exercise, the student's code and each graded
test's visible description, result, points and message (the assertion
message or the stuck-thread report), and never a test's source or traceback.
The self-checks (graded cells worth 0 points, skipped while autograding) are
no graded test: the pages neither list them nor count them.
A failed test whose hidden test explained the failure (threads101.outputs.explain)
also gets that explanation: an element of class `explain-<kind>` with its
picture (threads101.outputs.diagrams) and its sentence.
Files go where nbgrader keeps feedback: feedback/<student>/threads101/<notebook>.html.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from markupsafe import Markup

from threads101 import course as C
from threads101.grading.gradebook import cell_scores
from threads101.outputs.diagrams import render
from threads101.outputs.explain import Explanation
from threads101.outputs.outcomes import Kind, outcome_of
from threads101.outputs.templates import TEMPLATES


@dataclass
class TestResult:
    grade_id: str
    description: str
    score: float | None
    max_score: float
    passed: bool
    message: str = ""
    kind: Kind = Kind.PASSED
    explanation: Explanation | None = None

    @property
    def diagram(self) -> Markup:
        """The explanation's picture, inline SVG (its texts are escaped by diagrams)."""
        return Markup(render(self.explanation)) if self.explanation and not self.passed else Markup("")


def result_of(grade_id: str, description: str, score: float | None, max_score: float,
                outputs) -> TestResult:
    """A graded test's result from its cell's outputs in the autograded notebook."""
    outcome = outcome_of(outputs)
    message, explanation = outcome.message, outcome.explanation
    if explanation is not None and explanation.text.strip() and explanation.text.strip() in message:
        # a notebook graded before the kernel kept them apart quotes the explanation in the
        # message: the page shows it once, in its element
        message = re.sub(r"\n{3,}", "\n\n", message.replace(explanation.text.strip(), "")).strip()
    return TestResult(grade_id, description, score, max_score, outcome.passed, message,
                      outcome.kind, explanation)


@dataclass
class Section:
    title: str
    code: str = ""
    answer: str = ""
    tests: list[TestResult] = field(default_factory=list)
    manual_score: float | None = None
    manual_max: float = 0.0


def visible_part(source: str) -> str:
    """A test cell as the student release shows it: without the hidden region."""
    text = "\n".join(C.region(source, C.HIDDEN_BEGIN, C.HIDDEN_END, inside_markers=False)).strip()
    return "\n".join(line.lstrip("# ").rstrip() for line in text.splitlines()) or "graded test"


def sections(course: Path, student: str, notebook: str, url: str) -> list[Section]:
    path = Path(course) / "autograded" / student / C.ASSIGNMENT / f"{notebook}.ipynb"
    nb = nbformat.read(path, as_version=4)
    release = {C.nbgrader_meta(c).get("grade_id"): c for c in C.release_notebook(notebook, course).cells}
    scores = {s.grade_id: s for s in cell_scores(url, student) or [] if s.notebook == notebook}
    names = {gid: name for name, gid in C.EXERCISES.get(notebook, {}).items()}
    out: list[Section] = []
    by_exercise: dict[str, Section] = {}
    for cell in nb.cells:
        gid = C.nbgrader_meta(cell).get("grade_id")
        if not gid:
            continue
        meta = C.nbgrader_meta(cell)
        if meta.get("solution") and cell.cell_type == "code":
            section = Section(f"Exercise {names.get(gid, gid)}", code=cell.source)
            by_exercise[gid] = section
            out.append(section)
        elif meta.get("solution") and cell.cell_type == "markdown":
            score = scores.get(gid)
            section = Section(f"Written answer ({gid})", answer=cell.source,
                              manual_score=score.score if score else None,
                              manual_max=score.max_score if score else 0)
            out.append(section)
        elif C.is_test(cell):  # a self-check (a 0-point graded cell) is no graded test
            exercise = C.exercise_of(gid)
            section = by_exercise.get(exercise)
            if section is None:
                section = by_exercise[exercise] = Section(f"Exercise {exercise}")
                out.append(section)
            score = scores.get(gid)
            shown = release.get(gid)
            section.tests.append(result_of(
                gid, visible_part(shown.source if shown is not None else ""),
                score.score if score else None, score.max_score if score else 0,
                cell.get("outputs", [])))
    return out


PAGE = TEMPLATES.get_template("feedback.html")

INDEX = TEMPLATES.get_template("feedback_index.html")


def render_page(student: str, notebook: str, secs: list[Section], score: float, max_score: float,
                pending: bool = False, problems: list[str] | None = None) -> str:
    """One notebook's feedback page."""
    return PAGE.render(student=student, notebook=notebook, sections=secs, score=score,
                       max_score=max_score, pending=pending, problems=problems or [])


def write_feedback(course: Path, student: str, url: str,
                   problems: dict[str, list[str]] | None = None) -> list[Path]:
    """Write the student's feedback pages; returns their paths."""
    problems = problems or {}
    folder = Path(course) / "feedback" / student / C.ASSIGNMENT
    folder.mkdir(parents=True, exist_ok=True)
    written, rows = [], []
    for notebook in C.NOTEBOOKS:
        graded = Path(course) / "autograded" / student / C.ASSIGNMENT / f"{notebook}.ipynb"
        scores = [s for s in cell_scores(url, student) or [] if s.notebook == notebook]
        score = sum(s.score or 0 for s in scores)
        max_score = sum(s.max_score for s in scores)
        if graded.exists():
            secs = sections(course, student, notebook, url)
        else:
            secs = []
        page = render_page(student, notebook, secs, score, max_score,
                           pending=any(s.score is None for s in scores),
                           problems=problems.get(notebook, []) or
                           ([] if graded.exists() else ["not graded: missing or unreadable"]))
        path = folder / f"{notebook}.html"
        path.write_text(page)
        written.append(path)
        rows.append((notebook, score, max_score))
    index = folder / "index.html"
    index.write_text(INDEX.render(student=student, assignment=C.ASSIGNMENT, rows=rows))
    return written + [index]
