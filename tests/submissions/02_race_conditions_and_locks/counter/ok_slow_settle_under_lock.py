# ok: slow on purpose: holds its lock 0.2 s longer than needed before reading (a "settle" pause)
import threading
import time


class Counter:
    """A counter that many threads can increment at once without losing updates."""

    def __init__(self):
        self.value = 0
        self._lock = threading.Lock()

    def increment(self, delay=0.0):
        """Read value, sleep `delay` seconds, store the value read plus one: atomically."""
        with self._lock:
            time.sleep(0.2)
            current = self.value
            time.sleep(delay)
            self.value = current + 1
