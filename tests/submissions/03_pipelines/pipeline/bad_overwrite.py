# bad: set_message never waits, so it overwrites a message nobody has read
# fails: pipeline_in_order pipeline_set_waits
import threading


class Pipeline:
    """A one-slot channel: a producer sets messages, a consumer gets them, one at a time."""

    def __init__(self):
        self.cond = threading.Condition()
        self.has_message = False
        self.message = None

    def set_message(self, message):
        """Wait until the slot is empty, then store message in it."""
        with self.cond:
            self.message = message
            self.has_message = True
            self.cond.notify()

    def get_message(self):
        """Wait until the slot holds a message, then return it and empty the slot."""
        with self.cond:
            while not self.has_message:
                self.cond.wait()
            self.has_message = False
            return self.message
