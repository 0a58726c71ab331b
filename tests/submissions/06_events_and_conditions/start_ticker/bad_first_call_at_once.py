# bad: calls callback first and waits afterwards, so the first call comes without a wait
# fails: start_ticker_timing start_ticker_stop_prompt
import threading


def start_ticker(callback, interval):
    """Call callback() every `interval` seconds in one daemon thread, until stopped."""
    stopping = threading.Event()
    errors = []

    def run():
        while not stopping.is_set():
            try:
                callback()
            except Exception as exc:
                errors.append(exc)
                return
            stopping.wait(interval)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()

    def stop():
        stopping.set()
        thread.join()
        if errors:
            raise errors.pop()

    return stop
