# bad: keeps the count in a class attribute, so every Counter shares one value
# fails: counter_basics
import threading
import time


class Counter:
    """A counter that many threads can increment at once without losing updates."""

    value = 0

    def __init__(self):
        self.lock = threading.Lock()

    def increment(self, delay=0.0):
        """Read value, sleep `delay` seconds, store the value read plus one: atomically."""
        with self.lock:
            current = Counter.value
            time.sleep(delay)
            Counter.value = current + 1
