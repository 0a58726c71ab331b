# ok: the consumers run on a ThreadPoolExecutor and return their results through futures
import queue
import threading
from concurrent.futures import ThreadPoolExecutor

_END = object()


def run_pipeline(items, worker, n_consumers=3, maxsize=10):
    """Producer -> bounded queue -> n_consumers consumers calling worker(item)."""
    q = queue.Queue(maxsize=maxsize)

    def produce():
        for item in items:
            q.put(item)
        for _ in range(n_consumers):
            q.put(_END)

    def consume():
        done = []
        for item in iter(q.get, _END):
            done.append(worker(item))
        return done

    producer = threading.Thread(target=produce)
    producer.start()
    with ThreadPoolExecutor(max_workers=n_consumers) as pool:
        futures = [pool.submit(consume) for _ in range(n_consumers)]
    producer.join()
    return [r for f in futures for r in f.result()]
