# bad: notify() instead of notify_all(): only one waiting thread wakes up at zero
# fails: latch_wakes_all
import threading


class Latch:
    """A count that threads lower; other threads can wait until it reaches zero."""

    def __init__(self, count):
        self.count = count
        self._cond = threading.Condition()

    def count_down(self):
        """Lower the count by one, never below zero."""
        with self._cond:
            if self.count > 0:
                self.count -= 1
                if self.count == 0:
                    self._cond.notify()

    def wait(self, timeout=None):
        """True once the count is zero, False if timeout seconds pass first."""
        with self._cond:
            return self._cond.wait_for(lambda: self.count == 0, timeout)
