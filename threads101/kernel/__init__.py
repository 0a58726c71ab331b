"""The code that runs inside a notebook's kernel: self-checks and hidden tests use it.

This package is all a student's kernel needs of threads101 (the student bundle
ships it as a wheel of its own): it imports only the standard library (and
`requests`, lazily, in `track_requests`), never nbgrader, the grading pipeline
or the outputs. `tests/kernel/test_isolation.py` holds it to that. Notebooks
import from here only; the modules, from the bottom up:

- `originals`: the real time/threading/queue functions, taken at import;
- `linux`: what a thread is doing, seen from /proc (blocked, sleeping, running;
  CPU time and wake-ups);
- `report`: stuck-thread reports, and which frames are the student's and which
  the tests' own ("(test code)");
- `explain`: explanations of failures, and the typed failures that carry them;
- `tracking`: which threads and queues belong to which call, the progress counter;
- `races`: Probe, Rendezvous, ThreadTracer, watch_attribute, LockGroup: making
  races and deadlocks show up, and recording what threads did;
- `calls`: running a call under a time budget (start, call, finishes, together),
  telling deadlocks, stalls and timeouts apart, abandoning hung calls; install();
- `watch`: how a call's threads wait (measure_waiting), which requests.Session
  each thread uses (track_requests);
- `asserts`: expect_finished, assert_all_finished, fail_race, assert_same_items,
  selfcheck, grading;
- `outcomes`: the kinds of failure, as exception types;
- `httpserver`: the local HTTP server of the download exercises.

Importing changes nothing in the process; `install()` adds the hooks that let
calls be watched. The grading kernel calls it before any cell runs
(nbgrader_config.py), and `start`/`call`/`finishes` call it on first use.
"""

from .asserts import (
    assert_all_finished,
    assert_same_items,
    expect_finished,
    fail_race,
    grading,
    selfcheck,
)
from .calls import (
    DEFAULT_BUDGET,
    Outcome,
    Running,
    call,
    finishes,
    install,
    start,
    together,
)
from .races import (
    Access,
    LockGroup,
    Probe,
    ProbeCall,
    Rendezvous,
    ThreadTracer,
    TrackedLock,
    watch_attribute,
)
from .report import describe_call, format_stack, thread_report
from .tracking import QueueLog, ThreadAbandoned
from .watch import WaitUsage, measure_waiting, track_requests

__all__ = [
    "DEFAULT_BUDGET", "Access", "LockGroup", "Outcome", "Probe", "ProbeCall", "QueueLog",
    "Rendezvous", "Running", "ThreadAbandoned", "ThreadTracer", "TrackedLock", "WaitUsage",
    "assert_all_finished", "assert_same_items", "call", "describe_call", "expect_finished",
    "fail_race", "finishes",
    "format_stack", "grading", "install", "measure_waiting", "selfcheck", "start",
    "thread_report", "together", "track_requests", "watch_attribute",
]
