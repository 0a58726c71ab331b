# bad: returns the threads in reverse order
# fails: run_in_threads_results
import threading


def run_in_threads(func, args_list):
    """Call func(*args) for each tuple in args_list, each call in its own thread."""
    threads = []
    for args in args_list:
        t = threading.Thread(target=func, args=args)
        t.start()
        threads.insert(0, t)
    for t in threads:
        t.join()
    return threads
