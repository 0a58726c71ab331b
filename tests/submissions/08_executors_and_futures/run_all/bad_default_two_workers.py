# bad: max_workers defaults to 2 instead of 4
# fails: run_all_default
from concurrent.futures import ThreadPoolExecutor


def run_all(func, items, max_workers=2):
    """Call func(item) for every item on a ThreadPoolExecutor(max_workers=max_workers)."""
    with ThreadPoolExecutor(max_workers=max_workers) as pool:
        futures = [pool.submit(func, item) for item in items]
    errors = [f.exception() for f in futures if f.exception() is not None]
    if errors:
        raise ExceptionGroup("calls failed", errors)
    return [f.result() for f in futures]
