# ok: pool.map over a wrapper that turns every call into an (ok, value) pair; the group is built afterwards
from concurrent.futures import ThreadPoolExecutor


def run_all(func, items, max_workers=4):
    """Call func(item) for every item on a ThreadPoolExecutor(max_workers=max_workers)."""
    def attempt(item):
        try:
            return True, func(item)
        except Exception as error:
            return False, error

    with ThreadPoolExecutor(max_workers) as pool:
        outcomes = list(pool.map(attempt, items))
    errors = [value for ok, value in outcomes if not ok]
    if errors:
        raise ExceptionGroup("some calls failed", errors)
    return [value for _ok, value in outcomes]
