# bad: when stop() cuts a wait short, the loop still makes one more call before it checks the event
# fails: start_ticker_stop_prompt
import threading


def start_ticker(callback, interval):
    """Call callback() every `interval` seconds in one daemon thread, until stopped."""
    stopping = threading.Event()
    errors = []

    def run():
        while not stopping.is_set():
            stopping.wait(interval)
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
