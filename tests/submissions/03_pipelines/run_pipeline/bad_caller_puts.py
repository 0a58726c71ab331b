# bad: no producer thread: the calling thread puts the items itself
# fails: run_pipeline_threads
import queue
import threading


def run_pipeline(items, worker, n_consumers=3, maxsize=10):
    """Producer -> bounded queue -> n_consumers consumers calling worker(item)."""
    q = queue.Queue(maxsize=maxsize)
    stop = object()
    results = []

    def consume():
        while True:
            item = q.get()
            if item is stop:
                return
            results.append(worker(item))

    consumers = [threading.Thread(target=consume) for _ in range(n_consumers)]
    for c in consumers:
        c.start()
    for item in items:
        q.put(item)
    for _ in consumers:
        q.put(stop)
    for c in consumers:
        c.join()
    return results
