# bad: ignores n_consumers and runs a single consumer thread
# fails: run_consumers_concurrent run_consumers_uses_consumer
import queue
import threading


def run_consumers(items, handle, n_consumers=5):
    """Handle every item with n_consumers threads running consume_until_sentinel."""
    q = queue.Queue()
    stop = object()
    box = {}

    def consumer():
        try:
            box["count"] = consume_until_sentinel(q, handle, stop)
        except Exception as exc:
            box["error"] = exc

    worker = threading.Thread(target=consumer)
    worker.start()
    for item in items:
        q.put(item)
    q.put(stop)
    worker.join()
    if "error" in box:
        raise box["error"]
    return box["count"]
