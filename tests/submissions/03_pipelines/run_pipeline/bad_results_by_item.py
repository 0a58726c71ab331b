# bad: collects the results in a dict keyed by item, so repeated items lose their results
# fails: run_pipeline_results
import queue
import threading


def run_pipeline(items, worker, n_consumers=3, maxsize=10):
    """Producer -> bounded queue -> n_consumers consumers calling worker(item)."""
    q = queue.Queue(maxsize=maxsize)
    stop = object()
    results = {}
    lock = threading.Lock()

    def produce():
        for item in items:
            q.put(item)
        for _ in range(n_consumers):
            q.put(stop)

    def consume():
        while True:
            item = q.get()
            if item is stop:
                break
            value = worker(item)
            with lock:
                results[repr(item)] = value

    threads = [threading.Thread(target=produce)]
    threads += [threading.Thread(target=consume) for _ in range(n_consumers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return list(results.values())
