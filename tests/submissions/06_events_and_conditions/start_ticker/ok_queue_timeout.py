# ok: the interruptible wait is a queue get(timeout=interval); stop() posts a message
import queue
import threading


def start_ticker(callback, interval):
    """Call callback() every `interval` seconds in one daemon thread, until stopped."""
    mailbox = queue.Queue()
    outcome = {}

    def run():
        while True:
            try:
                mailbox.get(timeout=interval)
                return                      # any message means: stop
            except queue.Empty:
                pass
            try:
                callback()
            except Exception as exc:
                outcome["error"] = exc
                return

    worker = threading.Thread(target=run, daemon=True)
    worker.start()

    def stop():
        mailbox.put("stop")
        worker.join()
        if "error" in outcome:
            raise outcome.pop("error")

    return stop
