# hang: spins until a count of finished calls reaches len(args_list), but the count is never raised
# fails: run_in_threads_results run_in_threads_concurrent run_in_threads_waits
import threading


def run_in_threads(func, args_list):
    """Call func(*args) for each tuple in args_list, each call in its own thread."""
    finished = [0]

    def call_and_count(args):
        func(*args)
        finished.append(1)  # meant: finished[0] += 1

    threads = [threading.Thread(target=call_and_count, args=(args,)) for args in args_list]
    for t in threads:
        t.start()
    while finished[0] < len(args_list):
        pass
    return threads
