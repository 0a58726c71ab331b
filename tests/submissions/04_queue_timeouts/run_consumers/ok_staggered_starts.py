# ok: slow on purpose: starts its consumers 0.05 s apart and waits 0.2 s before sending the sentinels
import queue
import threading
import time


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

    threads = []
    for i in range(n_consumers):
        t = threading.Thread(target=consumer, args=(i,))
        t.start()
        threads.append(t)
        time.sleep(0.05)
    for item in items:
        q.put(item)
    time.sleep(0.2)
    for _ in threads:
        q.put(stop)
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return sum(counts)
