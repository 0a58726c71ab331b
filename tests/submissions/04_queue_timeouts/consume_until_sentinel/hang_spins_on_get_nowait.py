# hang: busy-waits with get_nowait() and waits for the queue to be empty after the sentinel, which never happens
# fails: consume_until_sentinel_results consume_until_sentinel_identity consume_until_sentinel_waits
import queue


def consume_until_sentinel(q, handle, sentinel):
    """Call handle(item) on each item taken from q, until it takes sentinel itself."""
    handled = 0
    done = False
    while True:
        if done and q.empty():
            return handled
        try:
            item = q.get_nowait()
        except queue.Empty:
            continue
        if item is sentinel:
            done = True
            q.put(item)  # keep it for the others... and take it again, forever
            continue
        handle(item)
        handled += 1
