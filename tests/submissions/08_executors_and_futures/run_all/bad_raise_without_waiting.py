# bad: raises at the first failure after shutdown(wait=False): other calls are still running
# fails: run_all_failure_waits run_all_finished
from concurrent.futures import ThreadPoolExecutor, as_completed


def run_all(func, items, max_workers=4):
    """Call func(item) for every item on a ThreadPoolExecutor(max_workers=max_workers)."""
    pool = ThreadPoolExecutor(max_workers=max_workers)
    futures = [pool.submit(func, item) for item in items]
    for future in as_completed(futures):
        if future.exception() is not None:
            pool.shutdown(wait=False)
            raise ExceptionGroup("a call failed", [future.exception()])
    pool.shutdown(wait=True)
    return [f.result() for f in futures]
