# bad: list(pool.map(...)) lets the first exception out on its own (and cancels the calls not started yet)
# fails: run_all_exception_group run_all_failure_waits
from concurrent.futures import ThreadPoolExecutor


def run_all(func, items, max_workers=4):
    """Call func(item) for every item on a ThreadPoolExecutor(max_workers=max_workers)."""
    with ThreadPoolExecutor(max_workers=max_workers) as pool:
        return list(pool.map(func, items))
