# ok: module-level helpers and sentinel with common names (done, jobs, results)
import queue
import threading

done = object()


def producer(jobs, items, n_consumers):
    for item in items:
        jobs.put(item)
    for _ in range(n_consumers):
        jobs.put(done)


def consumer(jobs, worker, results, lock):
    while True:
        item = jobs.get()
        if item is done:
            return
        value = worker(item)
        with lock:
            results.append(value)


def run_pipeline(items, worker, n_consumers=3, maxsize=10):
    """Producer -> bounded queue -> n_consumers consumers calling worker(item)."""
    jobs = queue.Queue(maxsize=maxsize)
    results, lock = [], threading.Lock()
    threads = [threading.Thread(target=producer, args=(jobs, items, n_consumers))]
    threads += [threading.Thread(target=consumer, args=(jobs, worker, results, lock))
                for _ in range(n_consumers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
