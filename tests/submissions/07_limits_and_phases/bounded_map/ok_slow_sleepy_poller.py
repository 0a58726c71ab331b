# ok: slow but correct: sleeps before every start and every call, results through a queue, waits by polling is_alive()
import queue
import threading
import time


def bounded_map(func, items, limit):
    """Call func(item) for every item, one thread per item, at most `limit` calls at once."""
    items = list(items)
    gate = threading.Semaphore(limit)
    done = queue.Queue()

    def work(position, item):
        time.sleep(0.01)
        with gate:
            try:
                done.put((position, True, func(item)))
            except Exception as exc:
                done.put((position, False, exc))

    threads = [threading.Thread(target=work, args=(i, item)) for i, item in enumerate(items)]
    for thread in threads:
        time.sleep(0.02)
        thread.start()
    while any(thread.is_alive() for thread in threads):
        time.sleep(0.05)
    results = [None] * len(items)
    problem = None
    while not done.empty():
        position, ok, value = done.get()
        if ok:
            results[position] = value
        elif problem is None:
            problem = value
    if problem is not None:
        raise problem
    return results
