# bad: copies the workshop's get(timeout=5) and ignores idle_timeout
# fails: consume_until_idle_results consume_until_idle_gaps consume_until_idle_timing
from queue import Empty


def consume_until_idle(q, handle, idle_timeout):
    """Call handle(item) on each item taken from q, until q stays empty for idle_timeout s."""
    handled = 0
    try:
        while True:
            item = q.get(timeout=5)
            handle(item)
            handled += 1
    except Empty:
        return handled
