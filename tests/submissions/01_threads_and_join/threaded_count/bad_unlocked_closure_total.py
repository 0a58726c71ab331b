# bad: each thread adds its count into a shared closure variable, with no lock
# fails: threaded_count_no_shared_total
import threading


def threaded_count(count_to, n_threads):
    """Count to count_to with n_threads threads, each counting its own share."""
    total = 0

    def work(share):
        nonlocal total
        mine = 0
        for _ in range(share):
            mine += 1
        total += mine

    shares = [count_to // n_threads + (i < count_to % n_threads) for i in range(n_threads)]
    threads = [threading.Thread(target=work, args=(s,)) for s in shares]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return total
