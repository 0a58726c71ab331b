"""Tools a test hands to student code to make races and deadlocks show up.

Races and deadlocks happen once in a while; a test must see them every time.
These tools make the threads meet where it matters, and record what they did:

- `Probe`: a function to hand to student code; records every call (arguments,
  thread, times), how many run at once, and can wait for company (`gather`);
- `Rendezvous`: lets n threads meet (or gives up after a timeout);
- `ThreadTracer`: counts the lines each thread runs in the student's code and,
  with `rendezvous=n`, makes n threads meet just before they store into the
  same global or closure variable: unprotected read-modify-write then loses
  updates every time, while a lock makes the waits time out harmlessly. While
  it traces, `_guarded_settrace` (installed as ``sys.settrace``) notes any
  change of tracer by the code under test;
- `watch_attribute`: logs every read and write of one attribute of an object
  (the log feeds fail_race's explanation);
- `LockGroup` / `TrackedLock`: locks that remember who holds them and where
  they were taken; with `meet=n`, opposite lock orders deadlock every time.

All are built on raw locks (`_Signal`), immune to patched threading classes,
and bump the progress counter (threads101.kernel.tracking) as they are used.
"""

from __future__ import annotations

import dis
import functools
import sys
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import explain
from .originals import (
    _allocate_lock,
    _get_ident,
    _monotonic,
    _sleep,
    _sys_settrace,
    _threading_active,
    _threading_settrace,
)
from .report import _caller_site, _is_library_file, _is_test_cell, recompile_surface
from .tracking import _progress


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
_LOAD_OPS = {dis.opmap[name] for name in ("LOAD_GLOBAL", "LOAD_DEREF", "LOAD_CLASSDEREF")
             if name in dis.opmap}


@functools.lru_cache(maxsize=1024)
def _shared_stores(code) -> dict[int, tuple[str, bool]]:
    """Offsets of instructions in `code` that store to a global or a closure variable:
    offset -> (name, is_global)."""
    return {ins.offset: (str(ins.argval), ins.opname == "STORE_GLOBAL")
            for ins in dis.get_instructions(code) if ins.opcode in _STORE_OPS}


@functools.lru_cache(maxsize=1024)
def _shared_loads(code) -> dict[int, tuple[str, bool]]:
    """Offsets of instructions in `code` that read a global or closure variable that `code`
    also stores into: offset -> (name, is_global)."""
    stored = {name for name, _g in _shared_stores(code).values()}
    return {ins.offset: (str(ins.argval), ins.opname == "LOAD_GLOBAL")
            for ins in dis.get_instructions(code) if ins.opcode in _LOAD_OPS and ins.argval in stored}


_UNSET = object()


def most_written(log: list) -> str | None:
    """In a log of (name, Access) pairs: the name written by the most threads."""
    writers: dict[str, set] = {}
    for name, access in log:
        if access.kind == "set":
            writers.setdefault(name, set()).add(access.ident)
    return max(writers, key=lambda n: len(writers[n]), default=None)


def _peek(frame, name: str, is_global: bool):
    """The value of a global or closure variable as `frame` sees it (reads no user code)."""
    if is_global:
        return frame.f_globals.get(name, _UNSET)
    return frame.f_locals.get(name, _UNSET)  # free variables are in f_locals in a trace call


class ThreadTracer:
    """Traces the threads started inside the block, in the student's code only.

    - `lines[thread]`: how many lines of notebook code each thread (a
      Thread object) executed, which tells how much work each thread did;
    - with `rendezvous=n`: the first `stores_per_name` times a thread is about
      to store into a global or closure variable, it waits (at most
      `rendezvous_timeout` s) until n threads are about to store into that same
      name. Unprotected read-modify-write of shared variables then loses
      updates every time, while a lock makes the waits time out harmlessly.
      The reads and writes of that name up to each thread's last forced store
      are recorded (`accesses(name)`, for fail_race's timeline): the part of
      the run the rendezvous made the same every time.
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
        self._log: list[tuple[str, Access]] = []  # (name, access)
        self._pending: dict[int, tuple] = {}  # ident -> (frame, name, is_global) of a store

    def accesses(self, name: str | None = None) -> list[Access]:
        """The recorded reads ("get") and writes ("set") of `name` (default: the
        shared_name()), in the order they happened."""
        name = name or self.shared_name()
        return [a for n, a in self._log if n == name]

    def shared_name(self) -> str | None:
        """The variable written by the most threads (the one a race is about)."""
        return most_written(self._log)

    def _record(self, name: str, kind: str, value, ident: int, thread) -> None:
        if value is not _UNSET and len(self._log) < 400:
            self._log.append((name, Access(kind, value, ident, _monotonic(), thread)))

    def _global_trace(self, frame, event, arg):
        filename = frame.f_code.co_filename
        if event != "call" or _is_library_file(filename) or _is_test_cell(filename):
            return None
        if self.rendezvous:
            # f_trace first: from 3.12 (tracing on sys.monitoring) f_trace_opcodes turns
            # opcode events on only for a frame that is traced already (CPython gh-103615),
            # and a frame missed so would never meet the others at its store.
            frame.f_trace = self._local_trace
            frame.f_trace_opcodes = True
        return self._local_trace

    def _local_trace(self, frame, event, arg):
        # Keyed by Thread object: thread idents are reused as soon as a thread ends.
        me = _get_ident()
        ident = _threading_active.get(me)
        if event == "line":
            self.lines[ident] = self.lines.get(ident, 0) + 1
        elif event == "opcode" and self.rendezvous:
            pending = self._pending.pop(me, None)
            if pending is not None and pending[0] is frame:  # the store has just been made
                self._record(pending[1], "set", _peek(frame, pending[1], pending[2]), me, ident)
            code, offset = frame.f_code, frame.f_lasti
            load = _shared_loads(code).get(offset)
            if load is not None and self._stores.get((ident, load[0]), 0) < self.stores_per_name:
                self._record(load[0], "get", _peek(frame, *load), me, ident)
            store = _shared_stores(code).get(offset)
            if store is not None:
                name = store[0]
                key = (ident, name)
                done = self._stores.get(key, 0)
                if done < self.stores_per_name:
                    self._stores[key] = done + 1
                    self._pending[me] = (frame, name, store[1])
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
# Watching attributes that student code uses.
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


# --------------------------------------------------------------------------
# Locks that remember who holds them.
# --------------------------------------------------------------------------
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
            if explain.EXPLAIN:
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


recompile_surface(globals(), [(ThreadTracer, "__exit__")])
