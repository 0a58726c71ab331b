import threading
import time


class Counter:
    """A counter whose increment reads, sleeps, then writes (no lock: racy)."""

    def __init__(self):
        self.value = 0

    def increment(self, delay=0.0):
        seen = self.value
        time.sleep(delay)
        self.value = seen + 1
