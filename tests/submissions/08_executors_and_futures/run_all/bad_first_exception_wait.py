# bad: waits with FIRST_EXCEPTION and raises a group of the exceptions seen by then, missing later ones
# fails: run_all_exception_group
import concurrent.futures


def run_all(func, items, max_workers=4):
    """Call func(item) for every item on a ThreadPoolExecutor(max_workers=max_workers)."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=max_workers) as pool:
        futures = [pool.submit(func, item) for item in items]
        done, _pending = concurrent.futures.wait(
            futures, return_when=concurrent.futures.FIRST_EXCEPTION)
        errors = [f.exception() for f in futures if f in done and f.exception() is not None]
        if errors:
            raise ExceptionGroup("calls failed", errors)
        return [f.result() for f in futures]
