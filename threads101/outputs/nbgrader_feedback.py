"""nbgrader's own feedback, made safe: the formgrader's buttons must not hand out the hidden tests.

`nbgrader generate_feedback` (what the formgrader's "Generate Feedback" and
"Release Feedback" buttons run) renders the *autograded* notebook to HTML. That
notebook carries every hidden test (nbgrader puts them back to run them), and the
tracebacks of failed tests quote their lines. nbgrader_config.py adds
`HideHiddenTests` to `GenerateFeedback.preprocessors`, after nbgrader's `GetGrades`:

- each graded test cell shows only its visible part, the text the student's
  release showed (the lines outside the hidden-test markers, `course.region`,
  as `threads101 feedback` does);
- in every output, a traceback frame is kept only if it belongs to a cell that is
  not a graded test (the student's own code, the demos, the self-checks: graded
  cells worth 0 points that the release shows whole) or to a file; a frame of a
  test cell becomes one line saying the test's code is hidden;
- any line of a hidden test still left in an output (an assertion message or a
  stuck-thread report quoting one, any string of a JSON output such as a test's
  explanation of a failure, threads101.outputs.explain) is replaced by "(test code)".
  An explanation's text/plain (what nbconvert shows of it) is kept. The hidden-test
  lines are `release.hidden_test_lines` of the course's source/ notebooks; without
  them the preprocessor refuses rather than guess.

Scores (set by GetGrades in the cells' metadata) and the student's own cells are
left as they are.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path

from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import List, Unicode

from threads101 import course as C
from threads101.grading import release
from threads101.outputs.outcomes import ANSI

HIDDEN = "(test code)"
#: The first line of an IPython traceback frame of a cell: IPython 8.x/9.x ("Cell In[12], line 5")
#: and older ("Input In [12]", "<ipython-input-12-...>").
CELL_FRAME = re.compile(r"^\s*(?:Cell In ?\[(\d+)\]|Input In ?\[(\d+)\]|<ipython-input-(\d+)-)")
#: The first line of a traceback frame of a file ("File /usr/lib/python3.11/threading.py:1119, in join").
FILE_FRAME = re.compile(r"^\s*File \S")


@lru_cache(maxsize=8)
def _hidden_lines(root: str, stamp: tuple) -> tuple[str, ...]:
    """The course's hidden-test lines, longest first (cached while source/ is unchanged)."""
    return tuple(sorted(release.hidden_test_lines(Path(root)), key=len, reverse=True))


def hidden_lines(root: Path) -> tuple[str, ...]:
    source = Path(root) / "source" / C.ASSIGNMENT
    notebooks = sorted(source.glob("*.ipynb")) if source.is_dir() else []
    if not notebooks:
        raise RuntimeError(f"{source} holds no source notebooks: safe feedback needs them to "
                           f"know the hidden tests (run nbgrader from the course directory)")
    stamp = tuple((p.name, p.stat().st_mtime_ns) for p in notebooks)
    return _hidden_lines(str(Path(root).resolve()), stamp)


def scrub(text: str, secret: tuple[str, ...]) -> str:
    """`text` with every hidden-test line in it replaced by "(test code)" (ANSI colours are
    dropped from a text that had one: a coloured line could hide one from the search)."""
    plain = ANSI.sub("", text)
    if not any(line in plain for line in secret):
        return text
    for line in secret:
        if line in plain:
            plain = plain.replace(line, HIDDEN)
    return plain


def visible_source(source: str) -> str:
    """A graded test cell's source as the student's release shows it."""
    return "\n".join(C.region(source, C.HIDDEN_BEGIN, C.HIDDEN_END, inside_markers=False)).rstrip()


def _frame_cell(entry: str) -> int | None | bool:
    """The execution count of the cell a traceback entry is a frame of; False for a file's
    frame; None for anything else (the separator line, the exception header, the message)."""
    first = ANSI.sub("", entry).lstrip("\n").split("\n", 1)[0]
    match = CELL_FRAME.match(first)
    if match:
        return int(next(g for g in match.groups() if g))
    if FILE_FRAME.match(first):
        return False
    return None


def clean_traceback(traceback: list[str], student_cells: set[int], secret: tuple[str, ...]) -> list[str]:
    """A traceback's entries with every frame of a cell other than the student's (a graded
    test's) reduced to one line; consecutive frames of one test cell become one line."""
    out = []
    for entry in traceback:
        cell = _frame_cell(entry)
        if cell is not None and cell is not False and cell not in student_cells:
            line = f"Cell In[{cell}], the graded test: {HIDDEN}"
            if not out or out[-1] != line:
                out.append(line)
        else:
            out.append(scrub(entry, secret))
    return out


def _scrub_data(value, secret):
    """A string, or every string in a JSON value (a list of lines, an explanation's dict)."""
    if isinstance(value, str):
        return scrub(value, secret)
    if isinstance(value, list):
        return [_scrub_data(v, secret) for v in value]
    if isinstance(value, dict):
        return type(value)((k, _scrub_data(v, secret)) for k, v in value.items())
    return value


def clean_output(output, student_cells: set[int], secret: tuple[str, ...]):
    kind = output.get("output_type")
    if kind == "error":
        output["evalue"] = scrub(str(output.get("evalue", "")), secret)
        output["traceback"] = clean_traceback(list(output.get("traceback", [])), student_cells, secret)
    elif kind == "stream":
        output["text"] = _scrub_data(output.get("text", ""), secret)
    elif kind in ("display_data", "execute_result"):
        data = output.get("data", {})
        for mime in list(data):
            if mime.startswith("text/") or mime.endswith("json") or mime.endswith("+xml"):
                data[mime] = _scrub_data(data[mime], secret)
    return output


class HideHiddenTests(NbGraderPreprocessor):
    """Feedback without hidden tests: visible parts of test cells, outputs without their lines."""

    #: The HTML exporter configures this for every nbconvert object; accepted and unused here
    #: (nbgrader's base class declares it without `config`, which would log a warning).
    display_data_priority = List([]).tag(config=True)

    course_root = Unicode(
        "", help="Course directory whose source/ notebooks hold the hidden tests (default: the "
                 "working directory, which nbgrader sets to CourseDirectory.root)").tag(config=True)

    def preprocess(self, nb, resources):
        secret = hidden_lines(Path(self.course_root or os.getcwd()))
        # The graded tests: cells worth points, and any graded cell with a hidden part. A
        # self-check (0 points, no hidden part) is shown whole by the release: its frames stay.
        tests = [cell for cell in nb.cells if C.is_graded_code(cell)
                 and (C.is_test(cell) or C.HIDDEN_BEGIN in cell.get("source", ""))]
        test_ids = {id(cell) for cell in tests}
        student_cells = {cell.get("execution_count") for cell in nb.cells
                         if cell.get("cell_type") == "code" and id(cell) not in test_ids
                         and cell.get("execution_count") is not None}
        student_cells -= {cell.get("execution_count") for cell in tests}
        for cell in nb.cells:
            if id(cell) in test_ids or (C.HIDDEN_BEGIN in cell.get("source", "")
                                        and not C.nbgrader_meta(cell).get("solution")):
                cell.source = visible_source(cell.source)
            if cell.get("cell_type") == "code":
                cell.outputs = [clean_output(out, student_cells, secret) for out in cell.get("outputs", [])]
        return nb, resources
