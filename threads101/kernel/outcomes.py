"""The kinds of failure a hidden test reports, as exception types.

A hidden test that fails raises one of these (all are AssertionErrors, so nbgrader
scores them as any failed test). The autograded notebook then carries the kind as
the error's name (`ename`), and feedback, the class report, the logs and the proof
suites read it from there (threads101.outputs.outcomes) instead of matching the
message's words.
"""

from __future__ import annotations


class TestFailure(AssertionError):
    """A hidden test's verdict: the code under test broke a rule of the contract."""

    kind = "wrong result"


class WrongResult(TestFailure):
    """The call finished, but returned or did the wrong thing."""

    kind = "wrong result"


class RaceLost(TestFailure):
    """Threads forced to interleave lost an update or broke an invariant."""

    kind = "race"


class Hang(TestFailure):
    """The call did not finish: waiting forever, spinning or polling."""

    kind = "hang"


class Deadlock(Hang):
    """Every thread of the call is blocked forever: none can make the others go on."""

    kind = "deadlock"


class LeftoverThreads(TestFailure):
    """The call returned while threads it started were still running (a missing join)."""

    kind = "leftover threads"


class NotImplementedYet(TestFailure):
    """The code under test still raises NotImplementedError: there is nothing to judge."""

    kind = "not implemented"


__all__ = ["TestFailure", "WrongResult", "RaceLost", "Hang", "Deadlock", "LeftoverThreads",
           "NotImplementedYet"]
