# ok: a queue.Queue(maxsize=1) is a one-slot channel already
import queue


class Pipeline(object):
    """A one-slot channel: a producer sets messages, a consumer gets them, one at a time."""

    def __init__(self):
        self._slot = queue.Queue(maxsize=1)

    def set_message(self, message):
        """Wait until the slot is empty, then store message in it."""
        self._slot.put(message)

    def get_message(self):
        """Wait until the slot holds a message, then return it and empty the slot."""
        return self._slot.get()
