# ok: __slots__, an RLock-based Condition notified on every step; wait_for re-checks each time
import threading


class Latch:
    """A count that threads lower; other threads can wait until it reaches zero."""

    __slots__ = ("count", "_cond")

    def __init__(self, count):
        self.count = count
        self._cond = threading.Condition(threading.RLock())

    def count_down(self):
        """Lower the count by one, never below zero."""
        with self._cond:
            if self.count:
                self.count -= 1
                self._cond.notify_all()

    def wait(self, timeout=None):
        """True once the count is zero, False if timeout seconds pass first."""
        with self._cond:
            return self._cond.wait_for(lambda: self.count == 0, timeout=timeout)
