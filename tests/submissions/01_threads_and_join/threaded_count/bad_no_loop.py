# bad: the threads store their share instead of counting it
# fails: threaded_count_shares
import threading


def threaded_count(count_to, n_threads):
    """Count to count_to with n_threads threads, each counting its own share."""
    counts = [0] * n_threads

    def work(i):
        counts[i] = count_to // n_threads + (i < count_to % n_threads)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts)
