# ok: every waiter registers an Event of its own; the last count_down sets them all
import threading


class Latch:
    """A count that threads lower; other threads can wait until it reaches zero."""

    def __init__(self, count):
        self.count = count
        self._guard = threading.Lock()
        self._waiters = []

    def count_down(self):
        """Lower the count by one, never below zero."""
        with self._guard:
            if self.count > 0:
                self.count -= 1
            if self.count > 0:
                return
            to_wake, self._waiters = self._waiters, []
        for event in to_wake:
            event.set()

    def wait(self, timeout=None):
        """True once the count is zero, False if timeout seconds pass first."""
        with self._guard:
            if self.count == 0:
                return True
            mine = threading.Event()
            self._waiters.append(mine)
        if mine.wait(timeout):
            return True
        with self._guard:
            if mine in self._waiters:
                self._waiters.remove(mine)
            return self.count == 0
