# bad: a new threading.Timer for every tick: many threads instead of one ticker thread
# fails: start_ticker_thread
import threading


def start_ticker(callback, interval):
    """Call callback() every `interval` seconds, until stopped."""
    state = {"timer": None, "stopped": False, "error": None}
    lock = threading.Lock()

    def fire():
        try:
            callback()
        except Exception as exc:
            state["error"] = exc
            return
        schedule()

    def schedule():
        with lock:
            if state["stopped"]:
                return
            timer = threading.Timer(interval, fire)
            timer.daemon = True
            state["timer"] = timer
            timer.start()

    schedule()

    def stop():
        with lock:
            state["stopped"] = True
            timer = state["timer"]
        timer.cancel()
        timer.join()
        error, state["error"] = state["error"], None
        if error is not None:
            raise error

    return stop
