"""What grading found, per notebook and per student: the record every output reads.

`threads101 grade` returns these, keeps them in the grading state for the next run
(threads101.grading.state) and hands them to feedback, export and report.
"""

from __future__ import annotations

from dataclasses import dataclass, field


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
