# bad: the loop variable slip: only the last consumer thread is joined
# fails: run_consumers_results run_consumers_stops
import queue
import threading


def run_consumers(items, handle, n_consumers=5):
    """Handle every item with n_consumers threads running consume_until_sentinel."""
    q = queue.Queue()
    stop = object()
    counts = [0] * n_consumers
    errors = []

    def consumer(slot):
        try:
            counts[slot] = consume_until_sentinel(q, handle, stop)
        except Exception as exc:
            errors.append(exc)

    for i in range(n_consumers):
        t = threading.Thread(target=consumer, args=(i,))
        t.start()
    for item in items:
        q.put(item)
    for _ in range(n_consumers):
        q.put(stop)
    t.join()
    if errors:
        raise errors[0]
    return sum(counts)
