# ok: waits in short get(timeout=0.05) slices and simply tries again on queue.Empty
import queue


def consume_until_sentinel(q, handle, sentinel):
    """Call handle(item) on each item taken from q, until it takes sentinel itself."""
    handled = 0
    while True:
        try:
            item = q.get(timeout=0.05)
        except queue.Empty:
            continue
        if item is sentinel:
            break
        handle(item)
        handled += 1
    return handled
