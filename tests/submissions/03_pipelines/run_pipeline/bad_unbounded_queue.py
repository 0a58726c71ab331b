# bad: ignores maxsize: an unbounded queue lets the producer run arbitrarily far ahead
# fails: run_pipeline_bounded
import queue
import threading


def run_pipeline(items, worker, n_consumers=3, maxsize=10):
    """Producer -> bounded queue -> n_consumers consumers calling worker(item)."""
    q = queue.Queue()
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
            r = worker(item)
            with lock:
                results.append(r)

    threads = [threading.Thread(target=produce)] + [threading.Thread(target=consume)
                                                    for _ in range(n_consumers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
