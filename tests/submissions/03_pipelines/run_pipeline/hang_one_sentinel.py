# hang: a single sentinel for all consumers: one stops, the others wait in get() forever
# fails: run_pipeline_results run_pipeline_threads run_pipeline_bounded run_pipeline_finishes
import queue
import threading

STOP = object()


def run_pipeline(items, worker, n_consumers=3, maxsize=10):
    """Producer -> bounded queue -> n_consumers consumers calling worker(item)."""
    q = queue.Queue(maxsize=maxsize)
    results = []

    def produce():
        for item in items:
            q.put(item)
        q.put(STOP)

    def consume():
        item = q.get()
        while item is not STOP:
            results.append(worker(item))
            item = q.get()

    threads = [threading.Thread(target=consume) for _ in range(n_consumers)]
    threads.append(threading.Thread(target=produce))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
