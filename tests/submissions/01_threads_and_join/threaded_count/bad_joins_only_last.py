# bad: the loop variable slip: only the last counting thread is joined
# fails: threaded_count_threads
import threading


def threaded_count(count_to, n_threads):
    """Count to count_to with n_threads threads, each counting its own share."""
    counts = [0] * n_threads

    def count_share(slot, share):
        for _ in range(share):
            counts[slot] += 1

    base, extra = divmod(count_to, n_threads)
    for i in range(n_threads):
        t = threading.Thread(target=count_share, args=(i, base + (i < extra)))
        t.start()
    t.join()
    return sum(counts)
