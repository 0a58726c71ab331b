# bad: catches every exception around handle, so the caller never hears of a failure
# fails: consume_until_idle_exception
import logging
import queue


def consume_until_idle(q, handle, idle_timeout):
    """Call handle(item) on each item taken from q, until q stays empty for idle_timeout s."""
    handled = 0
    while True:
        try:
            item = q.get(timeout=idle_timeout)
            handle(item)
            handled += 1
        except queue.Empty:
            return handled
        except Exception as exc:
            logging.warning("could not handle %r: %s", item, exc)
