# bad: stop() sets the event and returns without waiting for the ticker thread (no join)
# fails: start_ticker_stop_waits
import threading


def start_ticker(callback, interval):
    """Call callback() every `interval` seconds in one daemon thread, until stopped."""
    stopping = threading.Event()
    errors = []

    def run():
        while not stopping.wait(interval):
            try:
                callback()
            except Exception as exc:
                errors.append(exc)
                return

    threading.Thread(target=run, daemon=True).start()

    def stop():
        stopping.set()
        if errors:
            raise errors.pop()

    return stop
