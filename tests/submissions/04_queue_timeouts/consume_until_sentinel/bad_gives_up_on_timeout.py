# bad: like the workshop, gives up when nothing comes for 2 s, even if the sentinel never came
# fails: consume_until_sentinel_waits
import queue


def consume_until_sentinel(q, handle, sentinel):
    """Call handle(item) on each item taken from q, until it takes sentinel itself."""
    handled = 0
    try:
        while True:
            item = q.get(timeout=2)
            if item is sentinel:
                break
            handle(item)
            handled += 1
    except queue.Empty:
        pass
    return handled
