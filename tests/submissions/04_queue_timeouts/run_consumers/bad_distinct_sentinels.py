# bad: gives each consumer a different sentinel object: a consumer may take another's sentinel, handle it as an item, and leave that one waiting forever
# fails: run_consumers_results run_consumers_concurrent run_consumers_stops run_consumers_exception run_consumers_uses_consumer
import queue
import threading


def run_consumers(items, handle, n_consumers=5):
    """Handle every item with n_consumers threads running consume_until_sentinel."""
    q = queue.Queue()
    sentinels = [object() for _ in range(n_consumers)]
    counts = [0] * n_consumers
    errors = []

    def consumer(i):
        try:
            counts[i] = consume_until_sentinel(q, handle, sentinels[i])
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=consumer, args=(i,)) for i in range(n_consumers)]
    for t in threads:
        t.start()
    for item in items:
        q.put(item)
    for s in sentinels:
        q.put(s)
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return sum(counts)
