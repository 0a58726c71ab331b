# bad: checks the count once (if, not while) and count_down notifies on every step, so waiters give up early
# fails: latch_wakes_all
import threading


class Latch:
    """A count that threads lower; other threads can wait until it reaches zero."""

    def __init__(self, count):
        self.count = count
        self._cond = threading.Condition()

    def count_down(self):
        """Lower the count by one, never below zero, and tell the waiters."""
        with self._cond:
            if self.count > 0:
                self.count -= 1
            self._cond.notify_all()

    def wait(self, timeout=None):
        """True once the count is zero, False if timeout seconds pass first."""
        with self._cond:
            if self.count > 0:
                self._cond.wait(timeout)
            return self.count == 0
