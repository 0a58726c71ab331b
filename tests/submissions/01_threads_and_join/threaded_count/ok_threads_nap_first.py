# ok: slow on purpose: every thread sleeps 0.3 s before it counts, and the caller polls is_alive
import threading
import time


def threaded_count(count_to, n_threads):
    """Count to count_to with n_threads threads, each counting its own share."""
    counts = [0] * n_threads

    def count_share(slot, share):
        time.sleep(0.3)
        counted = 0
        while counted < share:
            counted += 1
        counts[slot] = counted

    base, extra = divmod(count_to, n_threads)
    threads = [threading.Thread(target=count_share, args=(i, base + (i < extra)))
               for i in range(n_threads)]
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        time.sleep(0.02)
    for t in threads:
        t.join()
    return sum(counts)
