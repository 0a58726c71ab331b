# bad: unjoined threads: the pool is never shut down; its workers still run when run_all returns or raises
# fails: run_all_finished
from concurrent.futures import ThreadPoolExecutor, wait


def run_all(func, items, max_workers=4):
    """Call func(item) for every item on a ThreadPoolExecutor(max_workers=max_workers)."""
    pool = ThreadPoolExecutor(max_workers=max_workers)
    futures = [pool.submit(func, item) for item in items]
    wait(futures)
    errors = [f.exception() for f in futures if f.exception() is not None]
    if errors:
        raise ExceptionGroup("calls failed", errors)
    return [f.result() for f in futures]
