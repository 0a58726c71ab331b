# bad: uses None as the sentinel, so a None item stops a consumer early
# fails: run_consumers_results
import queue
import threading


def run_consumers(items, handle, n_consumers=5):
    """Handle every item with n_consumers threads running consume_until_sentinel."""
    q = queue.Queue()
    counts = [0] * n_consumers
    errors = []

    def consumer(i):
        try:
            counts[i] = consume_until_sentinel(q, handle, None)
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=consumer, args=(i,)) for i in range(n_consumers)]
    for t in threads:
        t.start()
    for item in items:
        q.put(item)
    for _ in threads:
        q.put(None)
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return sum(counts)
