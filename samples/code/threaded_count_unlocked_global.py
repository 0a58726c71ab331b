import threading

total = 0


def threaded_count(count_to, n_threads):
    """Each thread adds into one global total, without a lock (racy)."""
    global total
    total = 0

    def work(share):
        global total
        for _ in range(share):
            total += 1

    shares = [count_to // n_threads + (i < count_to % n_threads) for i in range(n_threads)]
    threads = [threading.Thread(target=work, args=(s,)) for s in shares]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return total
