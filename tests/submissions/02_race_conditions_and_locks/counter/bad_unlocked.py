# bad: no lock at all: concurrent increments read the same value and lose updates
# fails: counter_atomic
import time


class Counter:
    """A counter that many threads can increment at once without losing updates."""

    def __init__(self):
        self.value = 0

    def increment(self, delay=0.0):
        """Read value, sleep `delay` seconds, store the value read plus one."""
        current = self.value
        time.sleep(delay)
        self.value = current + 1
