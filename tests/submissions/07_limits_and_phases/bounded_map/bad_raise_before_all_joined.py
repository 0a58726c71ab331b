# bad: joins the threads in order and raises as soon as a joined thread's call failed, while later calls still run
# fails: bounded_map_exception
import threading


def bounded_map(func, items, limit):
    """Call func(item) for every item, one thread per item, at most `limit` calls at once."""
    items = list(items)
    results = [None] * len(items)
    errors = [None] * len(items)
    permits = threading.BoundedSemaphore(limit)

    def run(i, item):
        with permits:
            try:
                results[i] = func(item)
            except Exception as exc:
                errors[i] = exc

    threads = [threading.Thread(target=run, args=(i, item)) for i, item in enumerate(items)]
    for t in threads:
        t.start()
    for i, t in enumerate(threads):
        t.join()
        if errors[i] is not None:
            raise errors[i]
    return results
