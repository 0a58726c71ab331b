# hang: each thread spins until a start flag is set, but the caller sets it only after joining them
# fails: threaded_count_result threaded_count_threads threaded_count_shares threaded_count_no_shared_total
import threading


def threaded_count(count_to, n_threads):
    """Count to count_to with n_threads threads, each counting its own share."""
    counts = [0] * n_threads
    go = [False]

    def count_share(slot, share):
        while not go[0]:  # wait until every thread is ready
            pass
        for _ in range(share):
            counts[slot] += 1

    base, extra = divmod(count_to, n_threads)
    threads = [threading.Thread(target=count_share, args=(i, base + (i < extra)))
               for i in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    go[0] = True
    return sum(counts)
