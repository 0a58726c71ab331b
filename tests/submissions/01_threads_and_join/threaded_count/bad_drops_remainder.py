# bad: every thread counts count_to // n_threads and the remainder is lost
# fails: threaded_count_result
import threading


def threaded_count(count_to, n_threads):
    """Count to count_to with n_threads threads, each counting its own share."""
    counts = [0] * n_threads

    def work(i):
        for _ in range(count_to // n_threads):
            counts[i] += 1

    threads = [threading.Thread(target=work, args=(i,)) for i in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts)
