# bad: keeps a fixed rate (start to start), so a slow callback shortens the wait after it
# fails: start_ticker_timing
import threading
import time


def start_ticker(callback, interval):
    """Call callback() every `interval` seconds in one daemon thread, until stopped."""
    stopping = threading.Event()
    errors = []

    def run():
        next_call = time.monotonic() + interval
        while not stopping.wait(max(0.0, next_call - time.monotonic())):
            next_call += interval
            try:
                callback()
            except Exception as exc:
                errors.append(exc)
                return

    thread = threading.Thread(target=run, daemon=True)
    thread.start()

    def stop():
        stopping.set()
        thread.join()
        if errors:
            raise errors.pop()

    return stop
