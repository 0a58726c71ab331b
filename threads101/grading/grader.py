"""Grade a whole class: prepare, execute in parallel, store.

For each submitted notebook of each student:

1. prepare (here, the coordinator): read it (threads101.grading.submissions),
   refuse it with a clear message if it is malformed, and sanitize it with
   nbgrader's own preprocessors (restore the locked and test cells from the
   gradebook, clear outputs);
2. execute (a worker): `execute.execute_notebook`, the unit of grading, on a
   backend (threads101.grading.backends): a local process pool (`--jobs`) or
   Dask workers (`--scheduler`);
3. store (here): what `nbgrader autograde` does after executing, with nbgrader's
   own preprocessors (grades, late penalties, autograded/ files), so the
   gradebook and the formgrader see a normal nbgrader course
   (threads101.grading.store runs them on one gradebook connection, so the
   coordinator stays cheap).

One student's failure never stops the batch; a student whose files did not
change since the last run (threads101.grading.state) is not graded again
unless `force`.
"""

from __future__ import annotations

import collections
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import jsonschema
import nbformat
from nbgrader.nbgraderformat.common import SchemaMismatchError

from threads101 import __version__
from threads101 import course as C
from threads101.course import Course
from threads101.grading import store
from threads101.grading.backends import DaskPool, LocalPool
from threads101.grading.execute import ExecutionResult, execute_notebook
from threads101.grading.results import NotebookResult, StudentResult
from threads101.grading.state import GradingState, load_results, submission_key
from threads101.grading.submissions import file_digest, inspect_submission, tampering_notes

__all__ = ["Grader", "NotebookResult", "StudentResult", "load_results", "LOG_DIR"]

LOG_DIR = "logs"

#: Exceptions that mean a submitted notebook is broken (not the grader).
NOTEBOOK_ERRORS = (nbformat.ValidationError, jsonschema.ValidationError, SchemaMismatchError)


@dataclass
class StudentWork:
    """One student's grading while it is under way."""

    student: str
    key: str
    folder: Path
    result: StudentResult
    readable: dict[str, nbformat.NotebookNode] = field(default_factory=dict)  # not yet prepared
    todo: set[str] = field(default_factory=set)  # notebooks not back yet
    executed: dict[str, nbformat.NotebookNode] = field(default_factory=dict)
    notes: dict[str, list[str]] = field(default_factory=dict)  # per notebook, for the instructor
    grader_failed: bool = False

    def settle(self, name: str, outcome: NotebookResult) -> bool:
        """Record a notebook's end; True once the student has no notebook left in flight."""
        self.result.notebooks[name] = outcome
        self.todo.discard(name)
        return not self.todo


class Grader:
    """Grades the submissions of a course directory (`run()`)."""

    def __init__(self, course: Path | Course = ".", jobs: int | None = None,
                 students: list[str] | None = None, force: bool = False,
                 scheduler: str | None = None, reporter=None, unsafe: bool = False,
                 execute=execute_notebook):
        C.ensure_tools_on_path()
        self.info = course if isinstance(course, Course) else Course(course)
        self.course = self.info.root
        self.cfg = self.info.config
        self.db_url = self.info.db_url
        self.execute = execute  # the unit of grading (the benchmark swaps in a fixed sleep)
        self.jobs = jobs or self.info.settings.jobs or os.cpu_count() or 1
        self.only = set(students or [])
        self.force = force
        self.scheduler = scheduler or self.info.settings.scheduler or None
        self.settings = self.info.execution_settings()
        if unsafe:  # the instructor chose to grade without a sandbox where there is none
            self.settings.setdefault("SandboxedKernelManager", {})["allow_unsafe"] = True
        self.reporter = reporter
        self.state = GradingState(self.course)
        self.grader_failures = 0
        self.roster = self.info.roster()
        self.notebooks = self._assignment_notebooks()
        self.source_digests = {nb: file_digest(self.course / "source" / C.ASSIGNMENT
                                               / f"{nb}.ipynb") for nb in self.notebooks}
        self.releases = {nb: self._read_release(nb) for nb in self.notebooks}
        self.gradebook: store.SharedGradebook | None = None
        self.results: list[StudentResult] = []  # of the latest run()

    def _assignment_notebooks(self) -> list[str]:
        from nbgrader.api import Gradebook, MissingEntry

        with Gradebook(self.db_url) as gb:
            try:
                return sorted(nb.name for nb in gb.find_assignment(C.ASSIGNMENT).notebooks)
            except MissingEntry:
                raise C.CourseError(f"the gradebook ({self.db_url}) has no assignment "
                                    f"{C.ASSIGNMENT!r}: run `threads101 release` first") from None

    def _read_release(self, notebook: str):
        try:
            return C.release_notebook(notebook, self.course)
        except OSError:
            return None

    # -- choosing who is graded ------------------------------------------------------
    def students(self) -> list[str]:
        root = self.course / "submitted"
        found = sorted(p.name for p in root.iterdir() if p.is_dir()) if root.exists() else []
        if self.only:
            for s in sorted(self.only - set(found)):
                if self.reporter:
                    self.reporter.warn(f"{s}: no submission found")
            found = [s for s in found if s in self.only]
        return found

    def _triage(self, student: str) -> StudentResult | StudentWork:
        """A result at once (not graded, or unchanged since the last run), or work to do."""
        folder = self.course / "submitted" / student / C.ASSIGNMENT
        result = StudentResult(student)
        if not C.valid_student_id(student):
            result.problems.append("invalid student id (letters, digits, . _ - only): not graded")
            result.graded = False
            return result
        if self.roster is not None and student not in self.roster:
            result.problems.append("unknown student id: not on the roster (roster.csv); "
                                   "graded anyway, check the id")
        if not folder.is_dir():
            result.problems.append(f"no {C.ASSIGNMENT}/ folder in the submission: not graded")
            result.graded = False
            return result
        key = submission_key(folder, self.settings, self.source_digests)
        previous = None if self.force else self.state.unchanged(student, key)
        return previous or StudentWork(student, key, folder, result)

    # -- preparing ---------------------------------------------------------------------
    def prepare(self, student: str, notebook: str, nb) -> tuple[str, list[str]]:
        """Sanitize a submitted notebook as nbgrader's autograde does. Returns its JSON and
        notes for the instructor about what had to be put right."""
        notes = tampering_notes(nb, self.releases.get(notebook))
        nb = store.sanitize(nb, student, notebook, self.db_url, self.cfg)
        return json.dumps(nb), notes  # for our own worker: plain JSON, no validation pass

    def _release_prepares(self, student: str, notebook: str) -> bool:
        """Does the unchanged student release of `notebook` prepare without error? Then
        preparing the submission failed because of its edits (a graded cell's id changed,
        added or duplicated, a test cell un-graded...): the notebook's problem, not the
        grader's, or a submission could keep itself from ever being graded."""
        release = self.releases.get(notebook)
        if release is None:
            return False
        try:
            store.sanitize(nbformat.from_dict(release), student, notebook, self.db_url, self.cfg)
        except Exception:
            return False
        return True

    def _open(self, work: StudentWork) -> None:
        """Read a student's notebooks, just before their grading starts."""
        readable, problems, bad = inspect_submission(work.folder, self.notebooks)
        work.result.problems += problems
        for name, message in bad.items():
            work.result.notebooks[name] = NotebookResult(name, problems=[message])
        work.readable, work.todo = readable, set(readable)

    def _prepare_one(self, work: StudentWork, name: str) -> str | None:
        """The prepared JSON of one notebook, or None when it cannot be graded (recorded)."""
        try:
            prepared, work.notes[name] = self.prepare(work.student, name, work.readable.pop(name))
            return prepared
        except Exception as exc:
            if isinstance(exc, NOTEBOOK_ERRORS) or self._release_prepares(work.student, name):
                # the submitted file is broken, or its edits are
                problem = (f"could not be prepared for grading: its nbgrader "
                           f"metadata is invalid ({exc}) (scored zero)")
            else:  # a bug of ours, or the gradebook: not the student's fault
                work.grader_failed = True
                problem = f"the grader failed preparing it: {type(exc).__name__}: {exc}"
            if work.settle(name, NotebookResult(name, problems=[problem])):
                self._finish(work)
            return None

    # -- the whole batch -----------------------------------------------------------------
    def run(self) -> list[StudentResult]:
        results: dict[str, StudentResult] = {}
        work: dict[str, StudentWork] = {}
        for student in self.students():
            triaged = self._triage(student)
            if isinstance(triaged, StudentWork):
                work[student] = triaged
                results[student] = triaged.result
            else:
                results[student] = triaged
        if self.reporter:
            self.reporter.start(total=len(work), skipped=len(results) - len(work))
        if work:
            self.gradebook = store.SharedGradebook(self.db_url)
            try:
                with self.gradebook.installed():
                    self._execute_all(list(work.values()))
            finally:
                self.gradebook.close()
        self.state.save()
        if self.reporter:
            self.reporter.finish()
        self.results = [results[s] for s in sorted(results)]
        return self.results

    def _backend(self):
        if self.scheduler:
            return DaskPool(self.execute, self.settings, self.scheduler)
        return LocalPool(self.execute, self.settings, self.jobs)

    def _execute_all(self, work: list[StudentWork]) -> None:
        """Prepare, execute and store, with a bounded number of notebooks in flight: the
        coordinator reads a student's files only when their turn comes, so memory does
        not grow with the size of the class."""
        backend = self._backend()
        waiting, tasks = collections.deque(work), collections.deque()
        in_flight: dict = {}
        try:
            while waiting or tasks or in_flight:
                while len(in_flight) < backend.window() and (waiting or tasks):
                    if not tasks:
                        student = waiting.popleft()
                        self._open(student)
                        tasks.extend((student, name) for name in student.readable)
                        if not student.todo:
                            self._finish(student)
                        continue
                    student, name = tasks.popleft()
                    prepared = self._prepare_one(student, name)
                    if prepared is not None:
                        future = backend.submit(prepared, f"{student.student}/{name}")
                        in_flight[future] = (student, name, prepared)
                if in_flight:
                    for future in backend.wait(list(in_flight)):
                        self._collect(future, *in_flight.pop(future))
        finally:
            backend.close()

    def _collect(self, future, work: StudentWork, name: str, prepared: str) -> None:
        try:
            outcome: ExecutionResult = future.result()
        except Exception as exc:  # the worker itself failed
            outcome = ExecutionResult(prepared, 0.0, [f"the grading worker failed: "
                                                      f"{type(exc).__name__}: {exc}"], True)
        if outcome.grader_failed:
            work.grader_failed = True
        else:  # our own worker's output: no need to validate it again
            work.executed[name] = nbformat.from_dict(json.loads(outcome.notebook))
        done = work.settle(name, NotebookResult(
            name, seconds=outcome.seconds, problems=work.notes.get(name, []) + list(outcome.problems)))
        if done:
            self._finish(work)

    # -- storing -------------------------------------------------------------------------
    def _finish(self, work: StudentWork) -> None:
        """Store a student whose notebooks are all back, write their log and state."""
        result = work.result
        final: dict = {}
        if not work.grader_failed:
            try:
                final = self._store(work)
            except NOTEBOOK_ERRORS as exc:  # nbgrader refused the notebook's metadata
                result.problems.append(f"the grades could not be stored: invalid nbgrader "
                                       f"metadata ({str(exc).strip().splitlines()[0]})")
            except Exception as exc:  # the gradebook or a bug of ours: not the student's fault
                work.grader_failed = True
                result.problems.append(f"the grader failed storing the grades: "
                                       f"{type(exc).__name__}: {exc}")
        if work.grader_failed:  # not the student's fault: store nothing, retry next run
            result.graded = False
            result.problems.insert(0, "NOT GRADED: the grader failed (not the student's "
                                      "fault); run grade again once fixed")
            self.grader_failures += 1
        else:
            result.seconds = sum(n.seconds for n in result.notebooks.values())
            self._write_log(work, final)
            self.state.record(work.key, result)
        work.executed.clear()
        if self.reporter:
            self.reporter.student_done(result)

    def _store(self, work: StudentWork) -> dict:
        """nbgrader's bookkeeping for the student; adds the scores to their result."""
        stamp = work.folder / "timestamp.txt"
        final, scores = store.store(self.gradebook, self.cfg, self.course, work.student,
                                    work.executed, self.notebooks,
                                    stamp.read_text().strip() if stamp.exists() else None)
        result = work.result
        for cell in scores:
            nb_result = result.notebooks.setdefault(cell.notebook, NotebookResult(cell.notebook))
            nb_result.max_score += cell.max_score
            if cell.score is None:
                result.pending_manual += 1
            else:
                nb_result.score += cell.score
        return final

    def _write_log(self, work: StudentWork, final: dict) -> None:
        result = work.result
        lines = [f"student {work.student}, graded by threads101 {__version__}",
                 f"stored: {', '.join(sorted(final)) or 'no notebook'} graded, the others scored zero"]
        lines += result.problems
        for name, nb_result in sorted(result.notebooks.items()):
            lines.append(f"\n== {name}: {nb_result.score:g}/{nb_result.max_score:g}, "
                         f"{nb_result.seconds:.1f} s; " + "; ".join(nb_result.problems or ["ok"]))
            if name in final:
                lines += failed_tests(final[name])
        log = self.course / LOG_DIR / f"{work.student}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text("\n".join(lines) + "\n")


def failed_tests(nb) -> list[str]:
    """The failed graded tests of an autograded notebook, with their messages (a 0-point
    self-check is no test: it cannot fail one)."""
    from threads101.outputs.outcomes import error_message

    lines = []
    for cell in nb.cells:
        if C.is_test(cell):
            message = error_message(cell.get("outputs", []))
            if message:
                lines.append(f"-- {C.nbgrader_meta(cell)['grade_id']} failed:")
                lines += ["   " + line for line in message.splitlines()]
    return lines
