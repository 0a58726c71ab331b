# bad: a helper returns None for "nothing came", so a None item stops the consumer
# fails: consume_until_idle_results consume_until_idle_gaps
import queue


def consume_until_idle(q, handle, idle_timeout):
    """Call handle(item) on each item taken from q, until q stays empty for idle_timeout s."""
    def take():
        try:
            return q.get(timeout=idle_timeout)
        except queue.Empty:
            return None

    handled = 0
    while (item := take()) is not None:
        handle(item)
        handled += 1
    return handled
