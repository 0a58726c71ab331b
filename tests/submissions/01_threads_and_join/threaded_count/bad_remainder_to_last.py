# bad: the last thread also counts the whole remainder, so shares can differ by n-1
# fails: threaded_count_shares
import threading


def threaded_count(count_to, n_threads):
    """Count to count_to with n_threads threads, each counting its own share."""
    share = count_to // n_threads
    shares = [share] * (n_threads - 1) + [share + count_to % n_threads]
    counts = [0] * n_threads

    def work(i):
        for _ in range(shares[i]):
            counts[i] += 1

    threads = [threading.Thread(target=work, args=(i,)) for i in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts)
