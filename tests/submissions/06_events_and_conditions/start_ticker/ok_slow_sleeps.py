# ok: slow on purpose: sleeps before returning and in stop(), waits in 0.1 s slices of an Event
import threading
import time


def start_ticker(callback, interval):
    """Call callback() every `interval` seconds in one daemon thread, until stopped."""
    stop_event = threading.Event()
    box = []

    def run():
        while True:
            deadline = time.monotonic() + interval
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                if stop_event.wait(min(left, 0.1)):
                    return
            try:
                callback()
            except Exception as exc:
                box.append(exc)
                return

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    time.sleep(0.05)                        # slow start-up

    def stop():
        time.sleep(0.1)                     # slow shutdown bookkeeping
        stop_event.set()
        thread.join()
        if box:
            raise box.pop()

    return stop
