# ok: a ThreadPoolExecutor runs the consumers; future.result() re-raises handle's exception
import queue
from concurrent.futures import ThreadPoolExecutor


def run_consumers(items, handle, n_consumers=5):
    """Handle every item with n_consumers threads running consume_until_sentinel."""
    q = queue.Queue()
    done = object()
    with ThreadPoolExecutor(max_workers=n_consumers) as pool:
        futures = [pool.submit(consume_until_sentinel, q, handle, done)
                   for _ in range(n_consumers)]
        for item in items:
            q.put(item)
        for _ in range(n_consumers):
            q.put(done)
        return sum(f.result() for f in futures)
