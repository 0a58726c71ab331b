# bad: appends each result when its call finishes, so the results come in the order the calls finished
# fails: bounded_map_results
import threading


def bounded_map(func, items, limit):
    """Call func(item) for every item, one thread per item, at most `limit` calls at once."""
    results = []
    errors = []
    permits = threading.BoundedSemaphore(limit)

    def run(item):
        with permits:
            try:
                results.append(func(item))
            except Exception as exc:
                errors.append(exc)

    threads = [threading.Thread(target=run, args=(item,)) for item in items]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return results
