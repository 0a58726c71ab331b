"""The course's layout and its notebooks: paths, exercises, and nbgrader commands.

Everything else in the package works on a *course directory*: a folder laid
out like this repository (nbgrader_config.py, source/, release/, ...): the
current directory by default, as for nbgrader itself. `Course` reads its
nbgrader_config.py once and answers every question about it (the gradebook's
URL, the kit's settings, the roster, the preprocessor lists nbgrader's
autograde uses). Tests and the demo use a temporary copy, so the repository
itself stays clean.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

#: Where the package was loaded from, for the developer tools and tests that work on this
#: repository's own course (source/, samples/, tests/). The installed kit never uses it as a
#: default: commands work on the current directory or --course.
REPO = Path(__file__).resolve().parent.parent
ASSIGNMENT = "threads101"

#: Notebook -> the contract's names it grades, and the grade_id of each one's solution cell.
EXERCISES: dict[str, dict[str, str]] = {
    "01_threads_and_join": {"run_in_threads": "run_in_threads", "threaded_count": "threaded_count"},
    "02_race_conditions_and_locks": {"Counter": "counter", "transfer": "transfer"},
    "03_pipelines": {"Pipeline": "pipeline", "run_pipeline": "run_pipeline"},
    "04_queue_timeouts": {
        "consume_until_idle": "consume_until_idle",
        "consume_until_sentinel": "consume_until_sentinel",
        "run_consumers": "run_consumers",
    },
    "05_downloads": {"download_all": "download_all"},
    "06_events_and_conditions": {"Latch": "latch", "start_ticker": "start_ticker"},
    "07_limits_and_phases": {"bounded_map": "bounded_map", "run_rounds": "run_rounds"},
    "08_executors_and_futures": {"run_all": "run_all"},
}
NOTEBOOKS = list(EXERCISES)
#: grade_id of a solution cell -> notebook
SOLUTION_IDS = {gid: nb for nb, names in EXERCISES.items() for gid in names.values()}
#: Every exercise is followed by a self-check cell, `<solution grade_id>_selfcheck`: an
#: autograded test cell worth 0 points (grade: true, points: 0, locked). Graded, so that
#: nbgrader's Validate runs it and reports it when it fails (it judges only graded cells, and
#: the release's test cells hold nothing but a comment); worth nothing, so that it changes no
#: score (under autograde it is skipped: `threads101.kernel.selfcheck`).
SELFCHECK_SUFFIX = "_selfcheck"
#: grade_id of a self-check cell -> notebook
SELFCHECK_IDS = {gid + SELFCHECK_SUFFIX: nb for gid, nb in SOLUTION_IDS.items()}

SOLUTION_BEGIN, SOLUTION_END = "### BEGIN SOLUTION", "### END SOLUTION"
HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
COURSE_FILES = ["nbgrader_config.py", "source", "release"]


def exercise_of(grade_id: str) -> str | None:
    """The exercise (solution grade_id) a graded cell belongs to: `counter_atomic` -> `counter`
    (its self-check `counter_selfcheck` too)."""
    best = None
    for gid in SOLUTION_IDS:
        if (grade_id == gid or grade_id.startswith(gid + "_")) and len(gid) > len(best or ""):
            best = gid
    return best


def nbgrader_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def is_graded_code(cell) -> bool:
    """An autograded test cell (what nbgrader grades and Validate judges), the 0-point
    self-checks included: `is_test` is the cells that carry points."""
    meta = nbgrader_meta(cell)
    return cell.get("cell_type") == "code" and bool(meta.get("grade")) and not meta.get("solution")


def points(cell) -> float:
    """The points a graded cell is worth (0 for a cell that is not graded)."""
    meta = nbgrader_meta(cell)
    try:
        return float(meta.get("points") or 0) if meta.get("grade") else 0.0
    except (TypeError, ValueError):
        return 0.0


def is_test(cell) -> bool:
    """A graded test of the course: an autograded test cell worth points. A 0-point graded
    cell (a self-check) changes no score: it is no test of the grade, only of Validate."""
    return is_graded_code(cell) and points(cell) > 0


def is_selfcheck(cell_or_grade_id) -> bool:
    """A self-check cell (by its grade_id: `<exercise>_selfcheck`)."""
    gid = (cell_or_grade_id if isinstance(cell_or_grade_id, str)
           else nbgrader_meta(cell_or_grade_id).get("grade_id"))
    return bool(gid) and gid in SELFCHECK_IDS


def strip_markers(source: str) -> str:
    """The instructor's solution as a student would write it (markers removed)."""
    return "\n".join(line for line in source.splitlines()
                     if line.strip() not in (SOLUTION_BEGIN, SOLUTION_END))


def source_notebook(notebook: str, root: Path = REPO):
    return nbformat.read(root / "source" / ASSIGNMENT / f"{notebook}.ipynb", as_version=4)


def release_notebook(notebook: str, root: Path = REPO):
    return nbformat.read(root / "release" / ASSIGNMENT / f"{notebook}.ipynb", as_version=4)


def _answers(notebook: str, root: Path, cell_type: str) -> dict[str, str]:
    out = {}
    for cell in source_notebook(notebook, root).cells:
        meta = nbgrader_meta(cell)
        if meta.get("solution") and cell.cell_type == cell_type:
            out[meta["grade_id"]] = strip_markers(cell.source)
    return out


def solutions(notebook: str, root: Path = REPO) -> dict[str, str]:
    """grade_id -> instructor solution code (without markers), for the notebook's code solutions."""
    return _answers(notebook, root, "code")


def written_answers(notebook: str, root: Path = REPO) -> dict[str, str]:
    """grade_id -> model answer of the notebook's written (markdown) questions."""
    return _answers(notebook, root, "markdown")


def filled_release(notebook: str, overrides: dict[str, str] | None = None, root: Path = REPO,
                   with_answers: bool = True):
    """The student release of `notebook` with every exercise solved as the instructor did,
    except the solution cells named in `overrides` (grade_id -> code), which get that code."""
    overrides = overrides or {}
    nb = release_notebook(notebook, root)
    code = solutions(notebook, root)
    answers = written_answers(notebook, root) if with_answers else {}
    for cell in nb.cells:
        gid = nbgrader_meta(cell).get("grade_id")
        if gid in overrides:
            cell.source = overrides[gid]
        elif gid in code and cell.cell_type == "code":
            cell.source = code[gid]
        elif gid in answers:
            cell.source = answers[gid]
    return nb


# ---------------------------------------------------------------------------
# Course directories and nbgrader commands
# ---------------------------------------------------------------------------
def tool_env(extra: dict | None = None) -> dict:
    """Environment for nbgrader subprocesses: this Python's bin first (nbgrader runs `alembic`).

    Everything else is passed on as it is, THREADS101_DB_URL included: nbgrader_config.py
    reads the gradebook's URL from it, and every nbgrader command must see the same one."""
    env = dict(os.environ)
    bindir = os.path.dirname(sys.executable)
    env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
    env.pop("NBGRADER_EXECUTION", None)
    if extra:
        env.update(extra)
    return env


def ensure_tools_on_path() -> None:
    """nbgrader runs the `alembic` command when it creates a gradebook: make sure this
    Python's bin directory (the virtualenv's) is on PATH."""
    bindir = os.path.dirname(sys.executable)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")


def nbgrader(course: Path, *args: str, check: bool = True, timeout: float | None = None,
             env: dict | None = None) -> subprocess.CompletedProcess:
    """Run `nbgrader <args>` in a course directory; returns the finished process."""
    cmd = [sys.executable, "-m", "nbgrader", *args]
    proc = subprocess.run(cmd, cwd=course, env=tool_env(env), capture_output=True, text=True,
                          timeout=timeout)
    if check and proc.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} failed ({proc.returncode}):\n"
                           f"{proc.stdout[-3000:]}\n{proc.stderr[-6000:]}")
    return proc


def copy_course(dest: Path, root: Path = REPO) -> Path:
    """A fresh course directory at `dest` with this course's config, source and release."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    for name in COURSE_FILES:
        src = root / name
        if src.is_dir():
            shutil.copytree(src, dest / name, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
        else:
            shutil.copy2(src, dest / name)
    return dest


def generate(course: Path) -> None:
    """`nbgrader generate_assignment`: writes release/ and records the assignment in the gradebook."""
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")


_GENERATED: dict[tuple, Path] = {}


def generated_copy(dest: Path, root: Path = REPO) -> Path:
    """`copy_course` + `generate`, with generate_assignment run once per process and source:
    later calls copy that first course (its release/ and SQLite gradebook included).
    For tests and developer tools, which make many identical courses."""
    import atexit
    import hashlib
    import tempfile

    digest = hashlib.sha256()
    for path in sorted((Path(root) / "source").rglob("*")) + [Path(root) / "nbgrader_config.py"]:
        if path.is_file():
            digest.update(path.name.encode() + path.read_bytes())
    key = (str(Path(root).resolve()), digest.hexdigest())
    template = _GENERATED.get(key)
    if template is None or not (template / "gradebook.db").exists():
        scratch = Path(tempfile.mkdtemp(prefix="threads101-generated-"))
        atexit.register(shutil.rmtree, scratch, True)
        template = copy_course(scratch / "course", root)
        generate(template)
        _GENERATED[key] = template
    shutil.copytree(template, dest, dirs_exist_ok=True)
    return Path(dest)


def submit(course: Path, student: str, notebooks: dict[str, nbformat.NotebookNode]) -> Path:
    """Place a student's notebooks where nbgrader expects submissions."""
    folder = Path(course) / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True, exist_ok=True)
    for name, nb in notebooks.items():
        nbformat.write(nb, folder / f"{name}.ipynb")
    return folder


_STUDENT_ID = re.compile(r"^[A-Za-z0-9_.-]+$")


def valid_student_id(student: str) -> bool:
    return bool(_STUDENT_ID.match(student)) and not student.startswith(".")


def region(source: str, begin: str, end: str, inside_markers: bool = True) -> list[str]:
    """The lines between two marker lines of a cell (indentation kept), or with
    inside_markers=False the lines outside them (markers never included)."""
    out, inside = [], False
    for line in source.splitlines():
        if line.strip() == begin:
            inside = True
        elif line.strip() == end:
            inside = False
        elif inside == inside_markers:
            out.append(line)
    return out


def hidden_code(source: str) -> str:
    """The code between the hidden-test markers of a cell, indentation kept."""
    return "\n".join(region(source, HIDDEN_BEGIN, HIDDEN_END))


def top_level_names(code: str) -> set[str]:
    """Names a piece of code binds at module level (imports excepted)."""
    import ast

    names = set()
    for node in ast.parse(code).body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            continue
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            continue
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                names.add(sub.id)
            elif isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                break
    return names


# ---------------------------------------------------------------------------
# One course directory, its configuration read once.
# ---------------------------------------------------------------------------
class Course:
    """A course directory and its nbgrader_config.py, loaded once.

    Every stage asks this object, never the file: the gradebook's URL (nbgrader's
    `CourseDirectory.db_url`, which the course's config takes from THREADS101_DB_URL),
    the kit's settings (`threads101.config.Threads101`), the roster, and the parts of the
    config a grading worker needs.
    """

    #: Config sections a worker needs to execute a notebook (no paths, no gradebook).
    EXECUTION_SECTIONS = ("Execute", "KitExecute", "NotebookClient", "ExecutePreprocessor",
                          "SandboxedKernelManager")

    def __init__(self, root: Path | str = "."):
        self.root = Path(root).resolve()
        if not (self.root / "nbgrader_config.py").is_file():
            raise CourseError(f"{self.root} is not a course directory (no nbgrader_config.py); "
                              f"run from the course folder or pass --course DIR")
        from traitlets.config import PyFileConfigLoader

        from threads101.config import Threads101

        self.config = PyFileConfigLoader("nbgrader_config.py", path=str(self.root)).load_config()
        self.config.CourseDirectory.root = str(self.root)
        self.settings = Threads101(config=self.config)
        self.db_url: str = (self.config.CourseDirectory.get("db_url")
                            or f"sqlite:///{self.root / 'gradebook.db'}")

    # -- paths ------------------------------------------------------------------
    def path(self, *parts: str) -> Path:
        return self.root.joinpath(*parts)

    @property
    def submitted(self) -> Path:
        return self.root / "submitted"

    def release_notebook(self, notebook: str):
        return release_notebook(notebook, self.root)

    def roster(self) -> set[str] | None:
        """Student ids of the roster (column `id`), or None without a roster file."""
        import csv

        path = self.root / self.settings.roster
        if not path.is_file():
            return None
        with path.open(newline="") as f:
            return {row["id"].strip() for row in csv.DictReader(f) if row.get("id")}

    def execution_settings(self) -> dict:
        """The part of the config a worker needs to execute a notebook."""
        return {k: dict(self.config[k]) for k in self.EXECUTION_SECTIONS if k in self.config}

    def nbgrader(self, *args: str, **kwargs) -> subprocess.CompletedProcess:
        return nbgrader(self.root, *args, **kwargs)


class CourseError(RuntimeError):
    """The course directory cannot be used as it is (said in one sentence)."""
