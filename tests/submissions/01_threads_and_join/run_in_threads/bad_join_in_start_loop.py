# bad: joins each thread right after starting it, so the calls never overlap
# fails: run_in_threads_concurrent
import threading


def run_in_threads(func, args_list):
    """Call func(*args) for each tuple in args_list, each call in its own thread."""
    threads = []
    for args in args_list:
        t = threading.Thread(target=func, args=args)
        t.start()
        t.join()
        threads.append(t)
    return threads
