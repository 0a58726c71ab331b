# ok: a Thread subclass keeps its own count in an attribute
import threading


class Counting(threading.Thread):
    def __init__(self, share):
        super().__init__()
        self.share = share
        self.count = 0

    def run(self):
        for _ in range(self.share):
            self.count += 1


def threaded_count(count_to, n_threads):
    """Count to count_to with n_threads threads, each counting its own share."""
    q, r = divmod(count_to, n_threads)
    workers = [Counting(q + (1 if i >= n_threads - r else 0)) for i in range(n_threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return sum(w.count for w in workers)
