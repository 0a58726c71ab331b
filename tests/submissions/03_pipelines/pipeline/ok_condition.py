# ok: a Condition and a "full" flag instead of two locks
import threading


class Pipeline:
    """A one-slot channel: a producer sets messages, a consumer gets them, one at a time."""

    def __init__(self):
        self.changed = threading.Condition()
        self.full = False
        self.message = None

    def set_message(self, message):
        """Wait until the slot is empty, then store message in it."""
        with self.changed:
            while self.full:
                self.changed.wait()
            self.message = message
            self.full = True
            self.changed.notify_all()

    def get_message(self):
        """Wait until the slot holds a message, then return it and empty the slot."""
        with self.changed:
            while not self.full:
                self.changed.wait()
            message, self.message = self.message, None
            self.full = False
            self.changed.notify_all()
            return message
