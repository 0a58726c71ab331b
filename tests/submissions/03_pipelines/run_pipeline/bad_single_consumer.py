# bad: ignores n_consumers and starts a single consumer thread
# fails: run_pipeline_threads
import queue
import threading


def run_pipeline(items, worker, n_consumers=3, maxsize=10):
    """Producer -> bounded queue -> n_consumers consumers calling worker(item)."""
    q = queue.Queue(maxsize=maxsize)
    done = object()
    results = []

    def produce():
        for item in items:
            q.put(item)
        q.put(done)

    def consume():
        while (item := q.get()) is not done:
            results.append(worker(item))

    threads = [threading.Thread(target=produce), threading.Thread(target=consume)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
