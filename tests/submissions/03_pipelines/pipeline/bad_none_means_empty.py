# bad: None marks the empty slot, so a None message is never delivered
# fails: pipeline_messages pipeline_in_order
import threading


class Pipeline:
    """A one-slot channel: a producer sets messages, a consumer gets them, one at a time."""

    def __init__(self):
        self.cond = threading.Condition()
        self.message = None

    def set_message(self, message):
        """Wait until the slot is empty, then store message in it."""
        with self.cond:
            while self.message is not None:
                self.cond.wait()
            self.message = message
            self.cond.notify_all()

    def get_message(self):
        """Wait until the slot holds a message, then return it and empty the slot."""
        with self.cond:
            while self.message is None:
                self.cond.wait()
            message, self.message = self.message, None
            self.cond.notify_all()
            return message
