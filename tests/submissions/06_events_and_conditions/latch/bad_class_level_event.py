# bad: the lock and the Event are class attributes, so one latch reaching zero releases every latch
# fails: latch_wait latch_timeout latch_wakes_all
import threading


class Latch:
    """A count that threads lower; other threads can wait until it reaches zero."""

    _lock = threading.Lock()
    _zero = threading.Event()

    def __init__(self, count):
        self.count = count
        if count == 0:
            self._zero.set()

    def count_down(self):
        """Lower the count by one, never below zero."""
        with self._lock:
            if self.count > 0:
                self.count -= 1
                if self.count == 0:
                    self._zero.set()

    def wait(self, timeout=None):
        """True once the count is zero, False if timeout seconds pass first."""
        return self._zero.wait(timeout)
