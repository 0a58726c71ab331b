"""One vocabulary for how a graded test ended, read from the autograded notebook.

Hidden tests raise typed failures (threads101.kernel.outcomes); the grader marks
cells it could not run with its own error names (threads101.grading.execute);
nbgrader and nbclient add theirs. The error's name (`ename`) of a graded cell is
therefore a typed fact: `outcome_of` turns it into a `Kind`, and everything that
explains a result (feedback, the class report, the logs, the proof suites) reads
the kind instead of the message's wording.

One exception, kept here and nowhere else: a few hidden tests put a hung call's
report (or a sentence of their own about it) into a plain assert. A plain
AssertionError whose message says the call "did not finish" or "is deadlocked"
is a hang (HANG_REPORT). A cell that ran into nbgrader's own cell timeout
(CellTimeoutError) is a hang too: the code under test kept the kernel busy.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from threads101 import course as C
from threads101.grading.execute import KERNEL_DIED, KERNEL_STUCK, NOT_RUN
from threads101.kernel import outcomes as failures
from threads101.outputs.explain import Explanation, explanation_of

ANSI = re.compile(r"\x1b\[[0-9;]*m")
#: The words of a hang in a plain assert's message (see the module's docstring).
HANG_REPORT = re.compile(r"\bdid not finish\b|\bis deadlocked\b")


class Kind(enum.Enum):
    PASSED = "passed"
    WRONG = "wrong result"
    RACE = "race"
    HANG = "hang"
    DEADLOCK = "deadlock"
    LEFTOVER = "leftover threads"
    NOT_IMPLEMENTED = "not implemented"
    ERROR = "error"  # the student's code raised something else
    KERNEL_DIED = "kernel died"
    NOT_RUN = "not run"

    @property
    def is_hang(self) -> bool:
        return self in (Kind.HANG, Kind.DEADLOCK)

    @property
    def is_crash(self) -> bool:
        return self in (Kind.ERROR, Kind.KERNEL_DIED, Kind.NOT_RUN)


_BY_KIND = {kind.value: kind for kind in Kind}
#: ename -> Kind, for every name a graded cell's error can carry.
BY_ENAME: dict[str, Kind] = {
    **{cls.__name__: _BY_KIND[cls.kind] for cls in
       (getattr(failures, name) for name in failures.__all__)},
    "AssertionError": Kind.WRONG,  # a hidden test's plain assert: the result was wrong
    "NotImplementedError": Kind.NOT_IMPLEMENTED,
    KERNEL_DIED: Kind.KERNEL_DIED,
    KERNEL_STUCK: Kind.KERNEL_DIED,
    "DeadKernelError": Kind.KERNEL_DIED,
    "CellTimeoutError": Kind.HANG,
    NOT_RUN: Kind.NOT_RUN,
}


@dataclass(frozen=True)
class TestOutcome:
    kind: Kind
    message: str  # exception name and message, never the traceback (it quotes code)
    #: What the hidden test saw go wrong (a deadlock's cycle, a race's interleaving, where
    #: hanging or leftover threads are), when it left one in the cell's outputs.
    explanation: Explanation | None = None

    @property
    def passed(self) -> bool:
        return self.kind is Kind.PASSED


def error_message(outputs) -> str:
    """Exception name and message of a cell's errors; never the traceback (it quotes code)."""
    parts = []
    for out in outputs:
        if out.get("output_type") == "error":
            value = ANSI.sub("", str(out.get("evalue", ""))).strip()
            parts.append(f"{out.get('ename', 'Error')}: {value}" if value else out.get("ename", "Error"))
    return "\n".join(parts)


def outcome_of(outputs) -> TestOutcome:
    """How a graded cell ended, from its outputs (with the test's explanation of a failure,
    if it left one: an explanation in the outputs of a cell that passed is ignored)."""
    errors = [o for o in outputs if o.get("output_type") == "error"]
    if not errors:
        return TestOutcome(Kind.PASSED, "")
    ename = errors[0].get("ename", "")
    kind = BY_ENAME.get(ename, Kind.ERROR)
    if ename == "AssertionError" and HANG_REPORT.search(ANSI.sub("", str(errors[0].get("evalue", "")))):
        kind = Kind.HANG
    return TestOutcome(kind, error_message(outputs), explanation_of(outputs))


def graded_outputs(nb) -> dict[str, list]:
    """grade_id -> outputs of every graded test cell of an (autograded) notebook (worth
    points: the 0-point self-checks are left out)."""
    return {C.nbgrader_meta(cell)["grade_id"]: cell.get("outputs", [])
            for cell in nb.cells if C.is_test(cell)}
