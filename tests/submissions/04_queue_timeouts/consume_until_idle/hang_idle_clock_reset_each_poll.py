# hang: sleep-polls the queue but restarts its idle clock at every poll, so it never sees a long quiet period
# fails: consume_until_idle_results consume_until_idle_gaps consume_until_idle_timing
import queue
import time


def consume_until_idle(q, handle, idle_timeout):
    """Call handle(item) on each item taken from q, until q stays empty for idle_timeout s."""
    handled = 0
    while True:
        quiet_since = time.monotonic()
        try:
            item = q.get_nowait()
        except queue.Empty:
            time.sleep(0.01)
            if time.monotonic() - quiet_since >= idle_timeout:
                return handled
            continue
        handle(item)
        handled += 1
