"""The code that runs inside a notebook's kernel: self-checks and hidden tests use it.

This package is all a student's kernel needs of threads101 (the student bundle
ships it as a wheel of its own): it imports only the standard library (and
`requests`, lazily, in `track_requests`), never nbgrader, the grading pipeline
or the outputs. `tests/kernel/test_isolation.py` holds it to that.

- `threads101.kernel.checks`: run a call under a time budget, see its threads,
  force races and deadlocks, watch queues, locks, attributes and sessions;
- `threads101.kernel.httpserver`: the local HTTP server of the download
  exercises.

Importing changes nothing in the process; `install()` adds the hooks that let
calls be watched. The grading kernel calls it before any cell runs
(nbgrader_config.py), and `start`/`call`/`finishes` call it on first use.
"""

from .checks import (
    DEFAULT_BUDGET,
    Access,
    LockGroup,
    Outcome,
    Probe,
    ProbeCall,
    QueueLog,
    Rendezvous,
    Running,
    ThreadAbandoned,
    ThreadTracer,
    TrackedLock,
    WaitUsage,
    assert_all_finished,
    assert_same_items,
    call,
    describe_call,
    expect_finished,
    fail_race,
    finishes,
    format_stack,
    grading,
    install,
    measure_waiting,
    selfcheck,
    start,
    thread_report,
    together,
    track_requests,
    watch_attribute,
)

__all__ = [
    "DEFAULT_BUDGET", "Access", "LockGroup", "Outcome", "Probe", "ProbeCall", "QueueLog",
    "Rendezvous", "Running", "ThreadAbandoned", "ThreadTracer", "TrackedLock", "WaitUsage",
    "assert_all_finished", "assert_same_items", "call", "describe_call", "expect_finished",
    "fail_race", "finishes",
    "format_stack", "grading", "install", "measure_waiting", "selfcheck", "start",
    "thread_report", "together", "track_requests", "watch_attribute",
]
