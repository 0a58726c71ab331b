"""Looking at a student's submitted files before grading: which notebooks can be read,
what else is there, and what the student changed that grading puts back."""

from __future__ import annotations

import hashlib
import warnings
from pathlib import Path

import nbformat

from threads101 import course as C


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
