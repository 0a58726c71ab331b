# bad: keeps the results in a dict keyed by item: unhashable items ([] or {}) raise TypeError
# fails: bounded_map_results
import threading


def bounded_map(func, items, limit):
    """Call func(item) for every item, one thread per item, at most `limit` calls at once."""
    results = {}
    errors = []
    permits = threading.BoundedSemaphore(limit)

    def run(item):
        with permits:
            try:
                results[item] = func(item)
            except Exception as exc:
                errors.append(exc)

    threads = [threading.Thread(target=run, args=(item,)) for item in items]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return [results[item] for item in items]
