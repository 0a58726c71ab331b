# ok: the caller takes a permit before starting each thread (never more than limit alive); a Thread subclass keeps result and error
import threading


class _Call(threading.Thread):
    def __init__(self, func, item, permits):
        super().__init__(daemon=True)
        self.func, self.item, self.permits = func, item, permits
        self.result = self.error = None

    def run(self):
        try:
            self.result = self.func(self.item)
        except BaseException as exc:
            self.error = exc
        finally:
            self.permits.release()


def bounded_map(func, items, limit):
    """Call func(item) for every item, one thread per item, at most `limit` calls at once."""
    permits = threading.BoundedSemaphore(limit)
    calls = []
    for item in items:
        permits.acquire()
        call = _Call(func, item, permits)
        call.start()
        calls.append(call)
    for call in reversed(calls):
        call.join()
    failed = [call.error for call in calls if call.error is not None]
    if failed:
        raise failed[0]
    return [call.result for call in calls]
