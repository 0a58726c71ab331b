# bad: consumers stop on get(timeout=10): returns 10 s after the last item, more than the 5 s allowed
# fails: run_pipeline_results run_pipeline_threads run_pipeline_bounded run_pipeline_finishes
import queue
import threading


def run_pipeline(items, worker, n_consumers=3, maxsize=10):
    """Producer -> bounded queue -> n_consumers consumers calling worker(item)."""
    q = queue.Queue(maxsize=maxsize)
    results = []

    def produce():
        for item in items:
            q.put(item)

    def consume():
        while True:
            try:
                item = q.get(timeout=10)
            except queue.Empty:
                return
            results.append(worker(item))

    threads = [threading.Thread(target=produce)]
    threads += [threading.Thread(target=consume) for _ in range(n_consumers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
