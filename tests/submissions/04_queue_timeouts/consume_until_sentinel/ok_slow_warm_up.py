# ok: slow on purpose: sleeps 0.25 s before taking its first item ("warming up")
import time


def consume_until_sentinel(q, handle, sentinel):
    """Call handle(item) on each item taken from q, until it takes sentinel itself."""
    time.sleep(0.25)
    handled = 0
    while True:
        item = q.get()
        if item is sentinel:
            return handled
        handle(item)
        handled += 1
