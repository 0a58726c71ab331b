# bad: waits by polling a flag every millisecond (busy-waiting), otherwise correct
# fails: pipeline_no_busy_wait
import time


class Pipeline:
    """A one-slot channel: a producer sets messages, a consumer gets them, one at a time."""

    def __init__(self):
        self.full = False
        self.message = None

    def set_message(self, message):
        """Wait until the slot is empty, then store message in it."""
        while self.full:
            time.sleep(0.001)
        self.message = message
        self.full = True

    def get_message(self):
        """Wait until the slot holds a message, then return it and empty the slot."""
        while not self.full:
            time.sleep(0.001)
        message = self.message
        self.full = False
        return message
