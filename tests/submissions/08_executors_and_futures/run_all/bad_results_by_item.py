# bad: keeps the results in a dict keyed by item: lists cannot be keys, repeated items share one result
# fails: run_all_results
from concurrent.futures import ThreadPoolExecutor, as_completed


def run_all(func, items, max_workers=4):
    """Call func(item) for every item on a ThreadPoolExecutor(max_workers=max_workers)."""
    by_item, errors = {}, []
    with ThreadPoolExecutor(max_workers=max_workers) as pool:
        futures = {pool.submit(func, item): item for item in items}
        for future in as_completed(futures):
            try:
                by_item[futures[future]] = future.result()
            except Exception as error:
                errors.append(error)
    if errors:
        raise ExceptionGroup("calls failed", errors)
    return [by_item[item] for item in items]
