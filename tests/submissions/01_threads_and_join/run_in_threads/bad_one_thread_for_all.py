# bad: a single thread makes all the calls, one after the other
# fails: run_in_threads_results run_in_threads_concurrent
import threading


def run_in_threads(func, args_list):
    """Call func(*args) for each tuple in args_list, each call in its own thread."""
    if not args_list:
        return []

    def all_calls():
        for args in args_list:
            func(*args)

    worker = threading.Thread(target=all_calls)
    worker.start()
    worker.join()
    return [worker] * len(args_list)
