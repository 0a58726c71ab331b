# HOSTILE (threat 5): flood the grader with output.
# Solution cell `run_in_threads`. Prints about 10 MB to stdout in big pieces and
# 100,000 small ones, 3 MB to stderr and one 5 MB rich display (over a hundred times
# the grader's cap of a cell's output, yet printed in a small part of the hostile
# course's 10 s cell timeout even on a busy machine): the grader keeps only the first
# part of a cell's output and says it cut the rest, so the autograded notebook stays
# small. Then a correct run_in_threads.
import sys
import threading

from IPython.display import display

_line = "flood " * 170_000 + "\n"  # about 1 MB
for _ in range(10):
    sys.stdout.write(_line)
for _i in range(100_000):
    print(_i)
for _ in range(3):
    sys.stderr.write(_line)
display({"text/plain": "x" * 5_000_000}, raw=True)
sys.stdout.flush()


def run_in_threads(func, args_list):
    """Call func(*args) for each tuple in args_list, each call in its own thread."""
    threads = [threading.Thread(target=func, args=tuple(a)) for a in args_list]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return threads
