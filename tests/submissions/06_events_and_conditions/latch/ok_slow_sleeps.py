# ok: slow on purpose: count_down sleeps under its lock, wait waits in 0.1 s slices and dawdles
import threading
import time


class Latch:
    """A count that threads lower; other threads can wait until it reaches zero."""

    def __init__(self, count):
        time.sleep(0.01)
        self.count = count
        self._lock = threading.Lock()
        self._zero = threading.Event()
        if count == 0:
            self._zero.set()

    def count_down(self):
        """Lower the count by one, never below zero."""
        with self._lock:
            current = self.count
            time.sleep(0.03)                    # slow bookkeeping
            self.count = max(current - 1, 0)
            if self.count == 0:
                self._zero.set()

    def wait(self, timeout=None):
        """True once the count is zero, False if timeout seconds pass first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            if deadline is None:
                piece = 0.1
            else:
                piece = min(0.1, deadline - time.monotonic())
                if piece <= 0:
                    return self._zero.is_set()
            if self._zero.wait(piece):
                time.sleep(0.02)
                return True
