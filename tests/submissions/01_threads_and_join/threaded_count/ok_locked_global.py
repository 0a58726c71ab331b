# ok: adds each thread's count into a global total, under a lock
import threading

total = 0
total_lock = threading.Lock()


def threaded_count(count_to, n_threads):
    """Count to count_to with n_threads threads, each counting its own share."""
    global total
    total = 0

    def work(share):
        global total
        mine = 0
        for _ in range(share):
            mine += 1
        with total_lock:
            total += mine

    shares = [count_to // n_threads + (i < count_to % n_threads) for i in range(n_threads)]
    threads = [threading.Thread(target=work, args=(s,)) for s in shares]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return total
