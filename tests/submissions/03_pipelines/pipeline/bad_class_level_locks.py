# bad: the locks and the slot are class attributes, shared by every Pipeline
# fails: pipeline_independent
import threading


class Pipeline:
    """A one-slot channel: a producer sets messages, a consumer gets them, one at a time."""

    message = None
    producer_lock = threading.Lock()
    consumer_lock = threading.Lock()
    consumer_lock.acquire()

    def set_message(self, message):
        """Wait until the slot is empty, then store message in it."""
        Pipeline.producer_lock.acquire()
        Pipeline.message = message
        Pipeline.consumer_lock.release()

    def get_message(self):
        """Wait until the slot holds a message, then return it and empty the slot."""
        Pipeline.consumer_lock.acquire()
        message = Pipeline.message
        Pipeline.producer_lock.release()
        return message
