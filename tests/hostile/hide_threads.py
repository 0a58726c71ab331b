# HOSTILE (threat 6): hide its threads to fool the tests.
# Solution cell `threaded_count`. The counting runs in threads made with the low-level
# _thread.start_new_thread, which threading (and so the tests) never sees, and the
# function returns the expected total at once, without waiting for them. It must lose
# the points of the tests that check the threads (how many, how they share the work).
import _thread


def _count_share(share):
    done = 0
    for _ in range(share):
        done += 1


def threaded_count(count_to, n_threads):
    """Count to count_to with n_threads threads, each counting its own share."""
    base, extra = divmod(count_to, n_threads)
    for i in range(n_threads):
        _thread.start_new_thread(_count_share, (base + (i < extra),))
    return count_to  # known in advance: no need to wait for anybody


print("HOSTILE hide: threaded_count runs its threads out of threading's sight")
