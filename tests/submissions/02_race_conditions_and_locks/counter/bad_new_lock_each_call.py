# bad: creates a new Lock inside increment, so no two calls ever share it
# fails: counter_atomic
import threading
import time


class Counter:
    """A counter that many threads can increment at once without losing updates."""

    def __init__(self):
        self.value = 0

    def increment(self, delay=0.0):
        """Read value, sleep `delay` seconds, store the value read plus one: atomically."""
        with threading.Lock():
            current = self.value
            time.sleep(delay)
            self.value = current + 1
