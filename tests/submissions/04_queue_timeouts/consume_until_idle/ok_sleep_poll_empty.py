# ok: sleep-polls q.empty() every 5 ms and times the quiet period itself (never waits in get)
import time


def consume_until_idle(q, handle, idle_timeout):
    """Call handle(item) on each item taken from q, until q stays empty for idle_timeout s."""
    handled = 0
    quiet_since = time.monotonic()
    while True:
        if q.empty():
            if time.monotonic() - quiet_since >= idle_timeout:
                return handled
            time.sleep(0.005)
            continue
        item = q.get()
        handle(item)
        handled += 1
        quiet_since = time.monotonic()
