# bad: raises a new RuntimeError that describes the failures instead of the exception func raised
# fails: bounded_map_exception
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

    threads = [threading.Thread(target=run, args=(i, item)) for i, item in enumerate(items)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise RuntimeError(f"{len(errors)} call(s) failed: {errors[0]!r}") from errors[0]
    return results
