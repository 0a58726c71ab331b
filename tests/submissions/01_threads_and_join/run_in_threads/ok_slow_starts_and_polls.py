# ok: slow on purpose: pauses 0.05 s before starting each thread, then sleep-polls until none is alive
import threading
import time


def run_in_threads(func, args_list):
    """Call func(*args) for each tuple in args_list, each call in its own thread."""
    threads = [threading.Thread(target=func, args=tuple(args)) for args in args_list]
    for t in threads:
        time.sleep(0.05)
        t.start()
    while any(t.is_alive() for t in threads):
        time.sleep(0.02)
    return threads
