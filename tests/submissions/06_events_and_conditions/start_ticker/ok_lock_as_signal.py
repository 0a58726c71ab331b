# ok: a Lock held by start_ticker is the stop signal; the thread waits in acquire(timeout=interval)
import threading


def start_ticker(callback, interval):
    """Call callback() every `interval` seconds in one daemon thread, until stopped."""
    keep_going = threading.Lock()
    keep_going.acquire()                    # released by stop(): then the ticker's acquire succeeds
    errors, released = [], []

    def run():
        while not keep_going.acquire(timeout=interval):
            try:
                callback()
            except Exception as exc:
                errors.append(exc)
                return

    thread = threading.Thread(target=run, daemon=True)
    thread.start()

    def stop():
        if not released:
            released.append(True)
            keep_going.release()
        thread.join()
        if errors:
            raise errors.pop()

    return stop
