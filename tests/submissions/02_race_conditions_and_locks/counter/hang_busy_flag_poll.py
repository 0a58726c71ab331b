# hang: a home-made lock (a busy flag polled with short sleeps) that is never cleared
# fails: counter_basics counter_atomic
import time


class Counter:
    """A counter that many threads can increment at once without losing updates."""

    def __init__(self):
        self.value = 0
        self.busy = False

    def increment(self, delay=0.0):
        """Read value, sleep `delay` seconds, store the value read plus one: atomically."""
        while self.busy:
            time.sleep(0.001)
        self.busy = True
        current = self.value
        time.sleep(delay)
        self.value = current + 1
