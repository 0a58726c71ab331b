# bad: at the first failure, shuts the pool down with cancel_futures=True, so the items still queued are never called
# fails: run_all_failure_waits
from concurrent.futures import ThreadPoolExecutor, as_completed


def run_all(func, items, max_workers=4):
    """Call func(item) for every item on a ThreadPoolExecutor(max_workers=max_workers)."""
    pool = ThreadPoolExecutor(max_workers=max_workers)
    futures = [pool.submit(func, item) for item in items]
    try:
        for future in as_completed(futures):
            if future.exception() is not None:
                pool.shutdown(wait=True, cancel_futures=True)
                break
    finally:
        pool.shutdown(wait=True)
    errors = [f.exception() for f in futures if not f.cancelled() and f.exception() is not None]
    if errors:
        raise ExceptionGroup("stopped after a failure", errors)
    return [f.result() for f in futures]
