# ok: a Lock guards the count, an Event is set once it reaches zero
import threading


class Latch:
    """A count that threads lower; other threads can wait until it reaches zero."""

    def __init__(self, count):
        self._lock = threading.Lock()
        self._zero = threading.Event()
        self.count = count
        if count == 0:
            self._zero.set()

    def count_down(self):
        """Lower the count by one, never below zero."""
        with self._lock:
            if self.count == 0:
                return
            self.count -= 1
            if self.count == 0:
                self._zero.set()

    def wait(self, timeout=None):
        """True once the count is zero, False if timeout seconds pass first."""
        return self._zero.wait(timeout)
