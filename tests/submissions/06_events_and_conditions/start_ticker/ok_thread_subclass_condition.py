# ok: a Thread subclass waiting on a Condition with wait_for(timeout); stop is its bound method
import threading


class _Ticker(threading.Thread):
    def __init__(self, callback, interval):
        super().__init__(name="ticker", daemon=True)
        self._callback, self._interval = callback, interval
        self._changed = threading.Condition()
        self._stopping = False
        self._failure = None

    def run(self):
        while True:
            with self._changed:
                if self._changed.wait_for(lambda: self._stopping, timeout=self._interval):
                    return
            try:
                self._callback()
            except Exception as exc:
                self._failure = exc
                return

    def stop(self):
        with self._changed:
            self._stopping = True
            self._changed.notify_all()
        self.join()
        failure, self._failure = self._failure, None
        if failure is not None:
            raise failure


def start_ticker(callback, interval):
    """Call callback() every `interval` seconds in one daemon thread, until stopped."""
    ticker = _Ticker(callback, interval)
    ticker.start()
    return ticker.stop
