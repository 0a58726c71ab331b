# ok: a Thread subclass keeps each consumer's count or exception; a bounded queue (maxsize=1)
import queue
import threading


class Consumer(threading.Thread):
    def __init__(self, q, handle, stop):
        super().__init__()
        self.q, self.handle, self.stop = q, handle, stop
        self.count, self.error = 0, None

    def run(self):
        try:
            self.count = consume_until_sentinel(self.q, self.handle, self.stop)
        except BaseException as exc:
            self.error = exc


def run_consumers(items, handle, n_consumers=5):
    """Handle every item with n_consumers threads running consume_until_sentinel."""
    q = queue.Queue(maxsize=1)
    stop = object()
    consumers = [Consumer(q, handle, stop) for _ in range(n_consumers)]
    for c in consumers:
        c.start()
    for item in items:
        q.put(item)
    for _ in consumers:
        q.put(stop)
    for c in reversed(consumers):
        c.join()
    for c in consumers:
        if c.error is not None:
            raise c.error
    return sum(c.count for c in consumers)
