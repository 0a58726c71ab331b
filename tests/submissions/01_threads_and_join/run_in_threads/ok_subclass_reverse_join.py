# ok: a Thread subclass per call, joined in reverse order
import threading


class Call(threading.Thread):
    def __init__(self, func, args):
        super().__init__(daemon=True)
        self.func, self.call_args = func, args

    def run(self):
        self.func(*self.call_args)


def run_in_threads(func, args_list):
    """Call func(*args) for each tuple in args_list, each call in its own thread."""
    threads = []
    for args in args_list:
        thread = Call(func, args)
        thread.start()
        threads.append(thread)
    for thread in reversed(threads):
        while thread.is_alive():
            thread.join(timeout=0.05)
    return threads
