import threading


def run_in_threads(func, args_list):
    """Starts every thread but joins only the last one."""
    threads = []
    for args in args_list:
        t = threading.Thread(target=func, args=args)
        t.start()
        threads.append(t)
    if threads:
        t.join()
    return threads
