# hang: acquires the lock and never releases it: the second increment waits forever
# fails: counter_basics counter_atomic
import threading
import time


class Counter:
    """A counter that many threads can increment at once without losing updates."""

    def __init__(self):
        self.value = 0
        self.lock = threading.Lock()

    def increment(self, delay=0.0):
        """Read value, sleep `delay` seconds, store the value read plus one: atomically."""
        self.lock.acquire()
        current = self.value
        time.sleep(delay)
        self.value = current + 1
