# hang: waits for an Event that no thread ever sets
# fails: run_in_threads_results run_in_threads_concurrent run_in_threads_waits run_in_threads_empty
import threading


def run_in_threads(func, args_list):
    """Call func(*args) for each tuple in args_list, each call in its own thread."""
    all_done = threading.Event()
    threads = [threading.Thread(target=func, args=args) for args in args_list]
    for t in threads:
        t.start()
    all_done.wait()
    return threads
