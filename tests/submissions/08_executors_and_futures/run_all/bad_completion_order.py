# bad: appends the results as the calls complete, so they come back in the order the calls finished
# fails: run_all_order
from concurrent.futures import ThreadPoolExecutor, as_completed


def run_all(func, items, max_workers=4):
    """Call func(item) for every item on a ThreadPoolExecutor(max_workers=max_workers)."""
    results, errors = [], []
    with ThreadPoolExecutor(max_workers=max_workers) as pool:
        futures = [pool.submit(func, item) for item in items]
        for future in as_completed(futures):
            if future.exception() is None:
                results.append(future.result())
            else:
                errors.append(future.exception())
    if errors:
        raise ExceptionGroup("calls failed", errors)
    return results
