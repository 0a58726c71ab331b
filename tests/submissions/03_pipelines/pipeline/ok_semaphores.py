# ok: two Semaphores counting free and filled places
import threading


class Pipeline:
    """A one-slot channel: a producer sets messages, a consumer gets them, one at a time."""

    def __init__(self):
        self.free_places = threading.Semaphore(1)
        self.filled_places = threading.Semaphore(0)
        self.slot = []

    def set_message(self, message):
        """Wait until the slot is empty, then store message in it."""
        self.free_places.acquire()
        self.slot.append(message)
        self.filled_places.release()

    def get_message(self):
        """Wait until the slot holds a message, then return it and empty the slot."""
        self.filled_places.acquire()
        message = self.slot.pop()
        self.free_places.release()
        return message
