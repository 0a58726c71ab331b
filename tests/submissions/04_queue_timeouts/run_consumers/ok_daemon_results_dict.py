# ok: daemon consumers joined one by one; each one's count or exception kept in a dict
import queue
import threading

STOP = object()


def run_consumers(items, handle, n_consumers=5):
    """Handle every item with n_consumers threads running consume_until_sentinel."""
    q = queue.Queue()
    results = {}

    def work(i):
        try:
            results[i] = ("ok", consume_until_sentinel(q, handle, STOP))
        except Exception as exc:
            results[i] = ("error", exc)

    threads = []
    for i in range(n_consumers):
        t = threading.Thread(target=work, args=(i,), daemon=True)
        t.start()
        threads.append(t)
    for item in items:
        q.put(item)
    for _ in range(n_consumers):
        q.put(STOP)
    for t in threads:
        t.join()
    for kind, value in results.values():
        if kind == "error":
            raise value
    return sum(value for kind, value in results.values())
