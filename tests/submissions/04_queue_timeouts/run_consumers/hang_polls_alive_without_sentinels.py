# hang: never sends sentinels and sleep-polls until the consumers are dead, which they never are
# fails: run_consumers_results run_consumers_concurrent run_consumers_stops run_consumers_exception run_consumers_uses_consumer
import queue
import threading
import time


def run_consumers(items, handle, n_consumers=5):
    """Handle every item with n_consumers threads running consume_until_sentinel."""
    q = queue.Queue()
    stop = object()
    counts = [0] * n_consumers

    def consumer(i):
        counts[i] = consume_until_sentinel(q, handle, stop)

    threads = [threading.Thread(target=consumer, args=(i,), daemon=True)
               for i in range(n_consumers)]
    for t in threads:
        t.start()
    for item in items:
        q.put(item)
    while any(t.is_alive() for t in threads):
        time.sleep(0.01)
    return sum(counts)
