# ok: count is a read-only property; wait is a hand-written while loop with a deadline
import threading
import time


class Latch:
    """A count that threads lower; other threads can wait until it reaches zero."""

    def __init__(self, count):
        self._remaining = count
        self._cv = threading.Condition(threading.Lock())

    @property
    def count(self):
        with self._cv:
            return self._remaining

    def count_down(self):
        """Lower the count by one, never below zero."""
        with self._cv:
            self._remaining = max(0, self._remaining - 1)
            if not self._remaining:
                self._cv.notify_all()

    def wait(self, timeout=None):
        """True once the count is zero, False if timeout seconds pass first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cv:
            while self._remaining > 0:
                if deadline is None:
                    self._cv.wait()
                    continue
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cv.wait(left)
            return True
