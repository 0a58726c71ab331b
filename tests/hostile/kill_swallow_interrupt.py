# HOSTILE (threat 7): never finish, and ignore the interrupt meant to stop it.
# Solution cell `threaded_count`. SIGINT is ignored and the loop swallows every
# exception, so nbgrader's interrupt at the cell timeout changes nothing: the grader
# must stop the kernel itself. The tests that ran before keep their points, the
# threaded_count tests score zero, and the grader says what happened.
import signal
import time

signal.signal(signal.SIGINT, signal.SIG_IGN)
print("HOSTILE kill: ignoring SIGINT, looping forever")
while True:
    try:
        time.sleep(0.05)
    except BaseException:
        pass
