# bad: no pool at all: calls func on one item after the other in the caller's thread
# fails: run_all_concurrent run_all_pool run_all_default
def run_all(func, items, max_workers=4):
    """Call func(item) for every item on a ThreadPoolExecutor(max_workers=max_workers)."""
    results, errors = [], []
    for item in items:
        try:
            results.append(func(item))
        except Exception as error:
            errors.append(error)
    if errors:
        raise ExceptionGroup("calls failed", errors)
    return results
