# bad: waits with q.join() and returns while the daemon consumers still wait in get()
# fails: run_pipeline_finishes
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

    def consume():
        while True:
            item = q.get()
            value = worker(item)
            with lock:
                results.append(value)
            q.task_done()

    for _ in range(n_consumers):
        threading.Thread(target=consume, daemon=True).start()
    producer = threading.Thread(target=produce)
    producer.start()
    producer.join()
    q.join()
    return results
