# ok: a Condition and a count of running calls instead of a semaphore; results in a dict by position
import threading


def bounded_map(func, items, limit):
    """Call func(item) for every item, one thread per item, at most `limit` calls at once."""
    items = list(items)
    ready = threading.Condition()
    running = 0
    results = {}
    errors = []

    def work(position, item):
        nonlocal running
        with ready:
            ready.wait_for(lambda: running < limit)
            running += 1
        try:
            results[position] = func(item)
        except Exception as exc:
            errors.append(exc)
        finally:
            with ready:
                running -= 1
                ready.notify()

    threads = []
    for position, item in enumerate(items):
        thread = threading.Thread(target=work, args=(position, item))
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join()
    if errors:
        raise errors[-1]
    return [results[position] for position in range(len(items))]
