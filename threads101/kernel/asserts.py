"""What a hidden test or a self-check asserts, with messages that say what is wrong.

- `expect_finished`: fail with Deadlock or Hang if a call did not finish;
- `assert_all_finished`: fail with LeftoverThreads if a call returned while
  threads it started were still running (a missing join);
- `fail_race`: fail with RaceLost, explained with watch_attribute's log;
- `assert_same_items`: the same values, each as many times, in any order;
- `selfcheck`: the decorator of a notebook's self-check cells, and `grading()`,
  true while nbgrader autogrades (self-checks are skipped then).

Failures are typed (threads101.kernel.outcomes) and carry an explanation built
from what the test observed (threads101.kernel.explain), appended to their
message and, inside IPython, displayed as EXPLANATION_MIME data. Inside a
self-check they are plain AssertionErrors, as always, with the same message.
Only a failing test pays for building an explanation; correct code costs only
what the kit records anyway (where a LockGroup lock was taken, where a thread
was started: one file name and line each).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from . import explain
from . import outcomes as _failures
from .calls import Outcome
from .originals import _environ_get
from .report import _short_repr, _thread_name, recompile_surface


# --------------------------------------------------------------------------
# Assertions about calls.
# --------------------------------------------------------------------------
def assert_all_finished(outcome: Outcome, what: str = "threads") -> None:
    """Fail if the call returned while some of the threads it started were still running."""
    if outcome.alive_at_return:
        names = ", ".join(_thread_name(t) for t in outcome.alive_at_return)
        raise explain._failure(
            _failures.LeftoverThreads,
            f"{outcome.label} returned while {len(outcome.alive_at_return)} of the "
            f"{len(outcome.threads)} {what} it started were still running ({names}). "
            f"Wait for every thread (join them all) before returning.",
            explain.explain_leftover(outcome) if explain.EXPLAIN else None)


def expect_finished(outcome: Outcome, hint: str = "", after: str = "") -> Outcome:
    """Fail with Deadlock or Hang if the call did not finish; returns the outcome otherwise.

    The message is `hint` (a line of its own), the report of where the threads are stuck,
    `after`, then the explanation of what went wrong (the wait-for cycle of a deadlock,
    where each thread of a hang is and what it waits on).
    """
    __tracebackhide__ = True  # noqa: F841
    if outcome.hung:
        raise outcome.hang_failure(hint, after)
    return outcome


def fail_race(message: str, log: list | None = None, *, label: str = "",
              name: str = "value", threads: Any = None, what: str = "update") -> None:
    """Fail with RaceLost: threads forced to interleave lost an update or broke an invariant.

    With `log` (from watch_attribute), the explanation is the timeline of the threads'
    reads and writes of `name` (only those of `threads`, if given: Thread objects, or a
    call's Outcome), with the values seen, and how many updates (`what`) were lost.
    """
    __tracebackhide__ = True  # noqa: F841
    explanation = None
    if log is not None and explain.EXPLAIN:
        if isinstance(threads, Outcome):
            label, threads = label or threads.label, threads.threads
        explanation = explain.explain_race(log, label=label, name=name, threads=threads,
                                           what=what)
    raise explain._failure(_failures.RaceLost, message, explanation)


# --------------------------------------------------------------------------
# Assertions with helpful messages.
# --------------------------------------------------------------------------
def _key(value: Any):
    return (type(value).__name__, repr(value))


def assert_same_items(got: Any, expected: list, what: str = "items") -> None:
    """`got` holds exactly the `expected` values, each as many times, in any order."""
    try:
        got = list(got)
    except TypeError:
        raise AssertionError(f"expected a list of {what}, got {_short_repr(got)}") from None
    counts: dict = {}
    for v in expected:
        counts[_key(v)] = counts.get(_key(v), 0) + 1
    extra = []
    for v in got:
        k = _key(v)
        if counts.get(k, 0) > 0:
            counts[k] -= 1
        else:
            extra.append(v)
    missing = [k[1] for k, n in counts.items() for _ in range(n)]
    problems = []
    if missing:
        problems.append(f"missing {len(missing)}: {', '.join(missing[:5])}"
                        + (" ..." if len(missing) > 5 else ""))
    if extra:
        problems.append(f"unexpected or repeated {len(extra)}: "
                        + ", ".join(_short_repr(v, 30) for v in extra[:5])
                        + (" ..." if len(extra) > 5 else ""))
    if problems:
        raise AssertionError(f"wrong {what} ({len(got)} instead of {len(expected)}): "
                             + "; ".join(problems))


# --------------------------------------------------------------------------
# Self-checks in the student notebooks.
# --------------------------------------------------------------------------
def grading() -> bool:
    """True while nbgrader autogrades (it sets NBGRADER_EXECUTION=autograde)."""
    return _environ_get("NBGRADER_EXECUTION") == "autograde"


def selfcheck(check: Callable[[], Any] | None = None, *,
              graded: str | None = None) -> Callable[[], Any]:
    """Decorator for a self-check cell: runs the check now and says it passed.

    `@selfcheck` or `@selfcheck(graded="...")`. `graded` says, in the student's
    words, what the graded tests look at beyond this check; it is printed once
    the check has passed, so that passing is not taken for full marks. A check
    that fails raises its AssertionError, whose message says what is wrong.

    While nbgrader autogrades, the check is skipped: the graded tests that
    follow it check the same things, and more.
    """
    if check is None:
        return functools.partial(selfcheck, graded=graded)
    name = getattr(check, "__name__", "check")
    if grading():
        print(f"{name}: skipped while autograding (the graded tests below take over).")
        return check
    explain._selfchecking[0] += 1
    try:
        check()
    finally:
        explain._selfchecking[0] -= 1
    print(f"{name}: passed.")
    if graded:
        import textwrap

        print(textwrap.fill(f"The graded tests also check: {' '.join(graded.split())}",
                            width=88, break_on_hyphens=False))
    return check


recompile_surface(globals(), [(None, "assert_all_finished"), (None, "assert_same_items"),
                               (None, "expect_finished"), (None, "fail_race")])
