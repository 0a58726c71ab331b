"""What earlier grading runs left: `.threads101/grading-state.json` in the course.

For every graded student it keeps a key (a digest of the kit's version, the
execution settings, the source notebooks and the student's files) and the
result. `threads101 grade` regrades a student only when the key changed (or
with --force); feedback, export and report read the latest results from here
and the scores from the gradebook.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from pathlib import Path

from threads101 import __version__
from threads101.grading.results import StudentResult
from threads101.grading.submissions import file_digest

STATE_FILE = Path(".threads101") / "grading-state.json"


class GradingState:
    """The grading state of one course directory."""

    def __init__(self, course: Path):
        self.path = Path(course) / STATE_FILE
        try:
            self.entries: dict[str, dict] = json.loads(self.path.read_text())
        except (OSError, ValueError):
            self.entries = {}

    def unchanged(self, student: str, key: str) -> StudentResult | None:
        """The stored result of a student whose submission has this key still."""
        previous = self.entries.get(student)
        if previous and previous.get("key") == key:
            result = StudentResult.from_dict(dict(previous["result"]))
            result.graded = False
            return result
        return None

    def record(self, key: str, result: StudentResult) -> None:
        self.entries[result.student] = {"key": key, "result": asdict(result)}

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(self.entries, indent=1, sort_keys=True))

    def results(self) -> dict[str, StudentResult]:
        return {s: StudentResult.from_dict(dict(v["result"])) for s, v in self.entries.items()}


def submission_key(folder: Path, settings: dict, source_digests: dict[str, str]) -> str:
    """What a grading result depends on, as a short digest."""
    parts = [__version__, json.dumps(settings, sort_keys=True, default=str)]
    parts += [f"{n}:{d}" for n, d in sorted(source_digests.items())]
    for path in sorted(folder.iterdir()) if folder.exists() else []:
        if path.is_file():
            parts.append(f"{path.name}:{file_digest(path)}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:20]


def load_results(course: Path) -> dict[str, StudentResult]:
    """The results of the latest grading run of each student."""
    return GradingState(course).results()
