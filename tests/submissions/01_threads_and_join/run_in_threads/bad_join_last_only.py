# bad: the classic slip: only the last thread is joined
# fails: run_in_threads_waits
import threading


def run_in_threads(func, args_list):
    """Call func(*args) for each tuple in args_list, each call in its own thread."""
    threads = []
    for args in args_list:
        t = threading.Thread(target=func, args=args)
        t.start()
        threads.append(t)
    if threads:
        t.join()
    return threads
