# hang: acquire() and release() without try/finally: a call that raises keeps its permit, and once all permits are gone the other threads wait forever
# fails: bounded_map_exception
import threading


def bounded_map(func, items, limit):
    """Call func(item) for every item, one thread per item, at most `limit` calls at once."""
    items = list(items)
    results = [None] * len(items)
    errors = []
    permits = threading.BoundedSemaphore(limit)

    def run(i, item):
        permits.acquire()
        results[i] = func(item)
        permits.release()

    def guarded(i, item):
        try:
            run(i, item)
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(i, item)) for i, item in enumerate(items)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return results
