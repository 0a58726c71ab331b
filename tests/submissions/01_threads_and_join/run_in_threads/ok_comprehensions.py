# ok: builds, starts and joins the threads with comprehensions
import threading


def run_in_threads(func, args_list):
    """Call func(*args) for each tuple in args_list, each call in its own thread."""
    threads = [threading.Thread(target=lambda a=args: func(*a)) for args in args_list]
    [t.start() for t in threads]
    [t.join() for t in threads]
    return threads
