# bad: no executor: one thread per item, a Semaphore for the limit (joined, errors grouped)
# fails: run_all_pool
import threading


def run_all(func, items, max_workers=4):
    """Call func(item) for every item on a ThreadPoolExecutor(max_workers=max_workers)."""
    gate = threading.BoundedSemaphore(max_workers)
    results = [None] * len(items)
    errors = []

    def one(position, item):
        with gate:
            try:
                results[position] = func(item)
            except Exception as error:
                errors.append(error)

    threads = [threading.Thread(target=one, args=(i, item)) for i, item in enumerate(items)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise ExceptionGroup("calls failed", errors)
    return results
