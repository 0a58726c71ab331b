# ok: as_completed with a dict future -> position; exceptions caught around future.result()
from concurrent.futures import ThreadPoolExecutor, as_completed


def run_all(func, items, max_workers=4):
    """Call func(item) for every item on a ThreadPoolExecutor(max_workers=max_workers)."""
    results = {}
    failures = []
    with ThreadPoolExecutor(max_workers=max_workers) as executor:
        positions = {executor.submit(func, item): i for i, item in enumerate(items)}
        for future in as_completed(positions):
            try:
                results[positions[future]] = future.result()
            except Exception as exc:
                failures.append(exc)
    if failures:
        raise ExceptionGroup("failures", failures)
    return [results[i] for i in range(len(items))]
