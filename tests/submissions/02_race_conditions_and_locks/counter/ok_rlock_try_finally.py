# ok: an RLock per counter, acquired and released by hand with try/finally
import threading
import time


class Counter:
    """A counter that many threads can increment at once without losing updates."""

    def __init__(self):
        self.value = 0
        self.guard = threading.RLock()

    def increment(self, delay=0.0):
        """Read value, sleep `delay` seconds, store the value read plus one: atomically."""
        self.guard.acquire()
        try:
            seen = self.value
            time.sleep(delay)
            self.value = seen + 1
        finally:
            self.guard.release()
