# hang: get_message forgets to release the producer's lock, so the second set_message waits forever
# fails: pipeline_messages pipeline_in_order pipeline_set_waits
import threading


class Pipeline:
    """A one-slot channel: a producer sets messages, a consumer gets them, one at a time."""

    def __init__(self):
        self.message = None
        self.producer_lock = threading.Lock()
        self.consumer_lock = threading.Lock()
        self.consumer_lock.acquire()

    def set_message(self, message):
        """Wait until the slot is empty, then store message in it."""
        self.producer_lock.acquire()
        self.message = message
        self.consumer_lock.release()

    def get_message(self):
        """Wait until the slot holds a message, then return it and empty the slot."""
        self.consumer_lock.acquire()
        return self.message
