# HOSTILE (threat 7): kill its own kernel with os._exit.
# Solution cell `threaded_count`: defines a correct function, then ends the kernel's
# process. The tests that ran before (run_in_threads) keep their points; the
# threaded_count tests could not run and score zero; the grader says the kernel died.
import os
import threading


def threaded_count(count_to, n_threads):
    """Count to count_to with n_threads threads, each counting its own share."""
    counts = [0] * n_threads

    def work(i):
        for _ in range(count_to // n_threads + (i < count_to % n_threads)):
            counts[i] += 1

    threads = [threading.Thread(target=work, args=(i,)) for i in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts)


print("HOSTILE kill: os._exit")
os._exit(3)
