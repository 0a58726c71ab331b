# bad: the ticker thread is not a daemon thread
# fails: start_ticker_thread
import threading


def start_ticker(callback, interval):
    """Call callback() every `interval` seconds in one thread, until stopped."""
    stopping = threading.Event()
    errors = []

    def run():
        while not stopping.wait(interval):
            try:
                callback()
            except Exception as exc:
                errors.append(exc)
                return

    thread = threading.Thread(target=run)
    thread.start()

    def stop():
        stopping.set()
        thread.join()
        if errors:
            raise errors.pop()

    return stop
