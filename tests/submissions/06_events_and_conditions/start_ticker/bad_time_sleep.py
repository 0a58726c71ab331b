# bad: the ticker sleeps with time.sleep, so stop() has to wait out the whole interval
# fails: start_ticker_stop_prompt
import threading
import time


def start_ticker(callback, interval):
    """Call callback() every `interval` seconds in one daemon thread, until stopped."""
    state = {"stopped": False}
    errors = []

    def run():
        while True:
            time.sleep(interval)
            if state["stopped"]:
                return
            try:
                callback()
            except Exception as exc:
                errors.append(exc)
                return

    thread = threading.Thread(target=run, daemon=True)
    thread.start()

    def stop():
        state["stopped"] = True
        thread.join()
        if errors:
            raise errors.pop()

    return stop
