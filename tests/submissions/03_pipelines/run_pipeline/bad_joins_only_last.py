# bad: starts the producer and the consumers, but joins only the last thread it started
# fails: run_pipeline_finishes
import queue
import threading


def run_pipeline(items, worker, n_consumers=3, maxsize=10):
    """Producer -> bounded queue -> n_consumers consumers calling worker(item)."""
    q = queue.Queue(maxsize=maxsize)
    stop = object()
    results = []
    lock = threading.Lock()

    def produce():
        for item in items:
            q.put(item)
        for _ in range(n_consumers):
            q.put(stop)

    def consume():
        while (item := q.get()) is not stop:
            result = worker(item)
            with lock:
                results.append(result)

    for target in [produce] + [consume] * n_consumers:
        t = threading.Thread(target=target)
        t.start()
    t.join()
    return results
