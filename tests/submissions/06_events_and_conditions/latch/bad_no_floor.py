# bad: count_down keeps lowering the count below zero
# fails: latch_count latch_concurrent_count_down
import threading


class Latch:
    """A count that threads lower; other threads can wait until it reaches zero."""

    def __init__(self, count):
        self.count = count
        self._cond = threading.Condition()

    def count_down(self):
        """Lower the count by one."""
        with self._cond:
            self.count -= 1
            if self.count == 0:
                self._cond.notify_all()

    def wait(self, timeout=None):
        """True once the count is zero, False if timeout seconds pass first."""
        with self._cond:
            return self._cond.wait_for(lambda: self.count <= 0, timeout)
