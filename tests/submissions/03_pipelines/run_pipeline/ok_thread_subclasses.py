# ok: Thread subclasses; the caller joins the producer, then puts one sentinel per consumer
import queue
import threading

FINISHED = object()


class Producer(threading.Thread):
    def __init__(self, jobs, items):
        super().__init__(name="producer")
        self.jobs, self.items = jobs, items

    def run(self):
        for item in self.items:
            self.jobs.put(item)


class Consumer(threading.Thread):
    def __init__(self, jobs, worker):
        super().__init__()
        self.jobs, self.worker, self.results = jobs, worker, []

    def run(self):
        while True:
            item = self.jobs.get()
            if item is FINISHED:
                break
            self.results.append(self.worker(item))


def run_pipeline(items, worker, n_consumers=3, maxsize=10):
    """Producer -> bounded queue -> n_consumers consumers calling worker(item)."""
    jobs = queue.Queue(maxsize)
    consumers = [Consumer(jobs, worker) for _ in range(n_consumers)]
    for c in consumers:
        c.start()
    producer = Producer(jobs, items)
    producer.start()
    producer.join()
    for _ in consumers:
        jobs.put(FINISHED)
    everything = []
    for c in consumers:
        c.join()
        everything.extend(c.results)
    return everything
