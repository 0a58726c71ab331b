# bad: idle_timeout limits the whole call instead of each quiet period
# fails: consume_until_idle_gaps
import queue
import time


def consume_until_idle(q, handle, idle_timeout):
    """Call handle(item) on each item taken from q, until q stays empty for idle_timeout s."""
    handled = 0
    end = time.monotonic() + idle_timeout
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return handled
        try:
            item = q.get(timeout=left)
        except queue.Empty:
            return handled
        handle(item)
        handled += 1
