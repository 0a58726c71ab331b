# ok: a module-level marker object (not None) means "empty", waited on with a Condition
import threading

EMPTY = object()


class Pipeline:
    """A one-slot channel: a producer sets messages, a consumer gets them, one at a time."""

    def __init__(self):
        self.slot = EMPTY
        self.cv = threading.Condition(threading.Lock())

    def set_message(self, message):
        """Wait until the slot is empty, then store message in it."""
        with self.cv:
            self.cv.wait_for(lambda: self.slot is EMPTY)
            self.slot = message
            self.cv.notify_all()

    def get_message(self):
        """Wait until the slot holds a message, then return it and empty the slot."""
        with self.cv:
            self.cv.wait_for(lambda: self.slot is not EMPTY)
            message, self.slot = self.slot, EMPTY
            self.cv.notify_all()
            return message
