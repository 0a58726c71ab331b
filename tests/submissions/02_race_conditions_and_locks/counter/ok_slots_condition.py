# ok: __slots__, a Condition per counter used as a plain lock
import threading
import time


class Counter:
    """A counter that many threads can increment at once without losing updates."""

    __slots__ = ("value", "_cond")

    def __init__(self):
        self.value = 0
        self._cond = threading.Condition()

    def increment(self, delay=0.0):
        """Read value, sleep `delay` seconds, store the value read plus one: atomically."""
        with self._cond:
            v = self.value
            time.sleep(delay)
            self.value = v + 1
