# bad: the count is lowered without a lock, so colliding count_down() calls are lost
# fails: latch_concurrent_count_down
import threading


class Latch:
    """A count that threads lower; other threads can wait until it reaches zero."""

    def __init__(self, count):
        self.count = count
        self._zero = threading.Event()
        if count == 0:
            self._zero.set()

    def count_down(self):
        """Lower the count by one, never below zero."""
        if self.count > 0:
            self.count -= 1
            if self.count == 0:
                self._zero.set()

    def wait(self, timeout=None):
        """True once the count is zero, False if timeout seconds pass first."""
        return self._zero.wait(timeout)
