# ok: slow on purpose: the producer naps 0.3 s before its first put; consumers stop on get(timeout=1)
import queue
import threading
import time


def run_pipeline(items, worker, n_consumers=3, maxsize=10):
    """Producer -> bounded queue -> n_consumers consumers calling worker(item)."""
    q = queue.Queue(maxsize=maxsize)
    results = []
    lock = threading.Lock()

    def produce():
        time.sleep(0.3)
        for item in items:
            q.put(item)

    def consume():
        while True:
            try:
                item = q.get(timeout=1.0)
            except queue.Empty:
                return
            result = worker(item)
            with lock:
                results.append(result)

    threads = [threading.Thread(target=produce)]
    threads += [threading.Thread(target=consume) for _ in range(n_consumers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
