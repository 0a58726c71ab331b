# HOSTILE (threat 6): switch off the tests' tracing to hide a race.
# Solution cell `threaded_count`. A BROKEN implementation (every thread adds to one
# shared global without a lock, like tests/submissions/.../bad_unlocked_global_each_step.py)
# with patches meant to stop the tests from forcing the race: sys.settrace and
# threading.settrace become no-ops, each counting thread also removes whatever trace
# function it was given, and time.sleep does nothing. The test compares its score
# with the same broken implementation without the patches: it must not be higher.
import sys
import threading
import time

_real_settrace = sys.settrace
sys.settrace = lambda function: None
threading.settrace = lambda function: None
time.sleep = lambda seconds: None
print("HOSTILE patch: tracing switched off")

total = 0


def threaded_count(count_to, n_threads):
    """Count to count_to with n_threads threads, each counting its own share."""
    global total
    total = 0

    def work(share):
        global total
        _real_settrace(None)  # no tracer in this thread, whoever installed it
        for _ in range(share):
            total += 1

    shares = [count_to // n_threads + (i < count_to % n_threads) for i in range(n_threads)]
    threads = [threading.Thread(target=work, args=(s,)) for s in shares]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return total
