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
import sys
import sysconfig
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

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

#: Seconds a self-contained call may take before it counts as hung.
DEFAULT_BUDGET = 3.0
#: How long every thread of a call must stay blocked forever before we call it a deadlock.
DEADLOCK_CONFIRM = 0.25


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
    if owner is not None:
        try:
            self._t101_owner = owner
        except Exception:
            pass
        owner.add_thread(self)
    return _thread_start(self)


_tracking_start.__doc__ = _thread_start.__doc__


class ThreadAbandoned(BaseException):
    """Raised inside a thread of a call that overran its budget, to stop it if it spins."""


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


_HIDDEN_FRAMES = {("threading.py", "_bootstrap"), ("threading.py", "_bootstrap_inner"),
                  ("threading.py", "run"), ("calls.py", "_run"), ("calls.py", "_runner"),
                  ("checks.py", "_run"), ("checks.py", "_runner")}


def format_stack(frame, limit: int = 8) -> list[str]:
    """The interesting part of a thread's stack, innermost last."""
    lines = []
    for fs in traceback.extract_stack(frame):
        short = _short_file(fs.filename)
        if (short, fs.name) in _HIDDEN_FRAMES:
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

    @property
    def finished(self) -> bool:
        return not self.hung

    def get(self) -> Any:
        """The call's value; raises AssertionError if it hung, or the call's own exception."""
        if self.hung:
            raise AssertionError(self.report)
        if self.error is not None:
            raise self.error
        return self.value

    def hang_message(self) -> str:
        return self.report


class Running:
    """A call started in its own thread; wait for it with a budget."""

    def __init__(self, fn: Callable, args: tuple = (), kwargs: dict | None = None,
                 label: str | None = None):
        install()
        kwargs = kwargs or {}
        self.label = label or describe_call(fn, args, kwargs)
        self.owner = _Owner(self.label)
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
            self._done.release()

    def done(self) -> bool:
        return self.end_time is not None

    # -- threads of this call ------------------------------------------------
    def _live_threads(self) -> list[tuple[str, int | None, int | None]]:
        out = []
        if not self.owner.runner_done:
            out.append((f"the thread running {self.label}", self.owner.runner_ident,
                        self.owner.runner_native))
        with self.owner.lock:
            started = list(self.owner.threads)
        for t in started:
            if _alive(t):
                out.append((_thread_name(t), t.ident, getattr(t, "_native_id", None)))
        return out

    def blocked_forever(self) -> bool:
        """Is every live thread of the call blocked with no timeout right now?"""
        if _FUTEX is None:
            return False
        threads = self._live_threads()
        if not threads:
            return False
        for _name, ident, native in threads:
            if ident is None or native is None:
                return False  # a thread is being started
            if _syscall_state(native) != "forever":
                return False
        return True

    def wait(self, budget: float = DEFAULT_BUDGET, self_contained: bool = True) -> Outcome:
        """Wait at most `budget` seconds for the call to finish.

        With `self_contained` (nothing outside the call will ever release its
        threads), a call whose every thread is blocked forever is declared a
        deadlock as soon as that is sure, instead of waiting out the budget.
        """
        deadline = _monotonic() + budget
        while True:
            verdict = self._poll(self_contained)
            if verdict is not None:
                return self._outcome(verdict == "deadlock", verdict == "deadlock", budget)
            remaining = deadline - _monotonic()
            if remaining <= 0:
                return self._outcome(True, False, budget)
            if self._done.acquire(True, min(remaining, 0.05)):
                self._done.release()

    def _poll(self, self_contained: bool = True) -> str | None:
        """'done', 'deadlock' (blocked forever for DEADLOCK_CONFIRM seconds), or None."""
        if self.done():
            return "done"
        if self_contained and self.blocked_forever():
            now = _monotonic()
            self._blocked_since = self._blocked_since or now
            if now - self._blocked_since >= DEADLOCK_CONFIRM:
                return "deadlock"
        else:
            self._blocked_since = None
        return None

    def _outcome(self, hung: bool, deadlock: bool, budget: float) -> Outcome:
        with self.owner.lock:
            threads = list(self.owner.threads)
            errors = list(self.owner.thread_errors)
        out = Outcome(
            label=self.label, budget=budget, started_at=self.start_time, returned_at=self.end_time,
            threads=threads, queues=list(self.owner.queues),
            sessions={k: set(v) for k, v in self.owner.sessions.items()}, thread_errors=errors,
        )
        if hung:
            out.hung, out.deadlock = True, deadlock
            out.elapsed = _monotonic() - self.start_time
            if deadlock:
                head = (f"{self.label} is deadlocked: every one of its threads is blocked "
                        f"forever, waiting for something no thread will ever do "
                        f"(seen after {out.elapsed:.1f} s).")
            else:
                head = f"{self.label} did not finish within {budget:g} s."
            out.report = f"{head}\nWhere its threads are stuck:\n{thread_report(self._live_threads())}"
            self.abandon()
        else:
            out.value, out.error = self.value, self.error
            out.elapsed = self.end_time - self.start_time
            out.alive_at_return = list(self.alive_at_return)
        return out

    def abandon(self) -> None:
        """Stop the threads of a hung call that still run Python code (spinning, polling).

        Threads blocked forever are left alone: they cost nothing. The others
        get a ThreadAbandoned exception, which ends them unless they catch it.
        """
        targets = [ident for _name, ident, native in self._live_threads()
                   if ident is not None and _syscall_state(native) != "forever"]
        _stop_threads(targets)


class _Flush(BaseException):
    pass


def _set_async_exc(ident: int, exc) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident),
                                               ctypes.py_object(exc) if exc else None)


def _stop_threads(idents: list[int], grace: float = 0.2) -> None:
    """Raise ThreadAbandoned in each thread; withdraw it from threads that do not take it.

    CPython keeps an interpreter-wide "async exception pending" flag until some
    thread takes one; a flag left set slows every thread down and can hang
    traced threads. So whatever happens, finish by having a throw-away thread
    of ours take one exception, which clears the flag.
    """
    if not idents:
        return
    for ident in idents:
        _set_async_exc(ident, ThreadAbandoned)
    deadline = _monotonic() + grace
    while _monotonic() < deadline and any(i in _current_frames() for i in idents):
        _sleep(0.01)
    for ident in idents:
        if ident in _current_frames():
            _set_async_exc(ident, None)
    _clear_async_flag()


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


def _alive(thread: threading.Thread) -> bool:
    try:
        return _thread_is_alive(thread)
    except Exception:
        return False


def _thread_name(thread: threading.Thread) -> str:
    try:
        return f"thread {thread.name!r}"
    except Exception:
        return "a thread"


def start(fn: Callable, *args, label: str | None = None, **kwargs) -> Running:
    """Start fn(*args, **kwargs) in its own thread and return at once."""
    return Running(fn, args, kwargs, label)


def call(fn: Callable, *args, budget: float = DEFAULT_BUDGET, label: str | None = None,
         **kwargs) -> Outcome:
    """Run fn(*args, **kwargs) with a time budget; never raises, returns an Outcome."""
    return Running(fn, args, kwargs, label).wait(budget)


def finishes(fn: Callable, *args, budget: float = DEFAULT_BUDGET, label: str | None = None,
             **kwargs) -> Any:
    """Run fn(*args, **kwargs) with a time budget and return its value.

    If it does not finish in time, fail with a report of where its threads are
    stuck; if it raises, the exception propagates.
    """
    return call(fn, *args, budget=budget, label=label, **kwargs).get()


def together(budget: float, calls: dict[str, Callable[[], Any]]) -> dict[str, Outcome]:
    """Run several zero-argument calls at the same time, all under one budget.

    Each call is judged on its own: finished, deadlocked (seen as soon as it
    is sure, for all calls at once), or hung when the shared budget runs out.
    """
    running = {name: Running(fn, label=name) for name, fn in calls.items()}
    deadline = _monotonic() + budget
    verdicts: dict[str, str] = {}
    while len(verdicts) < len(running):
        for name, r in running.items():
            if name not in verdicts:
                verdict = r._poll()
                if verdict is not None:
                    verdicts[name] = verdict
        if _monotonic() >= deadline:
            break
        if len(verdicts) < len(running):
            _sleep(0.02)
    out = {}
    for name, r in running.items():
        verdict = verdicts.get(name) or r._poll() or "timeout"
        out[name] = r._outcome(verdict != "done", verdict == "deadlock", budget)
    return out


def assert_all_finished(outcome: Outcome, what: str = "threads") -> None:
    """Fail if the call returned while some of the threads it started were still running."""
    if outcome.alive_at_return:
        names = ", ".join(_thread_name(t) for t in outcome.alive_at_return)
        raise AssertionError(
            f"{outcome.label} returned while {len(outcome.alive_at_return)} of the "
            f"{len(outcome.threads)} {what} it started were still running ({names}). "
            f"Wait for every thread (join them all) before returning.")


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
        deadline = _monotonic() + self.timeout
        while True:
            with self._lock:
                if self.arrived >= target:
                    self._signal.notify_all()
                    return True
            remaining = deadline - _monotonic()
            if remaining <= 0:
                return False
            self._signal.wait(min(remaining, 0.05))


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
        self._signal.notify_all()
        try:
            if self.gather:
                deadline = _monotonic() + self.gather_timeout
                while self.max_overlap < self.gather and _monotonic() < deadline:
                    self._signal.wait(min(0.05, deadline - _monotonic()))
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

    def __repr__(self) -> str:
        return f"<{self.__name__}: a test function, called {len(self.calls)} times>"

    def wait_calls(self, n: int, timeout: float) -> bool:
        """Wait (at most `timeout` s) until the probe has been called n times."""
        deadline = _monotonic() + timeout
        while len(self.calls) < n and _monotonic() < deadline:
            self._signal.wait(min(0.05, deadline - _monotonic()))
        return len(self.calls) >= n

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
    """Traces the threads started inside the block, in code that is not library code.

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
        if event != "call" or _is_library_file(frame.f_code.co_filename):
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
        log.append(Access("get", value, _get_ident(), _monotonic()))
        return value

    def setter(self, value):
        if on_set is not None:
            on_set(self, value)
        log.append(Access("set", value, _get_ident(), _monotonic()))
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
        self._signal = _Signal()

    def lock(self, name: str) -> TrackedLock:
        return TrackedLock(self, name)

    def held_by_me(self) -> list[str]:
        with self._lock:
            return list(self.held.get(_get_ident(), []))

    def _present(self) -> int:
        """Threads holding a lock of the group, or blocked waiting for one."""
        with self._lock:
            return len({i for i, names in self.held.items() if names} | self._waiting)

    def _wait_begins(self) -> None:
        with self._lock:
            self._waiting.add(_get_ident())
        self._signal.notify_all()

    def _wait_ends(self) -> None:
        with self._lock:
            self._waiting.discard(_get_ident())

    def _acquired(self, name: str) -> None:
        ident = _get_ident()
        with self._lock:
            mine = self.held.setdefault(ident, [])
            mine.append(name)
            meet = bool(self.meet) and len(mine) == 1 and ident not in self._met
            if meet:
                self._met.add(ident)
        self._signal.notify_all()
        if meet:
            deadline = _monotonic() + self.meet_timeout
            while self._present() < self.meet and _monotonic() < deadline:
                self._signal.wait(min(0.02, deadline - _monotonic()))

    def _released(self, name: str, ident: int | None) -> None:
        with self._lock:
            for owner in ([ident] if ident in self.held else list(self.held)):
                if name in self.held.get(owner, []):
                    self.held[owner].remove(name)
                    break


class TrackedLock:
    """A lock with threading.Lock's interface that reports to its LockGroup."""

    def __init__(self, group: LockGroup, name: str):
        self._group, self.name = group, name
        self._lock = _allocate_lock()
        self.holder: int | None = None

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        got = self._lock.acquire(False)
        if not got and blocking:
            self._group._wait_begins()
            try:
                got = self._lock.acquire(True, timeout)
            finally:
                self._group._wait_ends()
        if got:
            self.holder = _get_ident()
            self._group._acquired(self.name)
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
# Self-checks in the student notebooks.
# --------------------------------------------------------------------------
def grading() -> bool:
    """True while nbgrader autogrades (it sets NBGRADER_EXECUTION=autograde)."""
    return _environ_get("NBGRADER_EXECUTION") == "autograde"


def selfcheck(check: Callable[[], Any]) -> Callable[[], Any]:
    """Decorator for a self-check cell: runs the check now and says it passed.

    While nbgrader autogrades, the check is skipped: the graded tests that
    follow it check the same things, and more.
    """
    name = getattr(check, "__name__", "check")
    if grading():
        print(f"{name}: skipped while autograding (the graded tests below take over).")
        return check
    check()
    print(f"{name}: passed.")
    return check
