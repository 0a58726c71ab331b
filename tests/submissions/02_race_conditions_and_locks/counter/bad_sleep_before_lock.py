# bad: sleeps first, then does a locked value += 1: the read-sleep-write is not one critical section
# fails: counter_atomic
import threading
import time


class Counter:
    """A counter that many threads can increment at once without losing updates."""

    def __init__(self):
        self.value = 0
        self.lock = threading.Lock()

    def increment(self, delay=0.0):
        """Sleep `delay` seconds, then add one under the lock."""
        time.sleep(delay)
        with self.lock:
            self.value += 1
