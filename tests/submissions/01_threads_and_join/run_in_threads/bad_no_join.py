# bad: starts daemon threads and returns without waiting for them
# fails: run_in_threads_waits
import threading


def run_in_threads(func, args_list):
    """Call func(*args) for each tuple in args_list, each call in its own thread."""
    threads = [threading.Thread(target=func, args=args, daemon=True) for args in args_list]
    for t in threads:
        t.start()
    return threads
