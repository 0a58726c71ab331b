"""Grade a whole class: prepare, execute in parallel, store.

For each submitted notebook of each student:

1. prepare (here, the coordinator): read it, refuse it with a clear message if
   it is malformed, and sanitize it with nbgrader's own preprocessors
   (restore the locked and test cells from the gradebook, clear outputs);
2. execute (a worker): `execute.execute_notebook`, the unit of grading, in a
   local process pool (`--jobs`) or on Dask workers (`--scheduler`);
3. store (here): what `nbgrader autograde` does after executing, with nbgrader's
   own preprocessors (grades, late penalties, autograded/ files), so the
   gradebook and the formgrader see a normal nbgrader course (threads101/store.py
   runs them on one gradebook connection, so the coordinator stays cheap).

One student's failure never stops the batch; a student whose files did not
change since the last run is not graded again unless `force`.
"""

from __future__ import annotations

import collections
import concurrent.futures as cf
import hashlib
import json
import multiprocessing
import os
import time
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path

import jsonschema
import nbformat
from nbgrader.nbgraderformat.common import SchemaMismatchError
from traitlets.config import Config, PyFileConfigLoader

from threads101 import __version__

from threads101.grading import store
from threads101 import course as C
from threads101.grading.execute import ExecutionResult, execute_notebook

STATE_DIR = ".threads101"
STATE_FILE = f"{STATE_DIR}/grading-state.json"
LOG_DIR = "logs"


# ---------------------------------------------------------------------------
# Configuration
# ---------------------------------------------------------------------------
def load_config(course: Path) -> Config:
    """The course's nbgrader_config.py, as nbgrader itself reads it."""
    loader = PyFileConfigLoader("nbgrader_config.py", path=str(course))
    cfg = loader.load_config()
    cfg.CourseDirectory.root = str(course)
    return cfg


def execution_settings(cfg: Config) -> dict:
    """The part of the config a worker needs to execute a notebook (no paths, no gradebook)."""
    keep = ("Execute", "KitExecute", "NotebookClient", "ExecutePreprocessor", "SandboxedKernelManager")
    return {k: dict(cfg[k]) for k in keep if k in cfg}


def db_url_of(cfg: Config, course: Path) -> str:
    return cfg.CourseDirectory.get("db_url") or f"sqlite:///{course / 'gradebook.db'}"


# ---------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------
@dataclass
class NotebookResult:
    notebook: str
    score: float = 0.0
    max_score: float = 0.0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)


@dataclass
class StudentResult:
    student: str
    notebooks: dict[str, NotebookResult] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0
    graded: bool = True  # False: unchanged since the last run, result taken from it
    pending_manual: int = 0

    @property
    def score(self) -> float:
        return sum(n.score for n in self.notebooks.values())

    @property
    def max_score(self) -> float:
        return sum(n.max_score for n in self.notebooks.values())

    @property
    def all_problems(self) -> list[str]:
        return self.problems + [f"{nb}: {p}" for nb, r in self.notebooks.items() for p in r.problems]

    @classmethod
    def from_dict(cls, data: dict) -> StudentResult:
        nbs = {k: NotebookResult(**v) for k, v in data.pop("notebooks").items()}
        return cls(notebooks=nbs, **data)


# ---------------------------------------------------------------------------
# Looking at a student's files
# ---------------------------------------------------------------------------
def read_roster(course: Path) -> set[str] | None:
    """Student ids listed in the course's roster.csv (first column `id`), if it has one."""
    path = Path(course) / "roster.csv"
    if not path.exists():
        return None
    import csv

    with path.open(newline="") as f:
        return {row["id"].strip() for row in csv.DictReader(f) if row.get("id")}


# ---------------------------------------------------------------------------
# ---------------------------------------------------------------------------
def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def inspect_submission(folder: Path, notebooks: list[str]) -> tuple[dict, list[str], dict[str, str]]:
    """(readable notebooks by name, problems, per-notebook problems) of a submitted folder."""
    good, problems, bad = {}, [], {}
    for name in notebooks:
        path = folder / f"{name}.ipynb"
        if not path.exists():
            bad[name] = "missing: not submitted (scored zero)"
            continue
        try:
            with warnings.catch_warnings():  # old files without cell ids are fine
                warnings.simplefilter("ignore")
                nb = nbformat.read(path, as_version=4)
                nbformat.validate(nb)
        except Exception as exc:
            reason = "not valid JSON" if "JSON" in str(exc) else type(exc).__name__
            bad[name] = f"malformed notebook file ({reason}): could not be graded, scored zero"
            continue
        good[name] = nb
    for path in sorted(folder.iterdir()):
        if path.name == "timestamp.txt" or path.name.startswith("."):
            continue
        if path.suffix == ".ipynb" and path.stem in notebooks:
            continue
        problems.append(f"extra file ignored: {path.name}")
    return good, problems, bad


def tampering_notes(nb, release) -> list[str]:
    """What a submission changed that grading puts back: deleted or edited read-only and
    test cells, another kernel. (nbgrader restores them; the instructor may want to know.)"""
    if release is None:
        return []
    notes = []
    submitted = {C.nbgrader_meta(c).get("grade_id"): c for c in nb.cells if C.nbgrader_meta(c)}
    deleted, edited = [], []
    for cell in release.cells:
        meta = C.nbgrader_meta(cell)
        if not meta.get("locked") or meta.get("solution"):
            continue
        gid = meta.get("grade_id")
        mine = submitted.get(gid)
        if mine is None:
            deleted.append(gid)
        elif mine.source.strip() != cell.source.strip():
            edited.append(gid)
    if deleted:
        notes.append(f"deleted read-only cells, put back for grading: {', '.join(deleted)}")
    if edited:
        notes.append(f"edited read-only cells, restored for grading: {', '.join(edited)}")
    kernel = nb.metadata.get("kernelspec", {}).get("name")
    expected = release.metadata.get("kernelspec", {}).get("name")
    if kernel and expected and kernel != expected:
        notes.append(f"asks for kernel {kernel!r}; graded with the course's kernel")
    return notes


# ---------------------------------------------------------------------------
# The grader
# ---------------------------------------------------------------------------
class Grader:
    def __init__(self, course: Path = C.REPO, jobs: int | None = None,
                 students: list[str] | None = None, force: bool = False,
                 scheduler: str | None = None, reporter=None, unsafe: bool = False,
                 execute=execute_notebook):
        C.ensure_tools_on_path()
        self.execute = execute  # the unit of grading (the benchmark swaps in a fixed sleep)
        self.course = Path(course).resolve()
        self.jobs = jobs or os.cpu_count() or 1
        self.only = set(students or [])
        self.force = force
        self.cfg = load_config(self.course)
        self.scheduler = scheduler or self.cfg.get("Threads101", {}).get("scheduler") or None
        self.db_url = db_url_of(self.cfg, self.course)
        self.settings = execution_settings(self.cfg)
        if unsafe:  # the instructor chose to grade without a sandbox where there is none
            self.settings.setdefault("SandboxedKernelManager", {})["allow_unsafe"] = True
        self.reporter = reporter
        self.state = self._load_state()
        self.grader_failures = 0
        self.roster = read_roster(self.course)
        self.notebooks = self._assignment_notebooks()
        self.source_digests = {nb: file_digest(self.course / "source" / C.ASSIGNMENT
                                               / f"{nb}.ipynb") for nb in self.notebooks}

    def _assignment_notebooks(self) -> list[str]:
        from nbgrader.api import Gradebook, MissingEntry

        with Gradebook(self.db_url) as gb:
            try:
                return sorted(nb.name for nb in gb.find_assignment(C.ASSIGNMENT).notebooks)
            except MissingEntry:
                raise SystemExit(f"the gradebook has no assignment {C.ASSIGNMENT!r}: "
                                 f"run `threads101 release` first") from None

    # -- state of earlier runs -------------------------------------------------
    def _load_state(self) -> dict:
        path = self.course / STATE_FILE
        try:
            return json.loads(path.read_text())
        except (OSError, ValueError):
            return {}

    def _save_state(self) -> None:
        path = self.course / STATE_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.state, indent=1, sort_keys=True))

    def _key(self, folder: Path) -> str:
        parts = [__version__, json.dumps(self.settings, sort_keys=True, default=str)]
        parts += [f"{n}:{d}" for n, d in sorted(self.source_digests.items())]
        for path in sorted(folder.iterdir()) if folder.exists() else []:
            if path.is_file():
                parts.append(f"{path.name}:{file_digest(path)}")
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:20]

    # -- steps -------------------------------------------------------------------
    def students(self) -> list[str]:
        root = self.course / "submitted"
        found = sorted(p.name for p in root.iterdir() if p.is_dir()) if root.exists() else []
        if self.only:
            missing = self.only - set(found)
            for s in sorted(missing):
                if self.reporter:
                    self.reporter.warn(f"{s}: no submission found")
            found = [s for s in found if s in self.only]
        return found

    def prepare(self, student: str, notebook: str, nb) -> tuple[str, list[str]]:
        """Sanitize a submitted notebook (read by inspect_submission) as nbgrader's
        autograde does. Returns its JSON and notes for the instructor about what had to be
        put right."""
        notes = tampering_notes(nb, self._release(notebook))
        nb = store.sanitize(nb, student, notebook, self.db_url, self.cfg)
        return json.dumps(nb), notes  # for our own worker: plain JSON, no validation pass

    def _release_prepares(self, student: str, notebook: str) -> bool:
        """Does the unchanged student release of `notebook` prepare without error? Then
        preparing the submission failed because of its edits (a graded cell's id changed,
        added or duplicated, a test cell un-graded...): the notebook's problem, not the
        grader's, or a submission could keep itself from ever being graded."""
        release = self._release(notebook)
        try:
            store.sanitize(nbformat.from_dict(release), student, notebook, self.db_url, self.cfg)
        except Exception:
            return False
        return release is not None

    def _release(self, notebook: str):
        cache = self.__dict__.setdefault("_releases", {})
        if notebook not in cache:
            try:
                cache[notebook] = C.release_notebook(notebook, self.course)
            except OSError:
                cache[notebook] = None
        return cache[notebook]

    # -- the whole batch -----------------------------------------------------------
    def run(self) -> list[StudentResult]:
        results: dict[str, StudentResult] = {}
        work: dict[str, dict] = {}
        for student in self.students():
            folder = self.course / "submitted" / student / C.ASSIGNMENT
            result = StudentResult(student)
            results[student] = result
            if not C.valid_student_id(student):
                result.problems.append("invalid student id (letters, digits, . _ - only): not graded")
                result.graded = False
                continue
            if self.roster is not None and student not in self.roster:
                result.problems.append("unknown student id: not on the roster (roster.csv); "
                                       "graded anyway, check the id")
            if not folder.is_dir():
                result.problems.append(f"no {C.ASSIGNMENT}/ folder in the submission: not graded")
                result.graded = False
                continue
            key = self._key(folder)
            previous = self.state.get(student)
            if not self.force and previous and previous.get("key") == key:
                results[student] = StudentResult.from_dict(dict(previous["result"]))
                results[student].graded = False
                continue
            work[student] = {"key": key, "folder": folder}

        if self.reporter:
            self.reporter.start(total=len(work), skipped=len(results) - len(work))
        if work:
            self.shared = store.SharedGradebook(self.db_url)
            try:
                with self.shared.installed():
                    self._execute_all(work, results)
            finally:
                self.shared.close()
        self._save_state()
        if self.reporter:
            self.reporter.finish()
        return [results[s] for s in sorted(results)]

    def _open(self, student: str, item: dict, result: StudentResult) -> None:
        """Read a student's notebooks, just before their grading starts."""
        good, problems, bad = inspect_submission(item["folder"], self.notebooks)
        result.problems += problems
        for name, message in bad.items():
            result.notebooks[name] = NotebookResult(name, problems=[message])
        item.update(good=good, todo=set(good), executed={}, notes={})

    def _execute_all(self, work: dict, results: dict) -> None:
        """Prepare, execute and store, with a bounded number of notebooks in flight: the
        coordinator reads a student's files only when their turn comes, so memory does
        not grow with the size of the class."""
        executor = self._executor()
        students, tasks = collections.deque(work), collections.deque()
        in_flight: dict = {}
        try:
            while students or tasks or in_flight:
                while len(in_flight) < self._window(executor) and (students or tasks):
                    if not tasks:
                        student = students.popleft()
                        self._open(student, work[student], results[student])
                        tasks.extend((student, name) for name in work[student]["good"])
                        if not work[student]["todo"]:
                            self._finish_student(student, work[student], results[student])
                        continue
                    student, name = tasks.popleft()
                    item = work[student]
                    try:
                        prepared, item["notes"][name] = self.prepare(student, name,
                                                                     item["good"].pop(name))
                    except Exception as exc:
                        if (isinstance(exc, NOTEBOOK_ERRORS)  # the submitted file is broken
                                or self._release_prepares(student, name)):  # or its edits
                            problem = (f"could not be prepared for grading: its nbgrader "
                                       f"metadata is invalid ({exc}) (scored zero)")
                        else:  # a bug of ours, or the gradebook: not the student's fault
                            item["grader_failed"] = True
                            problem = f"the grader failed preparing it: {type(exc).__name__}: {exc}"
                        results[student].notebooks[name] = NotebookResult(name, problems=[problem])
                        item["todo"].discard(name)
                        if not item["todo"]:
                            self._finish_student(student, item, results[student])
                        continue
                    in_flight[self._submit(executor, prepared, f"{student}/{name}")] = (
                        student, name, prepared)
                if in_flight:
                    for future in _first_completed(executor, list(in_flight)):
                        self._collect(future, *in_flight.pop(future), work, results)
        finally:
            _shutdown(executor)

    def _collect(self, future, student: str, name: str, prepared: str, work: dict,
                 results: dict) -> None:
        item, result = work[student], results[student]
        try:
            outcome: ExecutionResult = future.result()
        except Exception as exc:  # the worker itself failed
            outcome = ExecutionResult(prepared, 0.0, [f"the grading worker failed: "
                                                      f"{type(exc).__name__}: {exc}"], True)
        if outcome.grader_failed:
            item["grader_failed"] = True
        else:  # our own worker's output: no need to validate it again
            item["executed"][name] = nbformat.from_dict(json.loads(outcome.notebook))
        result.notebooks[name] = NotebookResult(
            name, seconds=outcome.seconds,
            problems=item["notes"].get(name, []) + list(outcome.problems))
        item["todo"].discard(name)
        if not item["todo"]:
            self._finish_student(student, item, result)

    def _window(self, executor) -> int:
        """How many notebooks to keep in flight: enough to keep every worker busy."""
        if not self.scheduler:
            return 2 * self.jobs
        now = time.monotonic()
        if now - getattr(self, "_window_at", 0.0) > 2.0:  # workers come and go; look again
            self._window_at = now
            self._window_size = 2 * max(1, len(executor.scheduler_info().get("workers", {}))) + 2
        return self._window_size

    def _finish_student(self, student: str, item: dict, result: StudentResult) -> None:
        if item.get("grader_failed"):  # not the student's fault: store nothing, retry next run
            result.graded = False
            result.problems.insert(0, "NOT GRADED: the grader failed (not the student's "
                                      "fault); run grade again once fixed")
            self.grader_failures += 1
            if self.reporter:
                self.reporter.student_done(result)
            return
        log_lines = [f"student {student}, graded by threads101 {__version__}"]
        final, scores = {}, []
        try:
            stamp = item["folder"] / "timestamp.txt"
            final, scores = store.store(self.shared, self.cfg, self.course, student,
                                        item["executed"], self.notebooks,
                                        stamp.read_text().strip() if stamp.exists() else None)
            log_lines.append(f"stored: {', '.join(sorted(final)) or 'no notebook'} graded, "
                             f"the others scored zero")
        except NOTEBOOK_ERRORS as exc:  # nbgrader refused the notebook's metadata
            result.problems.append(f"the grades could not be stored: invalid nbgrader metadata "
                                   f"({str(exc).strip().splitlines()[0]})")
            log_lines.append(str(exc))
        except Exception as exc:  # the gradebook or a bug of ours: not the student's fault
            item["grader_failed"] = True
            result.problems.append(f"the grader failed storing the grades: "
                                   f"{type(exc).__name__}: {exc}")
            return self._finish_student(student, item, result)
        for cell in scores:
            nb_result = result.notebooks.setdefault(cell.notebook, NotebookResult(cell.notebook))
            nb_result.max_score += cell.max_score
            if cell.score is None:
                result.pending_manual += 1
            else:
                nb_result.score += cell.score
        result.seconds = sum(n.seconds for n in result.notebooks.values())
        log_lines += result.problems
        for name, nb_result in sorted(result.notebooks.items()):
            log_lines.append(f"\n== {name}: {nb_result.score:g}/{nb_result.max_score:g}, "
                             f"{nb_result.seconds:.1f} s; " + "; ".join(nb_result.problems or ["ok"]))
            if name in final:
                log_lines += failed_tests(final[name])
        log = self.course / LOG_DIR / f"{student}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text("\n".join(log_lines) + "\n")
        item.pop("executed", None)
        self.state[student] = {"key": item["key"], "result": asdict(result)}
        if self.reporter:
            self.reporter.student_done(result)

    def _executor(self):
        """Where notebooks execute: a local process pool, or the workers of a Dask cluster."""
        if self.scheduler:
            from distributed import Client

            client = Client(self.scheduler, timeout=30)
            client.wait_for_workers(1, timeout=120)
            return client
        return cf.ProcessPoolExecutor(max_workers=self.jobs,
                                      mp_context=multiprocessing.get_context("spawn"))

    def _submit(self, executor, prepared: str, name: str):
        if self.scheduler:  # a unique key: two identical notebooks are still graded twice
            key = f"threads101-{name}-{hashlib.sha1(os.urandom(8)).hexdigest()[:10]}"
            return executor.submit(self.execute, prepared, self.settings, key=key, pure=False)
        return executor.submit(self.execute, prepared, self.settings)


def _first_completed(executor, futures: list) -> set:
    """Wait until at least one future is done; returns the done ones."""
    if hasattr(executor, "scheduler_info"):  # a dask.distributed Client
        from distributed import wait

        return wait(futures, return_when="FIRST_COMPLETED").done
    return cf.wait(futures, return_when=cf.FIRST_COMPLETED).done


#: Exceptions that mean a submitted notebook is broken (not the grader).
NOTEBOOK_ERRORS = (nbformat.ValidationError, jsonschema.ValidationError, SchemaMismatchError)


def failed_tests(nb) -> list[str]:
    """The failed graded cells of an autograded notebook, with their messages."""
    from threads101.outputs.feedback import error_message

    lines = []
    for cell in nb.cells:
        if C.is_graded_code(cell):
            message = error_message(cell.get("outputs", []))
            if message:
                lines.append(f"-- {C.nbgrader_meta(cell)['grade_id']} failed:")
                lines += ["   " + line for line in message.splitlines()]
    return lines


def _shutdown(executor) -> None:
    if hasattr(executor, "scheduler_info"):
        executor.close()
    else:
        executor.shutdown(wait=True, cancel_futures=True)


def grade(course: Path = C.REPO, **kwargs) -> list[StudentResult]:
    return Grader(course, **kwargs).run()


def load_results(course: Path = C.REPO) -> dict[str, StudentResult]:
    """The results of the latest grading run of each student (from the grading state)."""
    try:
        state = json.loads((Path(course) / STATE_FILE).read_text())
    except (OSError, ValueError):
        return {}
    return {s: StudentResult.from_dict(dict(v["result"])) for s, v in state.items()}
