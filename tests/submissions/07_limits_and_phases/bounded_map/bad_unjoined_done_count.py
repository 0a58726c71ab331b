# bad: daemon threads count themselves done under a Condition; the caller waits for the count and never joins, so threads may still be running when it returns
# fails: bounded_map_waits
import threading


def bounded_map(func, items, limit):
    """Call func(item) for every item, one thread per item, at most `limit` calls at once."""
    items = list(items)
    results = [None] * len(items)
    errors = []
    permits = threading.BoundedSemaphore(limit)
    finished = threading.Condition()
    done = 0

    def run(i, item):
        nonlocal done
        with permits:
            try:
                results[i] = func(item)
            except Exception as exc:
                errors.append(exc)
        with finished:
            done += 1
            finished.notify_all()

    for i, item in enumerate(items):
        threading.Thread(target=run, args=(i, item), daemon=True).start()
    with finished:
        finished.wait_for(lambda: done == len(items))
    if errors:
        raise errors[0]
    return results
