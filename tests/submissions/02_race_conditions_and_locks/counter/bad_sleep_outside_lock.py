# bad: locks the read and the write separately and sleeps in between without the lock
# fails: counter_atomic
import threading
import time


class Counter:
    """A counter that many threads can increment at once without losing updates."""

    def __init__(self):
        self.value = 0
        self.lock = threading.Lock()

    def increment(self, delay=0.0):
        """Read value, sleep `delay` seconds, store the value read plus one."""
        with self.lock:
            current = self.value
        time.sleep(delay)
        with self.lock:
            self.value = current + 1
