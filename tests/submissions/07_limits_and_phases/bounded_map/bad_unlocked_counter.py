# bad: counts running calls in a shared variable, checked and then raised without a lock: threads that check together all get in
# fails: bounded_map_limit
import threading
import time


def bounded_map(func, items, limit):
    """Call func(item) for every item, one thread per item, at most `limit` calls at once."""
    items = list(items)
    results = [None] * len(items)
    errors = []
    running = 0

    def run(i, item):
        nonlocal running
        while running >= limit:
            time.sleep(0.005)
        running += 1
        try:
            results[i] = func(item)
        except Exception as exc:
            errors.append(exc)
        finally:
            running -= 1

    threads = [threading.Thread(target=run, args=(i, item)) for i, item in enumerate(items)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return results
