# hang: each thread takes a shared lock and forgets to release it
# fails: threaded_count_result threaded_count_threads threaded_count_shares threaded_count_no_shared_total
import threading

lock = threading.Lock()


def threaded_count(count_to, n_threads):
    """Count to count_to with n_threads threads, each counting its own share."""
    counts = [0] * n_threads

    def work(i, share):
        lock.acquire()
        for _ in range(share):
            counts[i] += 1

    shares = [count_to // n_threads + (i < count_to % n_threads) for i in range(n_threads)]
    threads = [threading.Thread(target=work, args=(i, s)) for i, s in enumerate(shares)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts)
