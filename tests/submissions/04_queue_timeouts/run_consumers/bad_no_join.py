# bad: puts the sentinels and returns len(items) at once, without waiting for the consumers
# fails: run_consumers_results run_consumers_stops run_consumers_exception
import queue
import threading


def run_consumers(items, handle, n_consumers=5):
    """Handle every item with n_consumers threads running consume_until_sentinel."""
    q = queue.Queue()
    stop = object()
    for _ in range(n_consumers):
        threading.Thread(target=consume_until_sentinel, args=(q, handle, stop), daemon=True).start()
    for item in items:
        q.put(item)
    for _ in range(n_consumers):
        q.put(stop)
    return len(items)
