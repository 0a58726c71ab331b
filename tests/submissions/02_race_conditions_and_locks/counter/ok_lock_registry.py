# ok: per-counter locks kept in a class-level registry guarded (briefly) by a class lock
import threading
import time


class Counter:
    """A counter that many threads can increment at once without losing updates."""

    _registry_lock = threading.Lock()
    _locks = {}

    def __init__(self):
        self.value = 0

    def _my_lock(self):
        with Counter._registry_lock:
            return Counter._locks.setdefault(id(self), threading.Lock())

    def increment(self, delay=0.0):
        """Read value, sleep `delay` seconds, store the value read plus one: atomically."""
        lock = self._my_lock()
        with lock:
            current = self.value
            time.sleep(delay)
            self.value = current + 1
