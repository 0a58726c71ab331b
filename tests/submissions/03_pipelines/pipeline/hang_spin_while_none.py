# hang: spins while the slot is None, so a None message makes get_message spin forever
# fails: pipeline_messages pipeline_in_order pipeline_no_busy_wait
class Pipeline:
    """A one-slot channel: a producer sets messages, a consumer gets them, one at a time."""

    def __init__(self):
        self.message = None

    def set_message(self, message):
        """Wait until the slot is empty, then store message in it."""
        while self.message is not None:
            pass
        self.message = message

    def get_message(self):
        """Wait until the slot holds a message, then return it and empty the slot."""
        while self.message is None:
            pass
        message, self.message = self.message, None
        return message
