# bad: stop() raises the kept exception every time it is called, not just the next time
# fails: start_ticker_stop_twice
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

    thread = threading.Thread(target=run, daemon=True)
    thread.start()

    def stop():
        stopping.set()
        thread.join()
        if errors:
            raise errors[0]

    return stop
