# bad: puts the exception in the list of results instead of raising it
# fails: bounded_map_exception
import threading


def bounded_map(func, items, limit):
    """Call func(item) for every item, one thread per item, at most `limit` calls at once."""
    items = list(items)
    results = [None] * len(items)
    permits = threading.BoundedSemaphore(limit)

    def run(i, item):
        with permits:
            try:
                results[i] = func(item)
            except Exception as exc:
                results[i] = exc

    threads = [threading.Thread(target=run, args=(i, item)) for i, item in enumerate(items)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
