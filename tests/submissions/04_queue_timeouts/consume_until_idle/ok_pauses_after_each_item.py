# ok: slow on purpose: rests 0.03 s after handling each item, then waits up to idle_timeout for the next
import queue
import time


def consume_until_idle(q, handle, idle_timeout):
    """Call handle(item) on each item taken from q, until q stays empty for idle_timeout s."""
    handled = 0
    while True:
        try:
            item = q.get(timeout=idle_timeout)
        except queue.Empty:
            return handled
        handle(item)
        handled += 1
        time.sleep(0.03)
