# hang: Semaphore(limit - 1), an off-by-one: with limit=1 there is no permit at all and every thread waits forever; otherwise too few calls run at once
# fails: bounded_map_results bounded_map_reaches_limit
import threading


def bounded_map(func, items, limit):
    """Call func(item) for every item, one thread per item, at most `limit` calls at once."""
    items = list(items)
    results = [None] * len(items)
    errors = []
    permits = threading.Semaphore(limit - 1)

    def run(i, item):
        with permits:
            try:
                results[i] = func(item)
            except Exception as exc:
                errors.append(exc)

    threads = [threading.Thread(target=run, args=(i, item)) for i, item in enumerate(items)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return results
