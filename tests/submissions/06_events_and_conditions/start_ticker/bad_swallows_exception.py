# bad: an exception of callback is logged and the ticker goes on; stop() never raises it
# fails: start_ticker_exception
import logging
import threading


def start_ticker(callback, interval):
    """Call callback() every `interval` seconds in one daemon thread, until stopped."""
    stopping = threading.Event()

    def run():
        while not stopping.wait(interval):
            try:
                callback()
            except Exception:
                logging.getLogger("ticker").debug("callback failed", exc_info=True)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()

    def stop():
        stopping.set()
        thread.join()

    return stop
