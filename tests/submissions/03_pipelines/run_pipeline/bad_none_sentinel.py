# bad: None is the sentinel, so a None item stops a consumer and the items behind it are never processed
# fails: run_pipeline_results run_pipeline_bounded run_pipeline_finishes
import queue
import threading


def run_pipeline(items, worker, n_consumers=3, maxsize=10):
    """Producer -> bounded queue -> n_consumers consumers calling worker(item)."""
    q = queue.Queue(maxsize=maxsize)
    results = []
    lock = threading.Lock()

    def produce():
        for item in items:
            q.put(item)
        for _ in range(n_consumers):
            q.put(None)

    def consume():
        while True:
            item = q.get()
            if item is None:
                return
            value = worker(item)
            with lock:
                results.append(value)

    threads = [threading.Thread(target=produce)]
    threads += [threading.Thread(target=consume) for _ in range(n_consumers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
