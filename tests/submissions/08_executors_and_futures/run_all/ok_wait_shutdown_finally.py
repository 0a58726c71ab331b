# ok: no with block: submit, concurrent.futures.wait for all, shutdown(wait=True) in a finally block
import concurrent.futures


def run_all(func, items, max_workers=4):
    """Call func(item) for every item on a ThreadPoolExecutor(max_workers=max_workers)."""
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=max_workers,
                                                 thread_name_prefix="run_all")
    try:
        futures = [pool.submit(func, item) for item in items]
        concurrent.futures.wait(futures, return_when=concurrent.futures.ALL_COMPLETED)
    finally:
        pool.shutdown(wait=True)
    failures = [f.exception() for f in futures if f.exception() is not None]
    if failures:
        raise ExceptionGroup(f"{len(failures)} calls failed", failures)
    return [f.result() for f in futures]
