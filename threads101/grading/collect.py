"""Collect: bring a folder or zip of submissions into the course's submitted/ folder.

Two layouts are understood:
- nbgrader's own: `[submitted/]<student>/<assignment>/<notebook>.ipynb`
  (other files next to the notebooks, `timestamp.txt` among them, are kept);
- a flat download from a learning platform: one file per notebook, named
  `<student>_<anything>_<notebook>.ipynb` (for example
  `alice_1234_5678_01_threads_and_join.ipynb`).

Every file that cannot be placed gets a message saying why; nothing else is
lost. A student's collected notebooks replace their earlier ones.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from threads101 import course as C


@dataclass
class Collected:
    placed: dict[str, list[str]] = field(default_factory=dict)  # student -> notebooks
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        n = sum(len(v) for v in self.placed.values())
        lines = [f"collected {n} notebooks of {len(self.placed)} students"]
        lines += [f"  cannot place {p}" for p in self.problems]
        return "\n".join(lines)


def _notebook_in(name: str, notebooks: list[str]) -> str | None:
    """The course notebook a flat file name ends with (longest match), if any."""
    stem = name[:-len(".ipynb")]
    matches = [nb for nb in notebooks if stem == nb or stem.endswith("_" + nb)
               or stem.endswith("-" + nb)]
    return max(matches, key=len) if matches else None


def _student_of(name: str, notebook: str) -> str:
    stem = name[:-len(".ipynb")]
    prefix = stem[: len(stem) - len(notebook)].rstrip("_-")
    return prefix.split("_")[0].strip()


def collect(source: Path, course: Path, notebooks: list[str] | None = None) -> Collected:
    """Copy the submissions found in `source` (a folder or a .zip) into course/submitted/."""
    notebooks = notebooks or C.NOTEBOOKS
    source = Path(source)
    result = Collected()
    if not source.exists():
        result.problems.append(f"{source}: no such file or folder")
        return result
    with tempfile.TemporaryDirectory(prefix="threads101-collect-") as tmp:
        root = source
        if source.is_file():
            if not zipfile.is_zipfile(source):
                result.problems.append(f"{source.name}: neither a folder nor a zip file")
                return result
            root = Path(tmp)
            with zipfile.ZipFile(source) as archive:
                for member in archive.infolist():
                    target = (root / member.filename).resolve()
                    if not str(target).startswith(str(root.resolve())):
                        result.problems.append(f"{member.filename}: unsafe path in the zip, skipped")
                        continue
                    archive.extract(member, root)
        placements: dict[tuple[str, str], Path] = {}
        extras: dict[str, list[Path]] = {}
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            rel = path.relative_to(root)
            if any(part.startswith(".") or part == "__MACOSX" for part in rel.parts):
                continue
            parts = rel.parts
            if C.ASSIGNMENT in parts[:-1] and parts.index(C.ASSIGNMENT) >= 1:
                student = parts[parts.index(C.ASSIGNMENT) - 1]
                if path.name == "timestamp.txt":
                    extras.setdefault(student, []).append(path)
                    continue
                notebook = path.stem if path.suffix == ".ipynb" and path.stem in notebooks else None
                if notebook is None:  # kept with the submission; grading says it is ignored
                    extras.setdefault(student, []).append(path)
                    continue
            else:
                if path.suffix != ".ipynb":
                    result.problems.append(f"{rel}: not a notebook (.ipynb)")
                    continue
                notebook = _notebook_in(path.name, notebooks)
                if notebook is None:
                    result.problems.append(f"{rel}: the name does not end with a notebook name "
                                           f"({', '.join(notebooks)})")
                    continue
                student = _student_of(path.name, notebook)
            if not C.valid_student_id(student):
                result.problems.append(f"{rel}: {student!r} is not a valid student id "
                                       f"(letters, digits, . _ - only)")
                continue
            key = (student, notebook)
            if key in placements:
                result.problems.append(f"{rel}: a second file for {student}/{notebook}; "
                                       f"kept {placements[key].relative_to(root)}")
                continue
            placements[key] = path
        students = {s for s, _ in placements}
        for student in sorted(students):
            folder = Path(course) / "submitted" / student / C.ASSIGNMENT
            if folder.exists():
                shutil.rmtree(folder)
            folder.mkdir(parents=True)
            for extra in extras.get(student, []):
                shutil.copy2(extra, folder / extra.name)
        for (student, notebook), path in sorted(placements.items()):
            shutil.copy2(path, Path(course) / "submitted" / student / C.ASSIGNMENT
                         / f"{notebook}.ipynb")
            result.placed.setdefault(student, []).append(notebook)
    return result
