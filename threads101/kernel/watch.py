"""Watching how a call's threads wait, and which HTTP sessions they use.

- `measure_waiting`: the CPU time and wake-ups of some threads (or of a Running
  call's) over a moment, as a WaitUsage: a thread that waits by sleeping on a
  lock, an event or a queue uses next to nothing; one that spins or polls
  with short sleeps shows up as `busy`;
- `track_requests`: records which thread of a call sends with which
  requests.Session (Outcome.sessions: serial -> thread idents), and counts
  each send as progress. It imports requests, lazily, when a test calls it.

The queues a call creates are watched by threads101.kernel.tracking (QueueLog).
"""

from __future__ import annotations

from dataclasses import dataclass

from .calls import Running
from .linux import _task_stat
from .originals import _get_ident, _monotonic, _sleep
from .tracking import _current_owner, _progress


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
# Which thread uses which requests.Session.
# --------------------------------------------------------------------------
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
