"""Which threads and queues belong to which call, and the progress counter.

A call run by threads101.kernel.calls gets an `_Owner`; everything its code
starts or creates, in its own thread or in any thread started from it, is
recorded there, through hooks that `install()` (kernel.calls) adds:

- `_tracking_start` replaces ``threading.Thread.start``: the new thread
  belongs to the starter's call (and, with explanations on, remembers the
  line that started it); its run() is wrapped so that its end is noted and it
  can be held at the call's finish gate (`reverse_finish`);
- `_quiet_excepthook` replaces ``threading.excepthook``: threads stopped with
  ThreadAbandoned end quietly, other exceptions of a call's threads are kept;
- `_watched_queue_init` and `_watched_queue_put` replace ``queue.Queue``'s: a
  queue created by a call gets a QueueLog (its puts, by which thread, and how
  full it got).

Threads started behind threading's back (``_thread.start_new_thread``) belong
to no call: they do not count as the exercise's threads.

Progress
--------
The hang detector (kernel.calls) needs to know whether the code under test is
still doing something a test can see. The kit keeps one cheap global counter,
`_progress[0]`, bumped by its own hooks: a Probe call starts or ends, a
Rendezvous is reached, a LockGroup lock is taken or released, a watched
attribute is written, a requests Session sends (kernel.watch), a thread of a
call starts or finishes. Racy increments are fine: only "has it changed"
matters. Queue puts and gets are not progress: a loop that takes an item and
puts it back would look busy forever.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import explain
from .originals import (
    _allocate_lock,
    _excepthook,
    _get_ident,
    _queue_init,
    _queue_put,
    _thread_start,
    _threading_active,
)
from .report import _caller_site

if TYPE_CHECKING:
    from .calls import _FinishGate

#: Bumped whenever the code under test does something a test can see (see above).
_progress = [0]


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
            if explain.EXPLAIN:
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


def _quiet_excepthook(args):
    if isinstance(args.exc_value, ThreadAbandoned):
        return
    owner = getattr(args.thread, "_t101_owner", None)
    if owner is not None:
        with owner.lock:
            owner.thread_errors.append((getattr(args.thread, "name", "?"), args.exc_value))
    _excepthook(args)


# --------------------------------------------------------------------------
# Which queues belong to which call.
# --------------------------------------------------------------------------
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
