# ok: puts (index, item) pairs, so None can be the sentinel; each consumer writes into its result slot
import queue
import threading


def run_pipeline(items, worker, n_consumers=3, maxsize=10):
    """Producer -> bounded queue -> n_consumers consumers calling worker(item)."""
    items = list(items)
    slots = [None] * len(items)
    work = queue.Queue(maxsize=maxsize)

    def feed():
        for pair in enumerate(items):
            work.put(pair)
        for _ in range(n_consumers):
            work.put(None)

    def serve():
        while (pair := work.get()) is not None:
            index, item = pair
            slots[index] = worker(item)

    crew = [threading.Thread(target=serve, name=f"serve-{i}") for i in range(n_consumers)]
    crew.append(threading.Thread(target=feed, name="feed"))
    for t in crew:
        t.start()
    for t in crew:
        t.join()
    return slots
