# bad: starts one more thread for the remainder
# fails: threaded_count_threads
import threading


def threaded_count(count_to, n_threads):
    """Count to count_to with n_threads threads, each counting its own share."""
    shares = [count_to // n_threads] * n_threads
    if count_to % n_threads:
        shares.append(count_to % n_threads)
    counts = [0] * len(shares)

    def work(i):
        for _ in range(shares[i]):
            counts[i] += 1

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(shares))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts)
