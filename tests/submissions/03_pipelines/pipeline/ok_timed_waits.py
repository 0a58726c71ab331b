# ok: two Events, waited on with a timeout in a loop (wakes up 5 times a second: not busy)
import threading


class Pipeline:
    """A one-slot channel: a producer sets messages, a consumer gets them, one at a time."""

    def __init__(self):
        self.empty = threading.Event()
        self.empty.set()
        self.filled = threading.Event()
        self.value = None

    def set_message(self, message):
        """Wait until the slot is empty, then store message in it."""
        while not self.empty.wait(timeout=0.2):
            pass
        self.empty.clear()
        self.value = message
        self.filled.set()

    def get_message(self):
        """Wait until the slot holds a message, then return it and empty the slot."""
        while not self.filled.wait(timeout=0.2):
            pass
        self.filled.clear()
        message = self.value
        self.empty.set()
        return message
