# ok: done-callbacks fill one slot per position and a list of errors, under a lock
import threading
from concurrent.futures import ThreadPoolExecutor


def run_all(func, items, max_workers=4):
    """Call func(item) for every item on a ThreadPoolExecutor(max_workers=max_workers)."""
    slots = [None] * len(items)
    errors = []
    lock = threading.Lock()

    def settle(position, future):
        error = future.exception()
        with lock:
            if error is None:
                slots[position] = future.result()
            else:
                errors.append(error)

    with ThreadPoolExecutor(max_workers=max_workers) as pool:
        for position, item in enumerate(items):
            future = pool.submit(func, item)
            future.add_done_callback(lambda f, p=position: settle(p, f))
    if errors:
        raise ExceptionGroup("run_all: calls failed", errors)
    return slots
