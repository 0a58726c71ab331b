# hang: stop() joins the ticker thread before telling it to stop, so it waits forever
# fails: start_ticker_stop_prompt start_ticker_stop_waits start_ticker_stop_twice
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

    ticker = threading.Thread(target=run, daemon=True)
    ticker.start()

    def stop():
        ticker.join()
        stopping.set()
        if errors:
            raise errors.pop()

    return stop
