# bad: raises the exception itself, not a group, when only one call failed
# fails: run_all_exception_group
from concurrent.futures import ThreadPoolExecutor


def run_all(func, items, max_workers=4):
    """Call func(item) for every item on a ThreadPoolExecutor(max_workers=max_workers)."""
    with ThreadPoolExecutor(max_workers=max_workers) as pool:
        futures = [pool.submit(func, item) for item in items]
    errors = [f.exception() for f in futures if f.exception() is not None]
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise ExceptionGroup("calls failed", errors)
    return [f.result() for f in futures]
