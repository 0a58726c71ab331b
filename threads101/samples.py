"""The sample class (samples/class.toml): build its submissions as students would hand them in.

Most students come as a flat download from a learning platform (one zip of
`<id>_<number>_<notebook>.ipynb` files); those marked `layout = "nbgrader"`
come in nbgrader's `submitted/<id>/threads101/` layout. `threads101 collect`
brings both into the course.
"""

from __future__ import annotations

import shutil
import tomllib
import zipfile
from pathlib import Path

import nbformat

from threads101 import course as C

def load_class(path: Path | None = None, root: Path = C.REPO) -> list[dict]:
    """The students of samples/class.toml in the course directory `root`."""
    with open(path or Path(root) / "samples" / "class.toml", "rb") as f:
        return tomllib.load(f)["student"]


def _notebooks_of(spec: dict, course: Path, root: Path) -> dict[str, nbformat.NotebookNode | str]:
    """notebook name -> notebook (or raw text for a malformed file) for one sample student."""
    code = {gid: (Path(root) / path).read_text() for gid, path in spec.get("code", {}).items()}
    blank = set(spec.get("blank", []))
    out: dict[str, nbformat.NotebookNode | str] = {}
    for notebook, names in C.EXERCISES.items():
        if notebook in spec.get("missing", []):
            continue
        overrides = dict(code)
        release = {C.nbgrader_meta(c).get("grade_id"): c for c in C.release_notebook(notebook, course).cells}
        for gid in names.values():
            if "*" in blank or gid in blank:
                overrides[gid] = release[gid].source
        nb = C.filled_release(notebook, {k: v for k, v in overrides.items() if k in release},
                              root=course, with_answers=spec.get("answers", True))
        for gid, source in spec.get("edit", {}).items():
            for cell in nb.cells:
                if C.nbgrader_meta(cell).get("grade_id") == gid:
                    cell.source = source
        nb.cells = [c for c in nb.cells if C.nbgrader_meta(c).get("grade_id") not in spec.get("delete", [])]
        unknown = (set(spec.get("delete", [])) | set(spec.get("edit", {}))) - set().union(
            *[{C.nbgrader_meta(c).get("grade_id") for c in C.source_notebook(n, course).cells}
              for n in C.EXERCISES])
        if unknown:
            raise ValueError(f"sample {spec['id']}: no cell {sorted(unknown)} in the course")
        if "kernel" in spec:
            nb.metadata["kernelspec"] = {"name": spec["kernel"], "display_name": spec["kernel"],
                                         "language": "python"}
        text = nbformat.writes(nb)
        if notebook in spec.get("malformed", []):
            text = text[: len(text) // 2]
        out[notebook] = text
    return out


def build_class(dest: Path, course: Path, students: list[dict] | None = None,
                root: Path | None = None) -> list[Path]:
    """Write the sample submissions under `dest`; returns what to collect (a zip, a folder).

    `root` is the course directory that ships samples/ (default: this repository's)."""
    root = Path(root or C.REPO)
    dest = Path(dest)
    shutil.rmtree(dest, ignore_errors=True)
    flat = dest / "lms-download"
    layout = dest / "nbgrader-layout" / "submitted"
    flat.mkdir(parents=True)
    layout.mkdir(parents=True)
    for number, spec in enumerate(students or load_class(root=root), start=1001):
        notebooks = _notebooks_of(spec, course, root)
        if spec.get("layout") == "nbgrader":
            folder = layout / spec["id"] / C.ASSIGNMENT
            folder.mkdir(parents=True)
            (folder / "timestamp.txt").write_text("2026-11-20 17:59:00.000000 UTC")
            for name, text in notebooks.items():
                (folder / f"{name}.ipynb").write_text(text)
            for extra in spec.get("extra", []):
                (folder / extra).write_text("notes to myself\n")
        else:
            for name, text in notebooks.items():
                (flat / f"{spec['id']}_{number}_{name}.ipynb").write_text(text)
            for extra in spec.get("extra", []):
                (flat / f"{spec['id']}_{number}_{extra}").write_text("notes to myself\n")
    archive = dest / "lms-download.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for path in sorted(flat.iterdir()):
            z.write(path, path.name)
    shutil.rmtree(flat)
    return [archive, dest / "nbgrader-layout"]
