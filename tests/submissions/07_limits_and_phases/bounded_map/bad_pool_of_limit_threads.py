# bad: limit worker threads take the items from a queue: the limit holds, but several calls share one thread
# fails: bounded_map_thread_per_item
import queue
import threading


def bounded_map(func, items, limit):
    """Call func(item) for every item, one thread per item, at most `limit` calls at once."""
    items = list(items)
    results = [None] * len(items)
    errors = []
    todo = queue.Queue()
    for pair in enumerate(items):
        todo.put(pair)

    def worker():
        while True:
            try:
                i, item = todo.get_nowait()
            except queue.Empty:
                return
            try:
                results[i] = func(item)
            except Exception as exc:
                errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(min(limit, len(items)))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return results
