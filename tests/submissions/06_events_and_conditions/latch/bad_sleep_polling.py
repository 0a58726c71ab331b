# bad: wait() polls the count every millisecond (busy-waiting), otherwise correct
# fails: latch_no_busy_wait
import threading
import time


class Latch:
    """A count that threads lower; other threads can wait until it reaches zero."""

    def __init__(self, count):
        self.count = count
        self._lock = threading.Lock()

    def count_down(self):
        """Lower the count by one, never below zero."""
        with self._lock:
            if self.count > 0:
                self.count -= 1

    def wait(self, timeout=None):
        """True once the count is zero, False if timeout seconds pass first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.count > 0:
            if deadline is not None and time.monotonic() >= deadline:
                return False
            time.sleep(0.001)
        return True
