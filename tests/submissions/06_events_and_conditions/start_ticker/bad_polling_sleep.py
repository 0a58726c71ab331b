# bad: waits out the interval by polling a flag every millisecond (busy-waiting)
# fails: start_ticker_no_busy_wait
import threading
import time


def start_ticker(callback, interval):
    """Call callback() every `interval` seconds in one daemon thread, until stopped."""
    flags = {"stop": False}
    errors = []

    def run():
        while True:
            deadline = time.monotonic() + interval
            while time.monotonic() < deadline:
                if flags["stop"]:
                    return
                time.sleep(0.001)
            if flags["stop"]:
                return
            try:
                callback()
            except Exception as exc:
                errors.append(exc)
                return

    thread = threading.Thread(target=run, daemon=True)
    thread.start()

    def stop():
        flags["stop"] = True
        thread.join()
        if errors:
            raise errors.pop()

    return stop
