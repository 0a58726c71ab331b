"""The coordinator's bookkeeping, kept cheap: prepare and store with nbgrader's own
preprocessors, on one gradebook connection for the whole run.

nbgrader's preprocessors each open the gradebook again (an engine, a schema check)
and commit after every cell, and its metadata check rebuilds a JSON-schema
validator for every cell. For a class of thousands on a cluster, that per-notebook
cost is what limits how many workers one coordinator can feed. `SharedGradebook`
hands the preprocessors one open gradebook instead, remembers what never changes
during a run (the source cells), and commits once per student. The preprocessors
themselves, and so the grading rules, are nbgrader's.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from pathlib import Path

import jsonschema
from nbgrader import utils
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.nbgraderformat import common as nbgrader_format
from nbgrader.preprocessors import (
    CheckCellMetadata,
    latesubmissions,
    overwritecells,
    overwritekernelspec,
    saveautogrades,
)

from threads101 import course as C
from threads101.grading.gradebook import CellScore, cell_scores

def autograde_steps(cfg) -> tuple[list[type], list[type]]:
    """nbgrader autograde's two preprocessor lists, as the course's config names them
    (`Autograde.sanitize_preprocessors`, `Autograde.autograde_preprocessors`), so that plain
    `nbgrader autograde` and `threads101 grade` cannot diverge when an instructor edits them.

    Returns (sanitize, after_execution): the sanitizing steps without their metadata
    check (the same check runs after execution, on the same metadata: once is enough),
    and the autograde steps without the execution step (our workers execute).
    """
    from nbgrader.converters.autograde import Autograde
    from nbgrader.preprocessors import Execute
    from traitlets.utils.importstring import import_item

    defaults = Autograde(config=cfg)
    sanitize = [import_item(n) if isinstance(n, str) else n for n in defaults.sanitize_preprocessors]
    after = [import_item(n) if isinstance(n, str) else n for n in defaults.autograde_preprocessors]
    return ([k for k in sanitize if not issubclass(k, CheckCellMetadata)],
            [k for k in after if not issubclass(k, Execute)])


_PATCHED = (overwritecells, overwritekernelspec, saveautogrades, latesubmissions)


class _Session:
    """The gradebook's session, with commits deferred: one commit per student (the
    session's autoflush keeps queries consistent in between)."""

    def __init__(self, session):
        self._session = session

    def commit(self):
        pass

    def __getattr__(self, name):
        return getattr(self._session, name)


class _GradebookView:
    """What a preprocessor gets for `Gradebook(url)`: the shared one, never closed by it."""

    def __init__(self, shared: SharedGradebook):
        self._shared = shared
        self.db = _Session(shared.gb.db)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def close(self):
        pass

    def find_source_cell(self, name, notebook, assignment):
        return self._shared.cached("source", self._shared.gb.find_source_cell, name, notebook,
                                   assignment)

    def find_graded_cell(self, name, notebook, assignment):
        return self._shared.cached("graded", self._shared.gb.find_graded_cell, name, notebook,
                                   assignment)

    def find_notebook(self, name, assignment):
        return self._shared.cached("notebook", self._shared.gb.find_notebook, name, assignment)

    # A student's grades and comments of a notebook, read in one query instead of one per cell.
    def find_grade(self, name, notebook, assignment, student):
        return self._shared.submitted(notebook, assignment, student, "grades", name)

    def find_comment(self, name, notebook, assignment, student):
        return self._shared.submitted(notebook, assignment, student, "comments", name)

    # The submission and its notebooks, looked up once per student (AssignLatePenalties
    # asks for them for every notebook).
    def find_submission(self, assignment, student):
        return self._shared.submission(assignment, student)

    def find_submission_notebook(self, notebook, assignment, student):
        return self._shared.submission_notebook(notebook, assignment, student)

    def grades_of(self, notebook, student):
        """Every grade of a student's notebook (from the same one query)."""
        self._shared.submitted(notebook, C.ASSIGNMENT, student, "grades", None, missing_ok=True)
        return list(self._shared.rows("grades", notebook, C.ASSIGNMENT, student).values())

    def __getattr__(self, name):
        return getattr(self._shared.gb, name)


class SharedGradebook:
    """One open gradebook for a grading run, handed to nbgrader's preprocessors."""

    def __init__(self, url: str):
        self.url = url
        self.gb = Gradebook(url)
        # We are the gradebook's only writer during a run: objects read once stay valid
        # after a commit (no reloading of the cached source cells after every student).
        self.gb.db().expire_on_commit = False
        self._cache: dict = {}

    def cached(self, kind, find, *key):
        if (kind, *key) not in self._cache:
            try:
                self._cache[(kind, *key)] = find(*key)
            except MissingEntry as exc:
                self._cache[(kind, *key)] = exc
        value = self._cache[(kind, *key)]
        if isinstance(value, MissingEntry):
            raise value
        return value

    def submission_notebook(self, notebook, assignment, student):
        key = ("submitted", "notebook", notebook, assignment, student)
        if key not in self._cache:
            self._cache[key] = self.gb.find_submission_notebook(notebook, assignment, student)
        return self._cache[key]

    def submission(self, assignment, student):
        key = ("submitted", "assignment", assignment, student)
        if key not in self._cache:
            self._cache[key] = self.gb.find_submission(assignment, student)
        return self._cache[key]

    def rows(self, kind, notebook, assignment, student) -> dict:
        key = ("submitted", kind, notebook, assignment, student)
        if key not in self._cache:
            found = self.submission_notebook(notebook, assignment, student)
            self._cache[key] = {row.name: row for row in getattr(found, kind)}
        return self._cache[key]

    def submitted(self, notebook, assignment, student, kind, name, missing_ok=False):
        rows = self.rows(kind, notebook, assignment, student)
        if name in rows:
            return rows[name]
        if missing_ok:
            return None
        raise MissingEntry()

    def commit(self) -> None:
        self.gb.db.commit()
        self._cache = {k: v for k, v in self._cache.items() if k[0] != "submitted"}

    def rollback(self) -> None:
        self.gb.db.rollback()
        self._cache = {k: v for k, v in self._cache.items() if k[0] != "submitted"}

    def close(self) -> None:
        self.gb.close()

    @contextlib.contextmanager
    def installed(self):
        """While active, nbgrader's preprocessors use this gradebook (in this process)."""
        saved = [(module, module.Gradebook) for module in _PATCHED]
        saved_validate = nbgrader_format.jsonschema
        for module in _PATCHED:
            module.Gradebook = lambda *args, **kwargs: _GradebookView(self)
        nbgrader_format.jsonschema = _CachedJsonSchema
        try:
            yield self
        finally:
            for module, original in saved:
                module.Gradebook = original
            nbgrader_format.jsonschema = saved_validate


class _CachedJsonSchema:
    """jsonschema, but with one validator per schema instead of one per cell."""

    ValidationError = jsonschema.ValidationError

    @staticmethod
    def validate(instance, schema):
        key = (schema.get("$schema"), tuple(sorted(schema.get("properties", {}))))
        validator = _VALIDATORS.get(key)
        if validator is None:
            cls = jsonschema.validators.validator_for(schema)
            cls.check_schema(schema)
            validator = _VALIDATORS[key] = cls(schema)
        validator.validate(instance)


_VALIDATORS: dict = {}
_STEPS: dict[int, tuple] = {}


def _steps(cfg) -> tuple[list[type], list[type]]:
    """autograde_steps of a config, worked out once per config object."""
    known = _STEPS.get(id(cfg))
    if known is None or known[0] is not cfg:
        known = _STEPS[id(cfg)] = (cfg, autograde_steps(cfg))
    return known[1]


def _resources(student: str, notebook: str, url: str) -> dict:
    return {"nbgrader": {"student": student, "assignment": C.ASSIGNMENT,
                         "notebook": notebook, "db_url": url}}


def sanitize(nb, student: str, notebook: str, url: str, cfg):
    """nbgrader autograde's first pass: restore locked and test cells, clear outputs."""
    resources = _resources(student, notebook, url)
    for klass in _steps(cfg)[0]:  # called as nbconvert does: a disabled preprocessor does nothing
        nb, resources = klass(config=cfg)(nb, resources)
    return nb


def store(shared: SharedGradebook, cfg, course: Path, student: str, executed: dict,
          notebooks: list[str], timestamp: str | None) -> tuple[dict, list[CellScore]]:
    """nbgrader autograde's bookkeeping for one student, on executed notebooks.

    `executed` maps notebook names to executed notebooks; the course's other notebooks
    count as missing (zero, as nbgrader does). Writes autograded/<student>/<assignment>/
    and returns the autograded notebooks and the student's score of every graded cell.
    """
    gb = shared.gb
    try:
        gb.update_or_create_student(student)
        if timestamp:
            gb.update_or_create_submission(C.ASSIGNMENT, student,
                                           timestamp=utils.parse_utc(timestamp))
        else:
            gb.update_or_create_submission(C.ASSIGNMENT, student)
        shared.commit()
        dest = Path(course) / "autograded" / student / C.ASSIGNMENT
        if dest.exists():
            shutil.rmtree(dest)
        dest.mkdir(parents=True)
        # As nbgrader: the submission's own files (timestamp.txt and submission_secret.txt,
        # which generate_feedback and release_feedback pass on, and the student's extras),
        # then the course's files from source/ over them; never notebooks, never what
        # CourseDirectory.ignore names.
        from nbgrader.coursedir import CourseDirectory

        ignore = list(CourseDirectory(config=cfg).ignore) + ["*.ipynb"]
        submitted = Path(course) / "submitted" / student / C.ASSIGNMENT
        for folder in (submitted, Path(course) / "source" / C.ASSIGNMENT):
            if not folder.is_dir():
                continue
            for name in utils.find_all_files(str(folder), ignore):
                path = Path(name)
                target = dest / path.relative_to(folder)
                target.parent.mkdir(parents=True, exist_ok=True)
                if target.exists():
                    target.unlink()
                shutil.copy(path, target)
        view = _GradebookView(shared)
        for name in notebooks:
            if name not in executed:
                for grade in view.grades_of(name, student):
                    grade.auto_score = 0
                    grade.needs_manual_grade = False
        final = {}
        for name, nb in executed.items():
            resources = _resources(student, name, shared.url)
            for klass in _steps(cfg)[1]:
                nb, resources = klass(config=cfg)(nb, resources)
            path = dest / f"{name}.ipynb"
            # nbformat's JSON layout, without its (slow, here redundant) validation pass
            path.write_text(json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + "\n")
            os.chmod(path, 0o444)
            final[name] = nb
        shared.commit()
        return final, cell_scores(gb, student)
    except BaseException:
        shared.rollback()
        raise
