# ok: iter() over a helper that returns a private marker object on queue.Empty
from queue import Empty

_NOTHING_CAME = object()


def consume_until_idle(q, handle, idle_timeout):
    """Call handle(item) on each item taken from q, until q stays empty for idle_timeout s."""
    def next_item():
        try:
            return q.get(True, idle_timeout)
        except Empty:
            return _NOTHING_CAME

    count = 0
    for item in iter(next_item, _NOTHING_CAME):
        handle(item)
        count += 1
    return count
