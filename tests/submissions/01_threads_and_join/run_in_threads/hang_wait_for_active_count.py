# hang: waits until threading.active_count() drops to 1, which never happens in a kernel
# fails: run_in_threads_results run_in_threads_concurrent run_in_threads_waits run_in_threads_empty
import threading
import time


def run_in_threads(func, args_list):
    """Call func(*args) for each tuple in args_list, each call in its own thread."""
    threads = [threading.Thread(target=func, args=args) for args in args_list]
    for t in threads:
        t.start()
    while threading.active_count() > 1:
        time.sleep(0.01)
    return threads
