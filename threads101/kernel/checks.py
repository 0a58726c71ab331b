"""Machinery for the notebooks' self-checks and hidden tests.

Generic tools only, no answers: run a student's call under a time budget and
say which threads are stuck where when it overruns, see which threads a call
started and left running, measure how many calls overlap, make races show up,
measure whether a waiting thread sleeps or spins, and watch the queues, locks
and attributes a call uses.

The grading kernel imports this module and calls `install()` before any cell
runs (see nbgrader_config.py), so the references below are taken before a
submission could replace ``time.sleep``, ``threading.Thread.start`` and the
like. Importing changes nothing in the process; `install()` (called by the
grading kernel, and by `start`/`call` on first use) adds the hooks.

How a hang is recognised
------------------------
A call that does not finish is judged by what its threads do, as seen from
Linux (/proc/self/task/*), not by the clock alone:

- *blocked*: every live thread of the call waits with no timeout (a lock,
  join, event or queue get) and none of them has run since the last look
  (their schedstat counters did not move): nothing inside the call can ever
  wake them, so it is a deadlock, reported after DEADLOCK_CONFIRM seconds;
- *running without progress* (opt-in, `stall=` seconds): the kit keeps one
  cheap global progress counter, bumped by its own hooks whenever the code
  under test does something a test can see: a Probe call starts or ends, a
  Rendezvous is reached, a LockGroup lock is taken or released, a watched
  attribute is written (`watch_attribute`), a requests Session sends
  (`track_requests`), a thread of a call starts or finishes. A call whose
  counter has not moved for `stall` seconds while its threads used CPU or
  woke up often (more than 15 % of a CPU, or 40 wake-ups a second: a busy
  loop, or a poll with short sleeps) is a hang at once, unless one of its
  threads sat quietly in one long sleep, timed wait or I/O meanwhile (the
  busy ones may be polling for it). Threads that sleep or wait quietly are
  never cut short, however long one call takes: they run into the budget
  as before. Queue puts and gets are not progress: a
  loop that takes an item and puts it back would look busy forever. A test
  that opts in must choose `stall` longer than any quiet-but-busy stretch a
  correct solution may have (for instance an idle timeout timed by hand);
- anything else runs into its `budget`.

The threads of a hung call that still run Python code get ThreadAbandoned;
the few that survive it (they catch BaseException) are retried in the
background, and while one of them runs the interpreter switches threads
more often (GIL builds) or the thread gets the lowest priority (free-threaded
builds), so that it slows the rest of the notebook as little as possible.
While a test waits for a call, a GIL build switches threads every 0.5 ms,
so that a call spinning with the GIL held cannot slow the watching down.

With `reverse_finish=True` the threads a call starts are held just before
they end and let go one at a time, the last-started first, each once the
call has settled: a function that joins only some of its threads then
returns while the others are still alive, every time. (The hold sits in a
wrapper around each such thread's run(), set up when the thread starts.)

Reports list each stuck thread with the student's lines (and the library's);
the tests' own frames, the kit's and those of hidden test cells (recognised
by nbgrader's "### BEGIN HIDDEN TESTS" marker in the cell's source, or named
with `register_test_file`), show as "(test code)" without their source. A
call that raises NotImplementedError (an exercise not done yet) makes the
waiting test fail with NotImplementedYet: "<name> is not implemented yet."

Failures are typed (threads101.kernel.outcomes): Outcome.get() and
expect_finished() raise Deadlock or Hang, assert_all_finished() raises
LeftoverThreads, fail_race() raises RaceLost (inside a self-check, plain
AssertionErrors, as always, with the same message). Each carries an explanation
built from what the test observed (threads101.kernel.explain), appended to
its message and, inside IPython, displayed as EXPLANATION_MIME data. Only a
failing test pays for building it; correct code costs only what the kit
records anyway (where a LockGroup lock was taken, where a thread was started:
one file name and line each).
"""

from __future__ import annotations

import _thread
import ctypes
import dis
import functools
import linecache
import os
import platform
import queue
import re
import sys
import sysconfig
import threading
import time
import traceback
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import outcomes as _failures

# --------------------------------------------------------------------------
# References taken at import, before any student code runs.
# --------------------------------------------------------------------------
_monotonic = time.monotonic
_sleep = time.sleep
_allocate_lock = _thread.allocate_lock
_start_new_thread = _thread.start_new_thread
_get_ident = _thread.get_ident
_get_native_id = _thread.get_native_id
_current_frames = sys._current_frames
_getswitchinterval = sys.getswitchinterval
_setswitchinterval = sys.setswitchinterval
_sys_settrace = sys.settrace
_threading_settrace = threading.settrace
_threading_active = threading._active  # ident -> Thread, maintained by threading itself
_threading_active_lock = threading._active_limbo_lock
_DummyThread = threading._DummyThread
_thread_start = threading.Thread.start
_thread_is_alive = threading.Thread.is_alive
_excepthook = threading.excepthook
_queue_init = queue.Queue.__init__
_queue_put = queue.Queue.put
_environ_get = os.environ.get
_setpriority = getattr(os, "setpriority", None)
_FREE_THREADED = not getattr(sys, "_is_gil_enabled", lambda: True)()

#: Seconds a self-contained call may take before it counts as hung.
DEFAULT_BUDGET = 3.0
#: How long every thread of a call must stay blocked forever, none of them running
#: meanwhile, before we call it a deadlock.
DEADLOCK_CONFIRM = 0.05
#: Explanations of failures (threads101.kernel.explain) are recorded and built unless the
#: environment sets THREADS101_EXPLAIN=0: `make bench` grades failing code both ways to
#: measure what they cost. Verdicts and scores are the same either way.
EXPLAIN = os.environ.get("THREADS101_EXPLAIN", "1") != "0"
#: How often a waiting test looks at the threads of the call it waits for.
_TICK = 0.01


# --------------------------------------------------------------------------
# Progress: one counter, bumped by the kit's hooks.
# --------------------------------------------------------------------------
_progress = [0]


def note_progress() -> None:
    """Tell the hang detector that the code under test did something a test can see.

    The kit's own hooks call it (Probe, Rendezvous, LockGroup, watch_attribute,
    track_requests, threads starting and finishing); a test may call it from
    a function it hands to student code. Racy increments are fine: only
    "has it changed" matters.
    """
    _progress[0] += 1


def progress_count() -> int:
    return _progress[0]


# --------------------------------------------------------------------------
# Which threads belong to which call.
# --------------------------------------------------------------------------
class _Owner:
    """Everything one call started: its threads, its queues, its HTTP sessions."""

    def __init__(self, label: str):
        self.label = label
        self.lock = _allocate_lock()
        self.threads: list[threading.Thread] = []
        self.runner_ident: int | None = None
        self.runner_native: int | None = None
        self.runner_done = False
        self.queues: list[QueueLog] = []
        self.sessions: dict[int, set[int]] = {}
        self.thread_errors: list[tuple[str, BaseException]] = []
        self.gate: _FinishGate | None = None
        self.starting = 0  # threads inside Thread.start(): not alive yet, about to be

    def add_thread(self, thread: threading.Thread) -> None:
        with self.lock:
            self.threads.append(thread)


_runner_owners: dict[int, _Owner] = {}


def _current_owner() -> _Owner | None:
    ident = _get_ident()
    owner = _runner_owners.get(ident)
    if owner is not None:
        return owner
    thread = _threading_active.get(ident)
    return getattr(thread, "_t101_owner", None) if thread is not None else None


def _tracking_start(self):
    owner = _current_owner()
    if owner is not None and getattr(self, "_t101_owner", None) is None:
        try:
            self._t101_owner = owner
            self.run = _reporting_run(self, owner, self.run)
            if EXPLAIN:
                self._t101_started_at = _caller_site(sys._getframe(1))
        except Exception:
            pass
        owner.add_thread(self)
        _progress[0] += 1
        with owner.lock:
            owner.starting += 1
        try:
            return _thread_start(self)
        finally:
            with owner.lock:
                owner.starting -= 1
    return _thread_start(self)


def _caller_site(frame, depth: int = 12) -> tuple | None:
    """(filename, line, function) of the first frame, from `frame` outwards, that is neither
    the standard library's nor the kit's: where the code under test (or a test) made the call.
    Cheap: a few frames, their file names looked up in a cache; judged only on failure."""
    while frame is not None and depth > 0:
        code = frame.f_code
        if code.co_filename not in _test_files and not _is_library_file(code.co_filename):
            return (code.co_filename, frame.f_lineno, code.co_name)
        frame, depth = frame.f_back, depth - 1
    return None


def _reporting_run(thread, owner: _Owner, run: Callable) -> Callable:
    """The thread's run(), then: note the progress, and wait at the call's finish gate."""

    def _run_and_report():
        try:
            run()
        finally:
            _progress[0] += 1
            gate = owner.gate
            if gate is not None:
                gate.hold(thread)

    return _run_and_report


_tracking_start.__doc__ = _thread_start.__doc__


class ThreadAbandoned(BaseException):
    """Raised inside a thread of a call that overran its budget, to stop it if it spins."""


class NotImplementedYet(AssertionError):
    """The code under test still raises NotImplementedError: there is nothing to judge."""


class _FinishGate:
    """Holds the threads of a call right before they end; the test lets them go one by one."""

    def __init__(self):
        self._lock = _allocate_lock()
        self.held: dict[int, tuple[threading.Thread, Any]] = {}  # id(thread) -> (thread, lock)
        self.opened = False

    def hold(self, thread) -> None:
        waiter = _allocate_lock()
        waiter.acquire()
        with self._lock:
            if self.opened:
                return
            self.held[id(thread)] = (thread, waiter)
        _progress[0] += 1
        waiter.acquire(True, 120.0)  # a timed wait: never mistaken for a deadlock
        _progress[0] += 1

    def is_held(self, thread) -> bool:
        with self._lock:
            return id(thread) in self.held

    def held_threads(self) -> list:
        with self._lock:
            return [t for t, _w in self.held.values()]

    def release(self, thread) -> None:
        with self._lock:
            entry = self.held.pop(id(thread), None)
        if entry is not None:
            _progress[0] += 1
            entry[1].release()

    def open(self) -> None:
        """Let every held thread go, and hold none from now on."""
        with self._lock:
            self.opened = True
            waiters = [w for _t, w in self.held.values()]
            self.held.clear()
        for w in waiters:
            w.release()


def _quiet_excepthook(args):
    if isinstance(args.exc_value, ThreadAbandoned):
        return
    owner = getattr(args.thread, "_t101_owner", None)
    if owner is not None:
        with owner.lock:
            owner.thread_errors.append((getattr(args.thread, "name", "?"), args.exc_value))
    _excepthook(args)




# --------------------------------------------------------------------------
# What a thread is doing, seen from Linux.
# --------------------------------------------------------------------------
_FUTEX = {"x86_64": 202, "aarch64": 98}.get(platform.machine())
_SLEEPS = {"x86_64": {35, 230}, "aarch64": {101, 115}}.get(platform.machine(), set())


def _syscall_state(native_id: int | None) -> str:
    """'forever' (blocked with no timeout), 'timed', 'sleeping', 'running', 'io' or 'gone'."""
    if native_id is None:
        return "running"
    try:
        with open(f"/proc/self/task/{native_id}/syscall") as f:
            fields = f.read().split()
    except OSError:
        return "gone"
    if not fields or fields[0] == "running":
        return "running"
    try:
        nr = int(fields[0])
    except ValueError:
        return "running"
    if nr == _FUTEX and len(fields) > 4:
        op = int(fields[2], 16) & 0x7F
        timeout = int(fields[4], 16)
        if op in (0, 9) and timeout == 0:  # FUTEX_WAIT / FUTEX_WAIT_BITSET without timeout
            return "forever"
        return "timed"
    if nr in _SLEEPS:
        return "sleeping"
    return "io" if nr >= 0 else "running"


_STATE_TEXT = {
    "forever": "blocked forever (a lock, condition, event, join or queue get with no timeout)",
    "timed": "waiting with a timeout",
    "sleeping": "sleeping",
    "running": "running",
    "io": "in a system call (I/O)",
    "gone": "finished",
}


def _task_stat(native_id: int) -> tuple[float, int]:
    """(CPU seconds, voluntary context switches) of one thread of this process."""
    with open(f"/proc/self/task/{native_id}/schedstat") as f:
        cpu = int(f.read().split()[0]) / 1e9
    with open(f"/proc/self/task/{native_id}/status") as f:
        for line in f:
            if line.startswith("voluntary_ctxt_switches"):
                return cpu, int(line.split()[1])
    return cpu, 0


def _ran_counter(native_id: int | None) -> str | None:
    """Changes whenever the thread runs (CPU time and timeslices); None if unknown."""
    if native_id is None:
        return None
    try:
        with open(f"/proc/self/task/{native_id}/schedstat") as f:
            fields = f.read().split()
    except OSError:
        return None
    return f"{fields[0]}/{fields[2]}" if len(fields) > 2 else None


def _usage_of(natives) -> dict[int, tuple[float, int]]:
    out = {}
    for n in natives:
        if n is None:
            continue
        try:
            out[n] = _task_stat(n)
        except (OSError, ValueError, IndexError):
            pass
    return out


def _usage_between(before: dict, after: dict) -> tuple[float, int]:
    """CPU seconds and wake-ups of the threads seen both times."""
    cpu, wake = 0.0, 0
    for n, (c1, w1) in after.items():
        c0, w0 = before.get(n, (0.0, 0)) if n in before else (c1, w1)
        cpu, wake = cpu + max(c1 - c0, 0.0), wake + max(w1 - w0, 0)
    return cpu, wake


def _looks_busy(cpu: float, wakeups: int, seconds: float) -> bool:
    """Spinning or polling: over 15 % of a CPU, or more than 40 wake-ups a second."""
    return (cpu >= max(0.15 * seconds, 0.008)) or (wakeups >= max(40 * seconds, 4))


# --------------------------------------------------------------------------
# Stack reports.
# --------------------------------------------------------------------------
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
_LIBRARY_DIRS = tuple(
    sorted(
        {os.path.realpath(p) for k, p in sysconfig.get_paths().items() if k.endswith("lib")}
        | {os.path.dirname(os.__file__)},
        key=len,
        reverse=True,
    )
)


@functools.lru_cache(maxsize=4096)
def _is_library_file(filename: str) -> bool:
    if filename.startswith("<frozen"):
        return True
    real = os.path.realpath(filename)
    return real.startswith(_PACKAGE_DIR) or any(real.startswith(d) for d in _LIBRARY_DIRS)


def _short_file(filename: str) -> str:
    if _is_library_file(filename):
        return os.path.basename(filename)
    if "ipykernel_" in filename or filename.startswith("<ipython-input"):
        return "your notebook"
    return os.path.basename(filename)


#: A cell holding these lines is a hidden test cell (nbgrader's markers), whatever else it holds.
_TEST_MARKERS = ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")
_test_files: set[str] = set()


def register_test_file(filename: str) -> None:
    """Count code compiled from `filename` as the tests' own (shown as "(test code)")."""
    _test_files.add(filename)


@functools.lru_cache(maxsize=4096)
def _is_test_cell(filename: str) -> bool:
    if filename in _test_files:
        return True
    lines = linecache.getlines(filename)
    return any(line.strip() in _TEST_MARKERS for line in lines)


def _is_test_code(filename: str) -> bool:
    """The kit's own code, or a hidden test cell of the notebook."""
    if filename in _test_files:
        return True
    if filename.startswith("<frozen"):
        return False
    if os.path.realpath(filename).startswith(_PACKAGE_DIR):
        return True
    return not _is_library_file(filename) and _is_test_cell(filename)


_HIDDEN_FRAMES = {("threading.py", "_bootstrap"), ("threading.py", "_bootstrap_inner"),
                  ("threading.py", "run"), ("calls.py", "_run"), ("calls.py", "_runner"),
                  ("checks.py", "_run"), ("checks.py", "_runner"),
                  ("checks.py", "_run_and_report")}
TEST_CODE = "(test code)"


def format_stack(frame, limit: int = 8) -> list[str]:
    """The interesting part of a thread's stack, innermost last.

    The student's frames and the library's come with their line of code; the
    tests' own frames (the kit, hidden test cells) only as "(test code)", one
    line for each run of them, so that no line of a hidden test is shown.
    """
    lines = []
    for fs in traceback.extract_stack(frame):
        short = _short_file(fs.filename)
        if (short, fs.name) in _HIDDEN_FRAMES:
            continue
        if _is_test_code(fs.filename):
            if not lines or lines[-1] != TEST_CODE:
                lines.append(TEST_CODE)
            continue
        code = (fs.line or linecache.getline(fs.filename, fs.lineno)).strip()
        lines.append(f"{short}, line {fs.lineno}, in {fs.name}: {code}")
    return lines[-limit:]


def thread_report(threads: list[tuple[str, int | None, int | None]]) -> str:
    """One paragraph per (name, ident, native_id): its state and where it is."""
    frames = _current_frames()
    out = []
    for name, ident, native in threads:
        frame = frames.get(ident) if ident is not None else None
        if frame is None:
            continue
        state = _STATE_TEXT[_syscall_state(native)]
        out.append(f"  - {name}: {state}")
        out.extend(f"      {line}" for line in format_stack(frame))
    return "\n".join(out) if out else "  (no thread of this call is still running)"


# --------------------------------------------------------------------------
# Running a call under a budget.
# --------------------------------------------------------------------------
def _short_repr(value: Any, limit: int = 60) -> str:
    try:
        text = repr(value)
    except Exception:
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def describe_call(fn: Callable, args: tuple, kwargs: dict) -> str:
    parts = [_short_repr(a) for a in args] + [f"{k}={_short_repr(v)}" for k, v in kwargs.items()]
    return f"{getattr(fn, '__name__', 'call')}({', '.join(parts)})"


@dataclass
class Outcome:
    """What happened to one call: its value or error, or where it got stuck."""

    label: str
    value: Any = None
    error: BaseException | None = None
    hung: bool = False
    deadlock: bool = False
    stalled: bool = False
    elapsed: float = 0.0
    budget: float = 0.0
    started_at: float = 0.0
    returned_at: float | None = None
    threads: list = field(default_factory=list)
    alive_at_return: list = field(default_factory=list)
    queues: list = field(default_factory=list)
    sessions: dict = field(default_factory=dict)
    thread_errors: list = field(default_factory=list)
    report: str = ""
    not_implemented: str | None = None  # what still raises NotImplementedError
    #: What the test saw of the threads when the call hung (taken then, built into an
    #: explanation only if a test fails on it).
    facts: Any = field(default=None, repr=False, compare=False)

    @property
    def finished(self) -> bool:
        return not self.hung

    def get(self) -> Any:
        """The call's value; raises Deadlock or Hang (AssertionErrors) if it hung, or the
        call's own exception."""
        __tracebackhide__ = True  # noqa: F841  (IPython leaves this frame out of tracebacks)
        if self.hung:
            raise self.hang_failure()
        if self.error is not None:
            raise self.error
        return self.value

    def hang_message(self) -> str:
        return self.report

    def explanation(self) -> dict | None:
        """Why the call hung (deadlock or hang), as threads101.kernel.explain builds it."""
        if not self.hung or self.facts is None:
            return None
        from . import explain

        return explain.explain_hang(self)

    def hang_failure(self, hint: str = "", after: str = "") -> AssertionError:
        """The Deadlock or Hang a test raises for this hung call: `hint`, the report, `after`,
        then the explanation; the explanation is also shown as structured data."""
        if hint and not hint.endswith("\n"):
            hint += "\n"
        cls = _failures.Deadlock if self.deadlock else _failures.Hang
        return _failure(cls, hint + self.report + after, self.explanation())


def _not_implemented(error: BaseException | None) -> str | None:
    """'Name.method' if `error` is the NotImplementedError of an unimplemented stub."""
    if not isinstance(error, NotImplementedError):
        return None
    tb, name = error.__traceback__, None
    while tb is not None:
        code = tb.tb_frame.f_code
        if not _is_test_code(code.co_filename) and not _is_library_file(code.co_filename):
            name = getattr(code, "co_qualname", code.co_name).rpartition("<locals>.")[2]
        tb = tb.tb_next
    return name or "the code under test"


class Running:
    """A call started in its own thread; wait for it with a budget."""

    def __init__(self, fn: Callable, args: tuple = (), kwargs: dict | None = None,
                 label: str | None = None, reverse_finish: bool = False):
        install()
        kwargs = kwargs or {}
        self.label = label or describe_call(fn, args, kwargs)
        self.owner = _Owner(self.label)
        if reverse_finish:
            self.owner.gate = _FinishGate()
        self._fn, self._args, self._kwargs = fn, args, kwargs
        self._done = _allocate_lock()
        self._done.acquire()
        self._started = _allocate_lock()
        self._started.acquire()
        self.value: Any = None
        self.error: BaseException | None = None
        self.alive_at_return: list = []
        self.start_time = _monotonic()
        self.end_time: float | None = None
        self._blocked_since: float | None = None
        self._blocked_key: tuple | None = None
        self._mark: tuple | None = None  # (progress, time, usage) when progress last moved
        self._quiet_for = 0.0
        self._released = None  # the held thread let go last, until it has ended
        self._settle: tuple | None = None
        self._last_release: tuple | None = None
        _start_new_thread(self._runner, ())
        self._started.acquire()

    def _runner(self):
        ident = _get_ident()
        self.owner.runner_ident = ident
        self.owner.runner_native = _get_native_id()
        _runner_owners[ident] = self.owner
        self._started.release()
        try:
            self.value = self._fn(*self._args, **self._kwargs)
        except BaseException as exc:  # the student's exception is part of the outcome
            if exc.__traceback__ is not None:  # from the student's frame on, not ours
                exc = exc.with_traceback(exc.__traceback__.tb_next)
            self.error = exc
        finally:
            self.end_time = _monotonic()
            with self.owner.lock:
                started = list(self.owner.threads)
            self.alive_at_return = [t for t in started if _alive(t)]
            self.owner.runner_done = True
            _runner_owners.pop(ident, None)
            with _threading_active_lock:  # forget the placeholder threading made for this thread
                if isinstance(_threading_active.get(ident), _DummyThread):
                    del _threading_active[ident]
            _progress[0] += 1
            self._done.release()

    def done(self) -> bool:
        return self.end_time is not None

    # -- threads of this call ------------------------------------------------
    def _live_threads(self, include_held: bool = True) -> list[tuple[str, int | None, int | None]]:
        out = []
        if not self.owner.runner_done:
            out.append((f"the thread running {self.label}", self.owner.runner_ident,
                        self.owner.runner_native))
        with self.owner.lock:
            started = list(self.owner.threads)
        gate = self.owner.gate
        for t in started:
            if _alive(t):
                held = gate is not None and gate.is_held(t)
                if held and not include_held:
                    continue
                name = _thread_name(t) + (" (its work is done; the test holds it back "
                                          "before it ends)" if held else "")
                out.append((name, t.ident, getattr(t, "_native_id", None)))
        return out

    def blocked_forever(self) -> bool:
        """Is every live thread of the call blocked with no timeout right now?"""
        return self._blocked_key_now() is not None

    def _blocked_key_now(self) -> tuple | None:
        """None unless every live thread is blocked forever; else what changes if any runs."""
        if _FUTEX is None:
            return None
        if self.owner.starting:
            return None  # a thread is being started: its starter waits for it, not forever
        threads = self._live_threads()
        if not threads:
            return None
        key = []
        for _name, ident, native in threads:
            if ident is None or native is None:
                return None  # a thread is being started
            if _syscall_state(native) != "forever":
                return None
            key.append((native, _ran_counter(native)))
        return tuple(key)

    def wait(self, budget: float = DEFAULT_BUDGET, self_contained: bool = True,
             stall: float | None = None) -> Outcome:
        """Wait at most `budget` seconds for the call to finish.

        With `self_contained` (nothing outside the call will ever release its
        threads), a call whose every thread is blocked forever is declared a
        deadlock as soon as that is sure, instead of waiting out the budget.
        With `stall` (seconds), a call that makes no progress for that long
        while its threads spin or poll is declared hung at once (see the
        module's docstring). A call that raises NotImplementedError (an
        exercise not done yet) raises NotImplementedYet here.
        """
        outcome = self._wait(budget, self_contained, stall)
        if outcome.not_implemented:
            raise NotImplementedYet(f"{outcome.not_implemented} is not implemented yet.")
        return outcome

    def _wait(self, budget: float, self_contained: bool, stall: float | None) -> Outcome:
        with _FastSwitching():
            return self._wait_switching(budget, self_contained, stall)

    def _wait_switching(self, budget: float, self_contained: bool,
                        stall: float | None) -> Outcome:
        deadline = _monotonic() + budget
        while True:
            verdict = self._poll(self_contained, stall)
            if verdict is not None:
                return self._outcome(verdict, budget)
            remaining = deadline - _monotonic()
            if remaining <= 0:
                return self._outcome("timeout", budget)
            tick = 0.002 if self.owner.gate else _TICK if stall else 2 * _TICK
            if self._done.acquire(True, min(remaining, tick)):
                self._done.release()

    def _poll(self, self_contained: bool = True, stall: float | None = None) -> str | None:
        """'done', 'deadlock', 'stalled', or None (go on waiting)."""
        if self.done():
            if self.owner.gate is not None:
                self.owner.gate.open()
            return "done"
        now = _monotonic()
        if self.owner.gate is not None:
            self._step_gate(now)
        if self_contained:
            key = self._blocked_key_now()
            if key is None:
                self._blocked_since = self._blocked_key = None
            elif key != self._blocked_key:
                self._blocked_since, self._blocked_key = now, key
            elif now - self._blocked_since >= DEADLOCK_CONFIRM:
                return "deadlock"
        if stall:
            return self._stall_check(now, stall)
        return None

    def _stall_check(self, now: float, stall: float) -> str | None:
        """'stalled' if no progress for `stall` s while some thread spun or polled, and no
        thread was quietly inside one long wait (a sleep, a timed wait, I/O) that the
        busy ones may be waiting for."""
        natives = [n for _name, _i, n in self._live_threads(include_held=False)]
        count = _progress[0]
        if self._mark is None or self._mark[0] != count:
            self._mark = (count, now, _usage_of(natives))
            return None
        _count, since, before = self._mark
        seconds = now - since
        if seconds < stall:
            return None
        after = _usage_of(natives)
        busy, quiet_wait = False, False
        detail = {}
        for n, usage in after.items():
            cpu, wake = _usage_between({n: before.get(n, (0.0, 0))}, {n: usage})
            detail[n] = (cpu, wake, seconds)
            if _looks_busy(cpu, wake, seconds):
                busy = True
            elif _syscall_state(n) in ("sleeping", "timed", "io"):
                quiet_wait = True
        if busy and not quiet_wait:
            self._quiet_for = seconds
            self._stall_usage = _usage_between(before, after)
            self._stall_detail = detail
            return "stalled"
        self._mark = (count, now, after)  # judge the next stretch on its own
        return None

    def _step_gate(self, now: float) -> None:
        """Let the held threads go, the last-started first, each once the call has settled.

        Settled: every other live thread of the call is blocked forever and has not
        run since the last release (it was not waiting for the thread that just
        ended), or has been blocked forever, unmoved, for a tick. If some wait with
        timeouts or sleep, the next one goes after 20 ms, or 40 ms if they woke up
        or ran meanwhile (a poll takes a moment to notice that a thread has ended).
        """
        gate = self.owner.gate
        if self._released is not None:
            if _alive(self._released):
                return
            self._released = None
        held = gate.held_threads()
        if not held:
            self._settle = None
            return
        others = [n for _name, _i, n in self._live_threads(include_held=False)]
        states = [_syscall_state(n) for n in others]
        if all(st == "forever" for st in states):
            snapshot = tuple((n, _ran_counter(n)) for n in others)
            settled = snapshot == self._last_release or (
                self._settle is not None and self._settle[2] == snapshot
                and now - self._settle[0] >= _TICK)
            if not settled:
                if self._settle is None or self._settle[2] != snapshot:
                    self._settle = (now, None, snapshot)
                return
        else:
            snapshot = None
            usage = _usage_of(others)
            busy = "running" in states
            if self._settle is None or self._settle[2] is not None:
                self._settle = (now, usage, None, busy)
                return
            since, before, _snap, was_busy = self._settle
            _cpu, woke = _usage_between(before, usage)
            busy = busy or was_busy or woke > 0
            self._settle = (since, before, None, busy)
            if now - since < (0.04 if busy else 0.02):
                return
        with self.owner.lock:
            order = {id(t): i for i, t in enumerate(self.owner.threads)}
        last = max(held, key=lambda t: order.get(id(t), -1))
        self._released, self._settle, self._last_release = last, None, snapshot
        gate.release(last)

    def _outcome(self, verdict: str, budget: float) -> Outcome:
        hung = verdict != "done"
        if not hung:
            missing = _not_implemented(self.error)
            if missing is None:
                with self.owner.lock:
                    errors = [e for _n, e in self.owner.thread_errors]
                missing = next((m for m in map(_not_implemented, errors) if m), None)
            if missing is not None:
                return Outcome(label=self.label, not_implemented=missing)
        with self.owner.lock:
            threads = list(self.owner.threads)
            errors = list(self.owner.thread_errors)
        out = Outcome(
            label=self.label, budget=budget, started_at=self.start_time, returned_at=self.end_time,
            threads=threads, queues=list(self.owner.queues),
            sessions={k: set(v) for k, v in self.owner.sessions.items()}, thread_errors=errors,
        )
        if hung:
            out.hung, out.deadlock, out.stalled = True, verdict == "deadlock", verdict == "stalled"
            out.elapsed = _monotonic() - self.start_time
            if out.deadlock:
                head = (f"{self.label} is deadlocked: every one of its threads is blocked "
                        f"forever, waiting for something no thread will ever do "
                        f"(seen after {out.elapsed:.1f} s).")
            elif out.stalled:
                cpu, wake = self._stall_usage
                head = (f"{self.label} did not finish: for {self._quiet_for:.2f} s its threads "
                        f"kept running (they used {cpu * 1000:.0f} ms of CPU and woke up "
                        f"{wake} times) without doing anything the test could see: a busy "
                        f"loop or a poll whose condition never comes true "
                        f"(seen after {out.elapsed:.1f} s).")
            else:
                head = f"{self.label} did not finish within {budget:g} s."
            out.report = f"{head}\nWhere its threads are stuck:\n{thread_report(self._live_threads())}"
            out.facts = self._hang_facts(verdict, out.elapsed) if EXPLAIN else None
            self.abandon()
        else:
            if self.owner.gate is not None:
                self.owner.gate.open()
            out.value, out.error = self.value, self.error
            out.elapsed = self.end_time - self.start_time
            out.alive_at_return = list(self.alive_at_return)
        return out

    def _hang_facts(self, verdict: str, elapsed: float) -> dict:
        """What each live thread of the hung call is doing, taken before they are stopped:
        name, Linux state, CPU and wake-ups, its stack, and the LockGroup locks it holds and
        waits for. Only a hung call pays for this."""
        frames = _current_frames()
        rows = []
        if not self.owner.runner_done:
            rows.append(("the caller", self.owner.runner_ident, self.owner.runner_native, None))
        with self.owner.lock:
            started = list(self.owner.threads)
        for index, t in enumerate(started, 1):
            if _alive(t):
                rows.append((_plain_name(t, index), t.ident, getattr(t, "_native_id", None), t))
        detail = getattr(self, "_stall_detail", None) if verdict == "stalled" else None
        usage = _usage_of(n for _name, _i, n, _t in rows)
        threads = []
        for name, ident, native, thread in rows:
            frame = frames.get(ident) if ident is not None else None
            if detail is not None and native in detail:
                cpu, wake, seconds = detail[native]
            else:  # over the call's whole life: its threads have lived at most that long
                cpu, wake = usage.get(native, (0.0, 0))
                seconds = max(elapsed, 1e-3)
            threads.append({
                "name": name, "ident": ident, "thread": thread,
                "state": _syscall_state(native), "cpu": cpu, "wakeups": wake, "seconds": seconds,
                "stack": traceback.extract_stack(frame) if frame is not None else [],
                "holds": [], "waits_for": None,
            })
        for group in _live_lock_groups():
            group._describe(threads)
        return {"verdict": verdict, "label": self.label, "threads": threads}

    def abandon(self) -> None:
        """Stop the threads of a hung call that still run Python code (spinning, polling).

        Threads blocked forever are left alone: they cost nothing. The others
        get a ThreadAbandoned exception, which ends them unless they catch it;
        those that survive it are retried in the background (see _Reaper).
        """
        if self.owner.gate is not None:
            self.owner.gate.open()
        targets = [(ident, native) for _name, ident, native in self._live_threads()
                   if ident is not None and _syscall_state(native) != "forever"]
        _stop_threads(targets)


class _Flush(BaseException):
    pass


def _set_async_exc(ident: int, exc) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident),
                                               ctypes.py_object(exc) if exc else None)


_stop_lock = _allocate_lock()


def _stop_threads(targets: list, grace: float = 0.2, reap: bool = True) -> list:
    """Raise ThreadAbandoned in each (ident, native_id); withdraw it from threads that do not
    take it within `grace` seconds. Returns the survivors (handed to the reaper if `reap`).

    CPython keeps an interpreter-wide "async exception pending" flag (3.11, 3.12;
    per thread from 3.13) until some thread takes one; a flag left set slows every
    thread down and can hang traced threads. So whatever happens, finish by having
    a throw-away thread of ours take one exception, which clears the flag.
    """
    targets = [t if isinstance(t, tuple) else (t, None) for t in targets]
    if not targets:
        return []
    with _stop_lock:
        for ident, _n in targets:
            _set_async_exc(ident, ThreadAbandoned)
        deadline = _monotonic() + grace
        while True:
            frames = _current_frames()
            left = [(i, n) for i, n in targets if i in frames]
            if not left or _monotonic() >= deadline:
                break
            _sleep(0.005)
        for ident, _n in left:
            _set_async_exc(ident, None)
        _clear_async_flag()
    survivors = [(i, n) for i, n in left if _syscall_state(n) != "forever"]
    if reap and survivors:
        _reaper.add(survivors)
    return survivors


def _clear_async_flag() -> None:
    box: list[int] = []
    started, finished = _allocate_lock(), _allocate_lock()
    started.acquire()
    finished.acquire()

    def take_one():
        box.append(_get_ident())
        started.release()
        try:
            deadline = _monotonic() + 2.0
            while _monotonic() < deadline:
                pass
        except _Flush:
            pass
        finally:
            finished.release()

    _start_new_thread(take_one, ())
    started.acquire()
    _set_async_exc(box[0], _Flush)
    finished.acquire(True, 3.0)


class _Switching:
    """The GIL switch interval (GIL builds): 0.5 ms while a test waits for a call, so
    that a call spinning with the GIL held delays the test's checks by 0.5 ms instead
    of 5 each time; 1 ms while a thread that survived ThreadAbandoned still runs;
    otherwise what it was."""

    def __init__(self):
        self._lock = _allocate_lock()
        self.waiting = 0
        self.zombies = False
        self._base: float | None = None

    def update(self, waiting: int = 0, zombies: bool | None = None) -> None:
        if _FREE_THREADED:
            return
        with self._lock:
            self.waiting += waiting
            if zombies is not None:
                self.zombies = zombies
            wanted = 0.0005 if self.waiting else 0.001 if self.zombies else None
            if wanted is None:
                if self._base is not None:
                    _setswitchinterval(self._base)
                    self._base = None
                return
            if self._base is None:
                self._base = _getswitchinterval()
            _setswitchinterval(min(self._base, wanted))


_switching = _Switching()


class _FastSwitching:
    def __enter__(self):
        _switching.update(+1)

    def __exit__(self, *exc):
        _switching.update(-1)
        return False


class _Reaper:
    """Threads of hung calls that survived ThreadAbandoned (they catch BaseException).

    A background thread raises ThreadAbandoned in them again now and then. While
    one of them still runs Python code, a GIL build switches threads every
    millisecond (instead of 5), so the rest of the notebook waits less for the
    GIL; a free-threaded build gives the thread the lowest priority instead.
    """

    def __init__(self):
        self._lock = _allocate_lock()
        self.zombies: dict[int, int | None] = {}
        self._running = False

    def add(self, survivors: list) -> None:
        with self._lock:
            for ident, native in survivors:
                self.zombies[ident] = native
                if _FREE_THREADED and _setpriority is not None and native is not None:
                    try:
                        _setpriority(os.PRIO_PROCESS, native, 19)
                    except OSError:
                        pass
            start = not self._running
            self._running = True
        self._switch_fast()
        if start:
            _start_new_thread(self._loop, ())

    def _switch_fast(self) -> None:
        _switching.update(zombies=True)

    def _loop(self) -> None:
        pause = 0.05
        while True:
            _sleep(pause)
            pause = min(pause * 1.5, 1.0)
            frames = _current_frames()
            with self._lock:
                for ident in [i for i in self.zombies if i not in frames]:
                    del self.zombies[ident]
                live = [(i, n) for i, n in self.zombies.items()
                        if _syscall_state(n) not in ("forever", "gone")]
                if not self.zombies:
                    self._running = False
                    _switching.update(zombies=False)
                    return
            if live:
                _stop_threads(live, grace=0.02, reap=False)


_reaper = _Reaper()


def _alive(thread: threading.Thread) -> bool:
    try:
        return _thread_is_alive(thread)
    except Exception:
        return False


_DEFAULT_NAME = re.compile(r"Thread-\d+(?: \((.*)\))?")


def _plain_name(thread: threading.Thread, index: int | None = None) -> str:
    """The thread's name; a name threading made up (Thread-<n>, numbered across the whole
    process, so different from run to run) becomes "the call's thread <index>"."""
    try:
        name = str(thread.name)
    except Exception:
        return "a thread" if index is None else f"the call's thread {index}"
    made_up = _DEFAULT_NAME.fullmatch(name)
    if made_up and index is not None:
        target = made_up.group(1)
        return f"the call's thread {index}" + (f" ({target})" if target else "")
    return name


def _thread_name(thread: threading.Thread) -> str:
    try:
        return f"thread {thread.name!r}"
    except Exception:
        return "a thread"


def start(fn: Callable, *args, label: str | None = None, reverse_finish: bool = False,
          **kwargs) -> Running:
    """Start fn(*args, **kwargs) in its own thread and return at once.

    With `reverse_finish`, the threads the call starts are held right before
    they end and let go in reverse order of starting while the test waits.
    """
    return Running(fn, args, kwargs, label, reverse_finish)


def call(fn: Callable, *args, budget: float = DEFAULT_BUDGET, label: str | None = None,
         stall: float | None = None, reverse_finish: bool = False, **kwargs) -> Outcome:
    """Run fn(*args, **kwargs) with a time budget; returns an Outcome.

    `stall`: seconds without progress, while the call's threads spin or poll,
    after which it is a hang (see the module's docstring); `reverse_finish`:
    see `start`. It raises only NotImplementedYet, when the code under test
    still raises NotImplementedError.
    """
    return Running(fn, args, kwargs, label, reverse_finish).wait(budget, stall=stall)


def finishes(fn: Callable, *args, budget: float = DEFAULT_BUDGET, label: str | None = None,
             stall: float | None = None, reverse_finish: bool = False, **kwargs) -> Any:
    """Run fn(*args, **kwargs) with a time budget and return its value.

    If it does not finish in time, fail with a report of where its threads are
    stuck; if it raises, the exception propagates.
    """
    return call(fn, *args, budget=budget, label=label, stall=stall,
                reverse_finish=reverse_finish, **kwargs).get()


def together(budget: float, calls: dict[str, Callable[[], Any]],
             stall: float | None = None) -> dict[str, Outcome]:
    """Run several zero-argument calls at the same time, all under one budget.

    Each call is judged on its own: finished, deadlocked (seen as soon as it
    is sure, for all calls at once), stalled (with `stall`), or hung when the
    shared budget runs out.
    """
    running = {name: Running(fn, label=name) for name, fn in calls.items()}
    return wait_all(running, budget, stall=stall)


def wait_all(running: dict[str, Running], budget: float,
             stall: float | None = None) -> dict[str, Outcome]:
    """Wait for calls already started, all under one budget, each judged on its own."""
    with _FastSwitching():
        out = _wait_all_switching(running, budget, stall)
    for outcome in out.values():
        if outcome.not_implemented:
            raise NotImplementedYet(f"{outcome.not_implemented} is not implemented yet.")
    return out


def _wait_all_switching(running: dict[str, Running], budget: float,
                        stall: float | None) -> dict[str, Outcome]:
    deadline = _monotonic() + budget
    verdicts: dict[str, str] = {}
    while len(verdicts) < len(running):
        for name, r in running.items():
            if name not in verdicts:
                verdict = r._poll(True, stall)
                if verdict is not None:
                    verdicts[name] = verdict
        if _monotonic() >= deadline:
            break
        if len(verdicts) < len(running):
            _sleep(_TICK)
    out = {}
    for name, r in running.items():
        verdict = verdicts.get(name) or r._poll(True, None) or "timeout"
        out[name] = r._outcome(verdict, budget)
    return out


def assert_all_finished(outcome: Outcome, what: str = "threads") -> None:
    """Fail if the call returned while some of the threads it started were still running."""
    if outcome.alive_at_return:
        names = ", ".join(_thread_name(t) for t in outcome.alive_at_return)
        from . import explain

        raise _failure(
            _failures.LeftoverThreads,
            f"{outcome.label} returned while {len(outcome.alive_at_return)} of the "
            f"{len(outcome.threads)} {what} it started were still running ({names}). "
            f"Wait for every thread (join them all) before returning.",
            explain.explain_leftover(outcome) if EXPLAIN else None)


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
    if log is not None and EXPLAIN:
        from . import explain

        if isinstance(threads, Outcome):
            label, threads = label or threads.label, threads.threads
        explanation = explain.explain_race(log, label=label, name=name, threads=threads,
                                           what=what)
    raise _failure(_failures.RaceLost, message, explanation)


#: How many self-checks (`selfcheck`) are running: their failures stay AssertionErrors.
_selfchecking = [0]

#: The MIME type of an explanation displayed in the notebook (a JSON object).
EXPLANATION_MIME = "application/vnd.threads101.explanation+json"


def _failure(cls: type, message: str, explanation: dict | None) -> AssertionError:
    """The typed failure `cls(message + explanation text)`, carrying `.explanation`; the
    explanation is also displayed, inside IPython, as structured data."""
    if explanation:
        message = f"{message}\n\n{explanation['text']}" if message else explanation["text"]
        if not _selfchecking[0]:  # a student reads it in the message; feedback reads the data
            _display_explanation(explanation)
    if _selfchecking[0]:
        cls = AssertionError  # a self-check says what is wrong as it always did
    exc = cls(message)
    exc.explanation = explanation
    return exc


def _display_explanation(explanation: dict) -> None:
    if "IPython" not in sys.modules:
        return
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        return
    try:
        if get_ipython() is None:
            return
        display({EXPLANATION_MIME: explanation, "text/plain": explanation["text"]}, raw=True)
    except Exception:
        pass


# --------------------------------------------------------------------------
# Small synchronisation tools for tests, built on raw locks only.
# --------------------------------------------------------------------------
class _Signal:
    """notify_all / wait(timeout) on raw locks, immune to patched threading classes."""

    def __init__(self):
        self._lock = _allocate_lock()
        self._waiters: list = []

    def wait(self, timeout: float) -> None:
        waiter = _allocate_lock()
        waiter.acquire()
        with self._lock:
            self._waiters.append(waiter)
        waiter.acquire(True, max(timeout, 0.0))
        with self._lock:
            if waiter in self._waiters:
                self._waiters.remove(waiter)

    def wait_until(self, predicate: Callable[[], bool], timeout: float) -> bool:
        """Wait (at most `timeout` s) until predicate() is true; wakes only when notified.

        The waiter is registered before each check, so a notify_all between the
        check and the wait is never lost: no polling, hence no wake-ups that
        would make a waiting thread look busy.
        """
        deadline = _monotonic() + timeout
        while True:
            waiter = _allocate_lock()
            waiter.acquire()
            with self._lock:
                self._waiters.append(waiter)
            try:
                if predicate():
                    return True
                remaining = deadline - _monotonic()
                if remaining <= 0:
                    return False
                waiter.acquire(True, remaining)
            finally:
                with self._lock:
                    if waiter in self._waiters:
                        self._waiters.remove(waiter)

    def notify_all(self) -> None:
        with self._lock:
            waiters, self._waiters = self._waiters, []
        for w in waiters:
            try:
                w.release()
            except RuntimeError:
                pass


class Rendezvous:
    """Lets `parties` threads meet: wait() returns when that many have arrived, or after timeout."""

    def __init__(self, parties: int, timeout: float = 1.0):
        self.parties, self.timeout = parties, timeout
        self.arrived = 0
        self._lock = _allocate_lock()
        self._signal = _Signal()

    def wait(self) -> bool:
        """True if every party arrived in time."""
        with self._lock:
            self.arrived += 1
            target = -(-self.arrived // self.parties) * self.parties
        _progress[0] += 1
        self._signal.notify_all()
        return self._signal.wait_until(lambda: self.arrived >= target, self.timeout)


@dataclass
class ProbeCall:
    args: tuple
    thread: Any
    ident: int
    start: float
    end: float | None = None


class Probe:
    """A function to hand to student code: it records every call.

    It notes the arguments, the thread and the time of each call, counts how
    many calls run at once (`max_overlap`), and can wait for company
    (`gather=n`: each call waits, at most `gather_timeout` s, until n calls are
    running at once), sleep (`sleep` seconds, or `sleep(*args)`), return `result(*args)` or raise
    the exception `raises(*args)` returns.
    """

    def __init__(self, result: Callable | None = None, *, sleep: float | Callable = 0.0,
                 gather: int = 0, gather_timeout: float = 1.0,
                 raises: Callable | None = None, name: str = "probe"):
        self.result, self.sleep, self.raises = result, sleep, raises
        self.gather, self.gather_timeout = gather, gather_timeout
        self.__name__ = name
        self.calls: list[ProbeCall] = []
        self.active = 0
        self.max_overlap = 0
        self._lock = _allocate_lock()
        self._signal = _Signal()

    def __call__(self, *args):
        thread = threading.current_thread()
        record = ProbeCall(args, thread, _get_ident(), _monotonic())
        with self._lock:
            self.calls.append(record)
            self.active += 1
            self.max_overlap = max(self.max_overlap, self.active)
        _progress[0] += 1
        self._signal.notify_all()
        try:
            if self.gather:
                self._signal.wait_until(lambda: self.max_overlap >= self.gather,
                                        self.gather_timeout)
            pause = self.sleep(*args) if callable(self.sleep) else self.sleep
            if pause:
                _sleep(pause)
            if self.raises is not None:
                exc = self.raises(*args)
                if exc is not None:
                    raise exc
            return self.result(*args) if self.result is not None else None
        finally:
            with self._lock:
                self.active -= 1
                record.end = _monotonic()
            _progress[0] += 1
            self._signal.notify_all()

    def __repr__(self) -> str:
        return f"<{self.__name__}: a test function, called {len(self.calls)} times>"

    def wait_calls(self, n: int, timeout: float) -> bool:
        """Wait (at most `timeout` s) until the probe has been called n times."""
        return self._signal.wait_until(lambda: len(self.calls) >= n, timeout)

    @property
    def threads(self) -> set[int]:
        return {c.ident for c in self.calls}

    @property
    def last_end(self) -> float | None:
        ends = [c.end for c in self.calls if c.end is not None]
        return max(ends) if ends else None

    def args_seen(self) -> list:
        return [c.args for c in self.calls]


# --------------------------------------------------------------------------
# Making races show up.
# --------------------------------------------------------------------------
_STORE_OPS = {dis.opmap["STORE_GLOBAL"], dis.opmap["STORE_DEREF"]}


@functools.lru_cache(maxsize=1024)
def _shared_stores(code) -> dict[int, str]:
    """Offsets of instructions in `code` that store to a global or a closure variable."""
    return {ins.offset: str(ins.argval) for ins in dis.get_instructions(code)
            if ins.opcode in _STORE_OPS}


class ThreadTracer:
    """Traces the threads started inside the block, in the student's code only.

    - `lines[thread]`: how many lines of notebook code each thread (a
      Thread object) executed, which tells how much work each thread did;
    - with `rendezvous=n`: the first `stores_per_name` times a thread is about
      to store into a global or closure variable, it waits (at most
      `rendezvous_timeout` s) until n threads are about to store into that same
      name. Unprotected read-modify-write of shared variables then loses
      updates every time, while a lock makes the waits time out harmlessly.
    """

    def __init__(self, rendezvous: int = 0, rendezvous_timeout: float = 0.3,
                 stores_per_name: int = 1):
        self.rendezvous = rendezvous
        self.rendezvous_timeout = rendezvous_timeout
        self.stores_per_name = stores_per_name
        self.lines: dict[Any, int] = {}
        self._meetings: dict[str, Rendezvous] = {}
        self._stores: dict[tuple[Any, str], int] = {}
        self._lock = _allocate_lock()

    def _global_trace(self, frame, event, arg):
        filename = frame.f_code.co_filename
        if event != "call" or _is_library_file(filename) or _is_test_cell(filename):
            return None
        if self.rendezvous:
            frame.f_trace_opcodes = True
        return self._local_trace

    def _local_trace(self, frame, event, arg):
        # Keyed by Thread object: thread idents are reused as soon as a thread ends.
        ident = _threading_active.get(_get_ident())
        if event == "line":
            self.lines[ident] = self.lines.get(ident, 0) + 1
        elif event == "opcode" and self.rendezvous:
            name = _shared_stores(frame.f_code).get(frame.f_lasti)
            if name is not None:
                key = (ident, name)
                done = self._stores.get(key, 0)
                if done < self.stores_per_name:
                    self._stores[key] = done + 1
                    with self._lock:
                        meeting = self._meetings.get(name)
                        if meeting is None:
                            meeting = self._meetings[name] = Rendezvous(
                                self.rendezvous, self.rendezvous_timeout)
                    meeting.wait()
        return self._local_trace

    def __enter__(self):
        global _active_tracer
        _active_tracer, self.tampered = self, []
        _threading_settrace(self._global_trace)
        return self

    def __exit__(self, exc_type, *exc):
        global _active_tracer
        _threading_settrace(None)
        _active_tracer = None
        if self.tampered and exc_type is None:
            raise AssertionError(
                "the code under test changed the tracing the test relies on "
                f"({', '.join(sorted(set(self.tampered)))}): not allowed during this test")
        return False


_active_tracer: ThreadTracer | None = None


def _guarded_settrace(function):
    """sys.settrace, noting any change of tracer while a ThreadTracer watches."""
    tracer = _active_tracer
    if tracer is not None and function != tracer._global_trace:
        tracer.tampered.append("sys.settrace")
    return _sys_settrace(function)




# --------------------------------------------------------------------------
# Is a waiting thread sleeping, or spinning?
# --------------------------------------------------------------------------
@dataclass
class WaitUsage:
    seconds: float
    cpu: float
    wakeups: int

    @property
    def busy(self) -> bool:
        """Spinning: over 10 % of a CPU, or waking up more than 40 times a second."""
        return self.cpu > 0.10 * self.seconds or self.wakeups > 40 * self.seconds

    def describe(self) -> str:
        return (f"while waiting {self.seconds:.1f} s it used {self.cpu * 1000:.0f} ms of CPU "
                f"and woke up {self.wakeups} times")


def measure_waiting(threads, seconds: float = 0.5) -> WaitUsage:
    """CPU time and wake-ups of `threads` (Thread objects or a Running call) over `seconds`."""
    if isinstance(threads, Running):
        natives = [n for _name, _i, n in threads._live_threads() if n is not None]
    else:
        natives = [getattr(t, "_native_id", None) for t in threads]
        natives = [n for n in natives if n is not None]

    def total():
        cpu, wake = 0.0, 0
        for n in natives:
            try:
                c, w = _task_stat(n)
            except OSError:
                continue
            cpu, wake = cpu + c, wake + w
        return cpu, wake

    cpu0, wake0 = total()
    t0 = _monotonic()
    _sleep(seconds)
    cpu1, wake1 = total()
    return WaitUsage(_monotonic() - t0, cpu1 - cpu0, wake1 - wake0)


# --------------------------------------------------------------------------
# Watching objects that student code uses.
# --------------------------------------------------------------------------
@dataclass
class Access:
    kind: str  # "get" or "set"
    value: Any
    ident: int
    time: float
    thread: Any = None  # the Thread object, if threading knows the thread


def watch_attribute(obj: Any, name: str, on_set: Callable | None = None) -> list[Access]:
    """Log every read and write of `obj.<name>` (by any thread); returns the live log.

    `on_set(obj, value)` is called before each write, in the writing thread.
    """
    base = type(obj)
    log: list[Access] = []
    descriptor = None
    for klass in base.__mro__:
        if name in vars(klass):
            candidate = vars(klass)[name]
            if hasattr(candidate, "__get__") and (hasattr(candidate, "__set__")):
                descriptor = candidate
            break

    def getter(self):
        if descriptor:
            value = descriptor.__get__(self, base)
        elif name in self.__dict__:
            value = self.__dict__[name]
        else:  # a class attribute, or nothing at all (AttributeError, as usual)
            value = getattr(super(watched, self), name)
        ident = _get_ident()
        log.append(Access("get", value, ident, _monotonic(), _threading_active.get(ident)))
        return value

    def setter(self, value):
        if on_set is not None:
            on_set(self, value)
        ident = _get_ident()
        log.append(Access("set", value, ident, _monotonic(), _threading_active.get(ident)))
        _progress[0] += 1
        if descriptor:
            descriptor.__set__(self, value)
        else:
            self.__dict__[name] = value

    namespace = {name: property(getter, setter), "__module__": base.__module__}
    if not hasattr(obj, "__dict__"):
        namespace["__slots__"] = ()
    watched = type(base.__name__, (base,), namespace)
    obj.__class__ = watched
    return log


_lock_groups: weakref.WeakSet = weakref.WeakSet()


def _live_lock_groups() -> list:
    for _attempt in range(5):
        try:
            return list(_lock_groups)
        except RuntimeError:  # a group was made meanwhile (free-threaded builds)
            continue
    return []


class LockGroup:
    """Locks that behave like threading.Lock and remember who holds them.

    With `meet=n`, a thread that has just taken its first lock of the group
    (the first time it does so) waits, at most `meet_timeout` s, until n
    threads hold a lock of the group or wait for one: two transfers that take
    their locks in opposite orders then deadlock every time instead of once
    in a while, while transfers that take them in one global order go on at
    once (the second one is waiting for the first one's lock).
    """

    def __init__(self, meet: int = 0, meet_timeout: float = 0.3):
        self._lock = _allocate_lock()
        self.held: dict[int, list[str]] = {}
        self.meet, self.meet_timeout = meet, meet_timeout
        self._met: set[int] = set()
        self._waiting: set[int] = set()
        self._waiting_for: dict[int, TrackedLock] = {}
        self._locks: list[TrackedLock] = []
        self._signal = _Signal()
        _lock_groups.add(self)

    def lock(self, name: str) -> TrackedLock:
        lock = TrackedLock(self, name)
        with self._lock:
            self._locks.append(lock)
        return lock

    def _describe(self, threads: list[dict]) -> None:
        """Add to each thread's facts (see Running._hang_facts) the locks of this group it
        holds (with where each was taken) and the one it waits for."""
        with self._lock:
            held = {i: list(names) for i, names in self.held.items()}
            waiting = dict(self._waiting_for)
            taken = {lock.name: lock.taken_at for lock in self._locks
                     if lock.holder is not None}
        for facts in threads:
            ident = facts["ident"]
            for name in held.get(ident, []):
                facts["holds"].append((name, taken.get(name)))
            if ident in waiting:
                facts["waits_for"] = waiting[ident].name

    def held_by_me(self) -> list[str]:
        with self._lock:
            return list(self.held.get(_get_ident(), []))

    def _present(self) -> int:
        """Threads holding a lock of the group, or blocked waiting for one."""
        with self._lock:
            return len({i for i, names in self.held.items() if names} | self._waiting)

    def _wait_begins(self, lock: TrackedLock | None = None) -> None:
        with self._lock:
            self._waiting.add(_get_ident())
            if lock is not None:
                self._waiting_for[_get_ident()] = lock
        self._signal.notify_all()

    def _wait_ends(self) -> None:
        with self._lock:
            self._waiting.discard(_get_ident())
            self._waiting_for.pop(_get_ident(), None)

    def _acquired(self, name: str, waited: bool = False) -> None:
        """`waited`: the thread had to wait for this lock, so another thread held it and
        has let it go since: meeting would only make it wait for company that is gone."""
        ident = _get_ident()
        with self._lock:
            mine = self.held.setdefault(ident, [])
            mine.append(name)
            meet = bool(self.meet) and len(mine) == 1 and ident not in self._met
            if meet or (self.meet and len(mine) == 1):
                self._met.add(ident)
        _progress[0] += 1
        self._signal.notify_all()
        if meet and not waited:
            self._signal.wait_until(lambda: self._present() >= self.meet, self.meet_timeout)

    def _released(self, name: str, ident: int | None) -> None:
        with self._lock:
            for owner in ([ident] if ident in self.held else list(self.held)):
                if name in self.held.get(owner, []):
                    self.held[owner].remove(name)
                    break
        _progress[0] += 1
        self._signal.notify_all()


class TrackedLock:
    """A lock with threading.Lock's interface that reports to its LockGroup."""

    def __init__(self, group: LockGroup, name: str):
        self._group, self.name = group, name
        self._lock = _allocate_lock()
        self.holder: int | None = None
        self.taken_at: tuple | None = None  # (file, line, function) of the code that took it

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        got = self._lock.acquire(False)
        waited = False
        if not got and blocking:
            self._group._wait_begins(self)
            try:
                got = waited = self._lock.acquire(True, timeout)
            finally:
                self._group._wait_ends()
        if got:
            self.holder = _get_ident()
            if EXPLAIN:
                self.taken_at = _caller_site(sys._getframe(1))
            self._group._acquired(self.name, waited)
        return got

    def release(self) -> None:
        holder, self.holder = self.holder, None
        try:
            self._lock.release()
        except RuntimeError:
            self.holder = holder
            raise
        self._group._released(self.name, holder)

    def locked(self) -> bool:
        return self._lock.locked()

    acquire_lock = acquire
    release_lock = release
    locked_lock = locked

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc):
        self.release()
        return False

    def __repr__(self):
        return f"<TrackedLock {self.name} {'locked' if self.locked() else 'unlocked'}>"


@dataclass
class QueueLog:
    """A queue.Queue created by a call: its maxsize, what went in, and how full it got."""

    queue: Any
    maxsize: int
    puts: list = field(default_factory=list)
    putters: list = field(default_factory=list)  # ident of the thread of each put, same order
    most: int = 0


def _watched_queue_init(self, maxsize=0):
    _queue_init(self, maxsize)
    owner = _current_owner()
    if owner is not None:
        log = QueueLog(self, maxsize)
        try:
            self._t101_log = log
        except Exception:
            return
        with owner.lock:
            owner.queues.append(log)


def _watched_queue_put(self, item, block=True, timeout=None):
    _queue_put(self, item, block, timeout)
    log = getattr(self, "_t101_log", None)
    if log is not None:
        with self.mutex:
            log.puts.append(item)
            log.putters.append(_get_ident())
            log.most = max(log.most, self._qsize())




def track_requests() -> None:
    """Record which thread uses which requests.Session (Outcome.sessions: serial -> idents)."""
    import requests

    if getattr(requests.Session.send, "_t101", False):
        return
    original = requests.Session.send

    serials = iter(range(1, 1 << 62))

    def send(self, request, **kwargs):
        _progress[0] += 1
        owner = _current_owner()
        if owner is not None:
            serial = self.__dict__.get("_t101_serial")
            if serial is None:  # ids are reused once a Session is gone; serials are not
                serial = self.__dict__["_t101_serial"] = next(serials)
            with owner.lock:
                owner.sessions.setdefault(serial, set()).add(_get_ident())
        return original(self, request, **kwargs)

    send._t101 = True
    requests.Session.send = send


# --------------------------------------------------------------------------
# The hooks, added once.
# --------------------------------------------------------------------------
_installed = False


def install() -> None:
    """Hook the process so that calls can be watched (idempotent).

    Records which call started each thread (`threading.Thread.start`), keeps
    exceptions of abandoned threads quiet (`threading.excepthook`), notes a
    change of tracer while a race test traces (`sys.settrace`) and logs the
    queues a call creates (`queue.Queue.__init__` and `put`).
    """
    global _installed
    if _installed:
        return
    _installed = True
    threading.Thread.start = _tracking_start
    threading.excepthook = _quiet_excepthook
    sys.settrace = _guarded_settrace
    queue.Queue.__init__ = _watched_queue_init
    queue.Queue.put = _watched_queue_put


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
# The functions a failing test raises through, compiled under a file name of
# their own.
# --------------------------------------------------------------------------
# IPython formats a traceback with the source of every file it passes through:
# reading, tokenising and highlighting this long file took about a second, on
# the first failure of every graded notebook. The same functions compiled
# from their own source under a name that has no file on disk cost nothing
# there (and are shown as "(test code)" in stuck-thread reports).
SURFACE_FILE = "<threads101.kernel>"


def _recompile_surface() -> None:
    import __future__
    import inspect
    import textwrap

    register_test_file(SURFACE_FILE)
    flags = __future__.annotations.compiler_flag
    targets = [(Outcome, "get"), (Running, "wait"), (ThreadTracer, "__exit__"),
               (None, "call"), (None, "finishes"), (None, "together"), (None, "wait_all"),
               (None, "assert_all_finished"), (None, "assert_same_items"),
               (None, "expect_finished"), (None, "fail_race")]
    for owner, name in targets:
        original = getattr(owner, name) if owner is not None else globals()[name]
        try:
            source = textwrap.dedent(inspect.getsource(original))
            namespace: dict = {}
            exec(compile(source, SURFACE_FILE, "exec", flags=flags, dont_inherit=True),
                 globals(), namespace)
        except (OSError, TypeError, SyntaxError):
            continue  # no source at hand: keep the original
        function = namespace[name]
        if owner is None:
            globals()[name] = function
        else:
            setattr(owner, name, function)


_recompile_surface()
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
    _selfchecking[0] += 1
    try:
        check()
    finally:
        _selfchecking[0] -= 1
    print(f"{name}: passed.")
    if graded:
        import textwrap

        print(textwrap.fill(f"The graded tests also check: {' '.join(graded.split())}",
                            width=88, break_on_hyphens=False))
    return check
