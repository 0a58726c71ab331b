# hang: stop() waits for a lock the ticker thread releases once, so a second stop() waits forever
# fails: start_ticker_stop_twice
import threading


def start_ticker(callback, interval):
    """Call callback() every `interval` seconds in one daemon thread, until stopped."""
    stopping = threading.Event()
    finished = threading.Lock()
    finished.acquire()                      # released by the ticker thread as it ends
    errors = []

    def run():
        try:
            while not stopping.wait(interval):
                try:
                    callback()
                except Exception as exc:
                    errors.append(exc)
                    return
        finally:
            finished.release()

    threading.Thread(target=run, daemon=True).start()

    def stop():
        stopping.set()
        finished.acquire()                  # the second call waits here for good
        if errors:
            raise errors.pop()

    return stop
