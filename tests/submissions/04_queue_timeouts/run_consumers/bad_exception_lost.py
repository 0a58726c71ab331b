# bad: plain threads and no error handling: handle's exception dies with its thread
# fails: run_consumers_exception
import queue
import threading


def run_consumers(items, handle, n_consumers=5):
    """Handle every item with n_consumers threads running consume_until_sentinel."""
    q = queue.Queue()
    stop = object()
    counts = []
    threads = [threading.Thread(target=lambda: counts.append(consume_until_sentinel(q, handle, stop)))
               for _ in range(n_consumers)]
    for t in threads:
        t.start()
    for item in items:
        q.put(item)
    for _ in threads:
        q.put(stop)
    for t in threads:
        t.join()
    return sum(counts)
