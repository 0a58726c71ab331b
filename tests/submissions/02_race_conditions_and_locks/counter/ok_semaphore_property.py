# ok: a Semaphore(1) per counter, and value is a property backed by a private attribute
import threading
from time import sleep


class Counter:
    """A counter that many threads can increment at once without losing updates."""

    def __init__(self):
        self._count = 0
        self._turn = threading.Semaphore(1)

    @property
    def value(self):
        return self._count

    @value.setter
    def value(self, new):
        self._count = new

    def increment(self, delay=0.0):
        """Read value, sleep `delay` seconds, store the value read plus one: atomically."""
        with self._turn:
            old = self.value
            if delay:
                sleep(delay)
            self.value = old + 1
