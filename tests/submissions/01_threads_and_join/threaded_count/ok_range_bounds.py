# ok: shares from range boundaries i*count_to//n, counted with a while loop
import threading


def threaded_count(count_to, n_threads):
    """Count to count_to with n_threads threads, each counting its own share."""
    bounds = [i * count_to // n_threads for i in range(n_threads + 1)]
    counts = {}

    def work(i):
        n, stop = 0, bounds[i + 1] - bounds[i]
        while n < stop:
            n += 1
        counts[i] = n

    threads = [threading.Thread(target=work, args=(i,)) for i in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts.values())
