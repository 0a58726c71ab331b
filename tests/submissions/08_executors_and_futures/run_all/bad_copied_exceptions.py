# bad: puts new exceptions of the same types and messages into the group, not the objects func raised
# fails: run_all_exception_group
from concurrent.futures import ThreadPoolExecutor


def run_all(func, items, max_workers=4):
    """Call func(item) for every item on a ThreadPoolExecutor(max_workers=max_workers)."""
    with ThreadPoolExecutor(max_workers=max_workers) as pool:
        futures = [pool.submit(func, item) for item in items]
    errors = [f.exception() for f in futures if f.exception() is not None]
    if errors:
        raise ExceptionGroup("calls failed", [type(e)(*e.args) for e in errors])
    return [f.result() for f in futures]
