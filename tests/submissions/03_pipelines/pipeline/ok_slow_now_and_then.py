# ok: slow on purpose: every 20th set_message pauses 0.25 s before storing; a Condition otherwise
import threading
import time


class Pipeline:
    """A one-slot channel: a producer sets messages, a consumer gets them, one at a time."""

    def __init__(self):
        self._changed = threading.Condition()
        self._full = False
        self._message = None
        self._sets = 0

    def set_message(self, message):
        """Wait until the slot is empty, then store message in it."""
        self._sets += 1
        if self._sets % 20 == 0:
            time.sleep(0.25)
        with self._changed:
            self._changed.wait_for(lambda: not self._full)
            self._message, self._full = message, True
            self._changed.notify_all()

    def get_message(self):
        """Wait until the slot holds a message, then return it and empty the slot."""
        with self._changed:
            self._changed.wait_for(lambda: self._full)
            message, self._message, self._full = self._message, None, False
            self._changed.notify_all()
            return message
