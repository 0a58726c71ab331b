# bad: ThreadPoolExecutor() without max_workers, so the pool has its own default number of threads
# fails: run_all_limit run_all_default run_all_pool
from concurrent.futures import ThreadPoolExecutor


def run_all(func, items, max_workers=4):
    """Call func(item) for every item on a ThreadPoolExecutor(max_workers=max_workers)."""
    with ThreadPoolExecutor() as pool:
        futures = [pool.submit(func, item) for item in items]
    errors = [f.exception() for f in futures if f.exception() is not None]
    if errors:
        raise ExceptionGroup("calls failed", errors)
    return [f.result() for f in futures]
