# hang: polls until every call has succeeded, which never happens once one has raised
# fails: run_all_exception_group run_all_failure_waits run_all_finished
import time
from concurrent.futures import ThreadPoolExecutor


def run_all(func, items, max_workers=4):
    """Call func(item) for every item on a ThreadPoolExecutor(max_workers=max_workers)."""
    with ThreadPoolExecutor(max_workers=max_workers) as pool:
        futures = [pool.submit(func, item) for item in items]
        while sum(f.done() and f.exception() is None for f in futures) < len(futures):
            time.sleep(0.01)
        return [f.result() for f in futures]
