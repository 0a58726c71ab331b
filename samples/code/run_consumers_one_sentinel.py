import queue
import threading


def run_consumers(items, handle, n_consumers=5):
    """Consumers stopped by a single sentinel: only one of them ever stops."""
    q = queue.Queue()
    done = object()
    counts = []
    threads = [threading.Thread(target=lambda: counts.append(consume_until_sentinel(q, handle, done)))
               for _ in range(n_consumers)]
    for t in threads:
        t.start()
    for item in items:
        q.put(item)
    q.put(done)
    for t in threads:
        t.join()
    return sum(counts)
