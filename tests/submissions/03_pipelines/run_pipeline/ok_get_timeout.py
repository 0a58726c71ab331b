# ok: as in the workshop, consumers stop when get(timeout=5) raises queue.Empty; (item, result) pairs go to a second queue
import queue
import threading
from queue import Empty


def run_pipeline(items, worker, n_consumers=3, maxsize=10):
    """Producer -> bounded queue -> n_consumers consumers calling worker(item)."""
    q = queue.Queue(maxsize=maxsize)
    answers = queue.Queue()

    def producer_task():
        for item in items:
            q.put(item)

    def consumer_task():
        try:
            while True:
                item = q.get(timeout=5)
                answers.put((item, worker(item)))
        except Empty:
            pass

    threads = []
    for _ in range(n_consumers):
        c = threading.Thread(target=consumer_task, daemon=True)
        c.start()
        threads.append(c)
    p = threading.Thread(target=producer_task, daemon=True)
    p.start()
    threads.append(p)
    for t in threads:
        t.join()
    out = []
    while not answers.empty():
        _item, result = answers.get()
        out.append(result)
    return out
