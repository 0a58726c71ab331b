"""Running a call of the code under test under a time budget, and judging how it ends.

`start` runs fn(*args, **kwargs) in a thread of its own and returns a Running;
`Running.wait`, `call`, `finishes`, `together` and `wait_all` wait for one or
several such calls under a budget and return Outcomes: the value or exception,
the threads the call started (kernel.tracking) and those still alive when it
returned, the queues and sessions it used, or, if it did not finish, whether it
deadlocked, stalled or ran out of time, with a report of where its threads are
stuck (kernel.report) and the facts an explanation is built from (kernel.explain).

`install()`, here because every call needs it (Running calls it on first use;
the grading kernel calls it before any cell runs, see nbgrader_config.py), adds
the hooks of kernel.tracking and kernel.races to the process.

How a hang is recognised
------------------------
A call that does not finish is judged by what its threads do, as seen from
Linux (kernel.linux), not by the clock alone:

- *blocked*: every live thread of the call waits with no timeout (a lock,
  join, event or queue get) and none of them has run since the last look
  (their schedstat counters did not move): nothing inside the call can ever
  wake them, so it is a deadlock, reported after DEADLOCK_CONFIRM seconds;
- *running without progress* (opt-in, `stall=` seconds): a call whose
  progress counter (kernel.tracking) has not moved for `stall` seconds while
  its threads used CPU or woke up often (more than 15 % of a CPU, or 40
  wake-ups a second: a busy loop, or a poll with short sleeps) is a hang at
  once, unless one of its threads sat quietly in one long sleep, timed wait
  or I/O meanwhile (the busy ones may be polling for it). Threads that sleep
  or wait quietly are never cut short, however long one call takes: they run
  into the budget as before. A test that opts in must choose `stall` longer
  than any quiet-but-busy stretch a correct solution may have (for instance
  an idle timeout timed by hand);
- anything else runs into its `budget`.

Abandoning a hung call
----------------------
The threads of a hung call that still run Python code get ThreadAbandoned;
the few that survive it (they catch BaseException) are retried in the
background (`_Reaper`), and while one of them runs the interpreter switches
threads more often (GIL builds) or the thread gets the lowest priority
(free-threaded builds), so that it slows the rest of the notebook as little as
possible. While a test waits for a call, a GIL build switches threads every
0.5 ms, so that a call spinning with the GIL held cannot slow the watching down.

reverse_finish
--------------
With `reverse_finish=True` the threads a call starts are held just before
they end (`_FinishGate`) and let go one at a time, the last-started first,
each once the call has settled: a function that joins only some of its threads
then returns while the others are still alive, every time. (The hold sits in a
wrapper around each such thread's run(), set up when the thread starts.)

A call that raises NotImplementedError (an exercise not done yet) makes the
waiting test fail with NotImplementedYet: "<name> is not implemented yet."
Outcome.get() raises Deadlock or Hang (threads101.kernel.outcomes) for a hung
call, with its explanation (kernel.explain).
"""

from __future__ import annotations

import ctypes
import os
import queue
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import explain
from . import outcomes as _failures
from .outcomes import NotImplementedYet
from .linux import (
    _FUTEX,
    _cpu_seconds,
    _looks_busy,
    _ran_counter,
    _stays_blocked,
    _syscall_state,
    _usage_between,
    _usage_of,
)
from .originals import (
    _FREE_THREADED,
    _allocate_lock,
    _current_frames,
    _DummyThread,
    _get_ident,
    _get_native_id,
    _getswitchinterval,
    _monotonic,
    _setpriority,
    _setswitchinterval,
    _sleep,
    _start_new_thread,
    _thread_is_alive,
    _threading_active,
    _threading_active_lock,
)
from .races import _guarded_settrace, _live_lock_groups
from .report import (
    _is_library_file,
    _is_test_code,
    _plain_name,
    _thread_name,
    describe_call,
    recompile_surface,
    thread_report,
)
from .tracking import (
    _Owner,
    _progress,
    _quiet_excepthook,
    _runner_owners,
    _tracking_start,
    _watched_queue_init,
    _watched_queue_put,
    ThreadAbandoned,
)

#: Seconds a self-contained call may take before it counts as hung.
DEFAULT_BUDGET = 3.0
#: How long every thread of a call must stay blocked forever, none of them running
#: meanwhile, before we call it a deadlock.
DEADLOCK_CONFIRM = 0.05
#: How often a waiting test looks at the threads of the call it waits for.
_TICK = 0.01



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

    def explanation(self) -> dict | None:
        """Why the call hung (deadlock or hang), as threads101.kernel.explain builds it."""
        if not self.hung or self.facts is None:
            return None
        return explain.explain_hang(self)

    def hang_failure(self, hint: str = "", after: str = "") -> AssertionError:
        """The Deadlock or Hang a test raises for this hung call: `hint`, the report, `after`,
        then the explanation; the explanation is also shown as structured data."""
        if hint and not hint.endswith("\n"):
            hint += "\n"
        cls = _failures.Deadlock if self.deadlock else _failures.Hang
        return explain._failure(cls, hint + self.report + after, self.explanation())


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
        self._waits = _QuietWaits()  # what the call's threads did since then
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
            self._new_stretch(count, now, _usage_of(natives), stall)
            return None
        self._waits.look(natives, now)
        _count, since, before = self._mark
        seconds = now - since
        if seconds < stall:
            return None
        after = _usage_of(natives)
        busy, quiet_wait = False, self._waits.some_thread_sat_quietly()
        detail = {}
        for n, usage in after.items():
            cpu, wake = _usage_between({n: before.get(n, (0.0, 0))}, {n: usage})
            detail[n] = (cpu, wake, seconds)
            if _looks_busy(cpu, wake, seconds):
                busy = True
            elif _syscall_state(n) in _QuietWaits.STATES:
                quiet_wait = True
        if busy and not quiet_wait:
            self._quiet_for = seconds
            self._stall_usage = _usage_between(before, after)
            self._stall_detail = detail
            return "stalled"
        self._new_stretch(count, now, after, stall)  # judge the next stretch on its own
        return None

    def _new_stretch(self, count: int, now: float, usage: dict, stall: float) -> None:
        """Start judging a stretch without progress from `now`."""
        self._mark = (count, now, usage)
        self._waits = _QuietWaits(max(0.05, stall / 3))

    def _step_gate(self, now: float) -> None:
        """Let the held threads go, the last-started first, each once the call has settled.

        Settled: every other live thread of the call is blocked forever and has not
        run since the last release (it was not waiting for the thread that just
        ended), or has been blocked forever, unmoved, for a tick. If some wait with
        timeouts or sleep, the next one goes after 20 ms, or 40 ms if they woke up
        or ran meanwhile (a poll takes a moment to notice that a thread has ended),
        or as soon as they have run 5 ms of CPU since (time enough to notice).
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
            cpu, woke = _usage_between(before, usage)
            busy = busy or was_busy or woke > 0
            self._settle = (since, before, None, busy)
            if now - since < (0.04 if busy else 0.02) and cpu < 0.005:
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
            out.facts = self._hang_facts(verdict, out.elapsed) if explain.EXPLAIN else None
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
        those that survive it get it again a few times at once, then are retried
        in the background (see _Reaper).
        """
        if self.owner.gate is not None:
            self.owner.gate.open()
        targets = [(ident, native) for _name, ident, native in self._live_threads()
                   if ident is not None and not _stays_blocked(native)]
        survivors = _stop_threads(targets)
        for _ in range(_RETRIES):  # most threads that caught it are stopped by a retry or two
            if not survivors:
                return
            survivors = _stop_threads(survivors, grace=0.05)
        if survivors:
            _reaper.add(survivors)


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


# --------------------------------------------------------------------------
# Stopping the threads of a hung call.
# --------------------------------------------------------------------------
class _Flush(BaseException):
    pass


def _set_async_exc(ident: int, exc) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident),
                                               ctypes.py_object(exc) if exc else None)


_stop_lock = _allocate_lock()


def _stop_threads(targets: list, grace: float = 0.2) -> list:
    """Raise ThreadAbandoned in each (ident, native_id); withdraw it from threads that do not
    take it within `grace` seconds. Returns the survivors (the caller retries them or hands
    them to the reaper).

    The wait ends as soon as every target has ended, or has run a few milliseconds
    of CPU since the exception was raised in it and is still alive (a thread
    running Python code takes the exception within microseconds, so it caught it,
    say in a polling loop with a bare ``except:``, or is still cleaning up), or is
    blocked with no timeout in two looks without running between them (the
    exception, landing while it held a lock, left it waiting for that lock
    forever). The reaper sees to the survivors, without keeping the test waiting.

    CPython keeps an interpreter-wide "async exception pending" flag (3.11, 3.12;
    per thread from 3.13) until some thread takes one; a flag left set slows every
    thread down and can hang traced threads. So whatever happens, finish by having
    a throw-away thread of ours take one exception, which clears the flag.
    """
    targets = [t if isinstance(t, tuple) else (t, None) for t in targets]
    if not targets:
        return []
    with _stop_lock:
        cpu_before = {n: _cpu_seconds(n) for _i, n in targets}
        for ident, _n in targets:
            _set_async_exc(ident, ThreadAbandoned)
        deadline = _monotonic() + grace
        blocked_before: dict = {}
        while True:
            frames = _current_frames()
            left = [(i, n) for i, n in targets if i in frames]
            blocked = {n: _ran_counter(n) for _i, n in left
                       if n is not None and _syscall_state(n) == "forever"}
            waiting = [(i, n) for i, n in left if not _ran_since(n, cpu_before.get(n))
                       and not (n in blocked and blocked_before.get(n) == blocked[n])]
            if not waiting or _monotonic() >= deadline:
                break
            blocked_before = blocked
            _sleep(0.002)
        for ident, _n in left:
            _set_async_exc(ident, None)
        _clear_async_flag()
    return [(i, n) for i, n in left if _syscall_state(n) != "gone" and not _stays_blocked(n)]


#: How many times abandon() raises ThreadAbandoned again, at once, in threads that caught it
#: (each time it lands somewhere else: outside the thread's try block, sooner or later).
_RETRIES = 4

#: CPU a target runs, after ThreadAbandoned was raised in it, before it counts as having
#: taken the exception (see _stop_threads).
_TAKE_CPU = 0.003


def _ran_since(native_id: int | None, cpu_before: float | None) -> bool:
    """True if the thread ran _TAKE_CPU seconds of CPU since `cpu_before` (None: unknown)."""
    if cpu_before is None:
        return False
    now = _cpu_seconds(native_id)
    return now is not None and now - cpu_before >= _TAKE_CPU


def _clear_async_flag() -> None:
    box: list[int] = []
    started, finished = _allocate_lock(), _allocate_lock()
    started.acquire()
    finished.acquire()

    def spin(deadline):
        while _monotonic() < deadline:
            pass

    def take_one():
        box.append(_get_ident())
        started.release()
        try:
            # The loop in a function of its own: 3.13 compiles a tight loop's jump back
            # outside the try block's range (CPython gh-130279), and the exception landing
            # there would skip both handlers, leaving finished unreleased for 3 s.
            spin(_monotonic() + 2.0)
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
        self._pause = 0.005

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
            self._pause = 0.005  # new zombies: try soon again
        self._switch_fast()
        if start:
            _start_new_thread(self._loop, ())

    def _switch_fast(self) -> None:
        _switching.update(zombies=True)

    def _loop(self) -> None:
        # Soon and often at first: a thread that caught ThreadAbandoned in a polling loop
        # is usually stopped by one of the next few tries (when the exception lands
        # outside its try block), before the next test has gone far.
        while True:
            with self._lock:
                pause = self._pause
                self._pause = min(pause * 1.5, 1.0)
            _sleep(pause)
            frames = _current_frames()
            with self._lock:
                for ident in [i for i in self.zombies if i not in frames]:
                    del self.zombies[ident]
                if not self.zombies:
                    self._running = False
                    _switching.update(zombies=False)
                    return
                candidates = list(self.zombies.items())
            live = [(i, n) for i, n in candidates
                    if _syscall_state(n) != "gone" and not _stays_blocked(n)]
            if live:
                _stop_threads(live, grace=0.1)


_reaper = _Reaper()


class _QuietWaits:
    """Whether a thread of a call sat in one long wait during a stall window.

    Looked at on each tick of the window: a thread in a sleep, a timed wait or I/O
    whose ran counter does not move from one look to the next is inside one wait.
    One such stretch of at least `long_wait` seconds (longer than the 25 ms between
    the wake-ups of the slowest poll that counts as busy) means the thread sat in a
    long wait, even if it has just woken up, as its sleep ended with the window.
    """

    STATES = ("sleeping", "timed", "io")

    def __init__(self, long_wait: float = 0.05):
        self.long_wait = long_wait
        self.longest = 0.0
        self._in_wait: dict[int, tuple[str | None, float]] = {}  # native -> (ran, since)

    def look(self, natives, now: float) -> None:
        for n in natives:
            if n is None:
                continue
            if _syscall_state(n) not in self.STATES:
                self._in_wait.pop(n, None)
                continue
            ran = _ran_counter(n)
            seen = self._in_wait.get(n)
            if seen is not None and ran is not None and seen[0] == ran:
                self.longest = max(self.longest, now - seen[1])
            else:
                self._in_wait[n] = (ran, now)

    def some_thread_sat_quietly(self) -> bool:
        return self.longest >= self.long_wait


def _alive(thread: threading.Thread) -> bool:
    try:
        return _thread_is_alive(thread)
    except Exception:
        return False


# --------------------------------------------------------------------------
# Running calls: the functions tests use.
# --------------------------------------------------------------------------
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


# --------------------------------------------------------------------------
# The hooks, added once.
# --------------------------------------------------------------------------
_installed = False


def install() -> None:
    """Hook the process so that calls can be watched (idempotent).

    Records which call started each thread (`threading.Thread.start`), keeps
    exceptions of abandoned threads quiet (`threading.excepthook`), notes a
    change of tracer while a race test traces (`sys.settrace`) and logs the
    queues a call creates (`queue.Queue.__init__` and `put`). The hooks themselves are
    kernel.tracking's and, for `sys.settrace`, kernel.races'.
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


recompile_surface(globals(), [(Outcome, "get"), (Running, "wait"), (None, "call"),
                               (None, "finishes"), (None, "together"), (None, "wait_all")])
