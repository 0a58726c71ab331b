# bad: joins each thread right after starting it: never more than limit, but the calls never run side by side
# fails: bounded_map_reaches_limit
import threading


def bounded_map(func, items, limit):
    """Call func(item) for every item, one thread per item, at most `limit` calls at once."""
    items = list(items)
    results = [None] * len(items)
    errors = []
    permits = threading.BoundedSemaphore(limit)

    def run(i, item):
        with permits:
            try:
                results[i] = func(item)
            except Exception as exc:
                errors.append(exc)

    for i, item in enumerate(items):
        t = threading.Thread(target=run, args=(i, item))
        t.start()
        t.join()
    if errors:
        raise errors[0]
    return results
