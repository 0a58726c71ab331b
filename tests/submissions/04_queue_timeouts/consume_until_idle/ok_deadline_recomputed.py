# ok: keeps its own idle deadline, moved forward after every item, and waits for the time left
import queue
import time


def consume_until_idle(q, handle, idle_timeout):
    """Call handle(item) on each item taken from q, until q stays empty for idle_timeout s."""
    handled = 0
    idle_until = time.monotonic() + idle_timeout
    while True:
        left = idle_until - time.monotonic()
        if left <= 0:
            return handled
        try:
            item = q.get(timeout=left)
        except queue.Empty:
            return handled
        handle(item)
        handled += 1
        idle_until = time.monotonic() + idle_timeout
