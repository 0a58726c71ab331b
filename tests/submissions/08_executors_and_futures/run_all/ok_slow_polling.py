# ok: slow but correct: submits with pauses, polls the futures every 20 ms, sleeps before returning
import time
from concurrent.futures import ThreadPoolExecutor


def run_all(func, items, max_workers=4):
    """Call func(item) for every item on a ThreadPoolExecutor(max_workers=max_workers)."""
    pool = ThreadPoolExecutor(max_workers=max_workers)
    futures = []
    for item in items:
        futures.append(pool.submit(func, item))
        time.sleep(0.005)
    while not all(future.done() for future in futures):
        time.sleep(0.02)
    pool.shutdown(wait=True)
    time.sleep(0.05)
    errors = []
    for future in futures:
        if future.exception() is not None:
            errors.append(future.exception())
    if errors:
        raise ExceptionGroup("errors", errors)
    return [future.result() for future in futures]
