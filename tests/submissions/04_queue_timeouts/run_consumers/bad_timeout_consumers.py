# bad: its own consumers stop after 1.2 s without items instead of on sentinels (slow to finish)
# fails: run_consumers_stops run_consumers_uses_consumer
import queue
import threading


def run_consumers(items, handle, n_consumers=5):
    """Handle every item with n_consumers threads running consume_until_sentinel."""
    q = queue.Queue()
    counts = [0] * n_consumers
    errors = []

    def consumer(i):
        try:
            while True:
                try:
                    item = q.get(timeout=1.2)
                except queue.Empty:
                    return
                handle(item)
                counts[i] += 1
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=consumer, args=(i,)) for i in range(n_consumers)]
    for t in threads:
        t.start()
    for item in items:
        q.put(item)
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return sum(counts)
