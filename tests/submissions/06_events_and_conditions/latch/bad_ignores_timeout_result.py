# bad: wait() ignores wait_for's result and returns True even when the timeout ran out
# fails: latch_timeout
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
                self._cond.notify_all()

    def wait(self, timeout=None):
        """Wait until the count is zero."""
        with self._cond:
            self._cond.wait_for(lambda: self.count == 0, timeout)
        return True
