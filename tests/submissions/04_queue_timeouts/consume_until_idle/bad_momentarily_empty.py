# bad: get_nowait() and stop at the first moment the queue is empty (no waiting at all)
# fails: consume_until_idle_gaps consume_until_idle_timing
import queue


def consume_until_idle(q, handle, idle_timeout):
    """Call handle(item) on each item taken from q, until q stays empty for idle_timeout s."""
    handled = 0
    while True:
        try:
            item = q.get_nowait()
        except queue.Empty:
            return handled
        handle(item)
        handled += 1
