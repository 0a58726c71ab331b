# bad: one lock shared by every Counter (a class attribute): unrelated counters wait for each other
# fails: counter_own_lock
import threading
import time


class Counter:
    """A counter that many threads can increment at once without losing updates."""

    lock = threading.Lock()

    def __init__(self):
        self.value = 0

    def increment(self, delay=0.0):
        """Read value, sleep `delay` seconds, store the value read plus one: atomically."""
        with self.lock:
            current = self.value
            time.sleep(delay)
            self.value = current + 1
