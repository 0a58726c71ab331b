# hang: workers put only successful results into a queue; after a failure the caller waits in get() forever
# fails: run_all_exception_group run_all_failure_waits run_all_finished
import queue
from concurrent.futures import ThreadPoolExecutor


def run_all(func, items, max_workers=4):
    """Call func(item) for every item on a ThreadPoolExecutor(max_workers=max_workers)."""
    done = queue.Queue()

    def task(position, item):
        done.put((position, func(item)))

    with ThreadPoolExecutor(max_workers=max_workers) as pool:
        for position, item in enumerate(items):
            pool.submit(task, position, item)
        results = [None] * len(items)
        for _ in items:
            position, value = done.get()
            results[position] = value
    return results
