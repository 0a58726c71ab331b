class Pipeline:
    """A one-slot channel that spins while it waits (busy-waiting)."""

    def __init__(self):
        self.full = False
        self.message = None

    def set_message(self, message):
        while self.full:
            pass
        self.message = message
        self.full = True

    def get_message(self):
        while not self.full:
            pass
        message = self.message
        self.full = False
        return message
