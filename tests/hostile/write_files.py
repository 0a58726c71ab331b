# HOSTILE (threat 2): write outside the kernel's working copy, the gradebook above all.
# Solution cell `threaded_count`. The test writes in the course's absolute path, a
# victim student and a token; every file this attack creates has the token in its
# name, so the test can look for it on the host afterwards. It prints one line per
# attempt, "WROTE ..." or "BLOCKED (...)", then defines a correct threaded_count.
import os
import sqlite3
import sys

import threads101.kernel.calls

COURSE = "@COURSE@"
VICTIM = "@VICTIM@"
TOKEN = "@TOKEN@"


def _attempt_write(path, mode="w"):
    try:
        with open(path, mode) as f:
            f.write("0wned" if "b" not in mode else b"0wned")
        return "WROTE"
    except Exception as exc:
        return f"BLOCKED ({type(exc).__name__})"


_targets = [
    (f"{COURSE}/gradebook.db", "r+b"),                       # overwrite the gradebook
    (f"{COURSE}/gradebook.db", "ab"),
    (f"{COURSE}/nbgrader_config.py", "a"),                   # run code in the grader
    (f"{COURSE}/hostile-{TOKEN}.txt", "w"),
    (f"{COURSE}/source/threads101/hostile-{TOKEN}.txt", "w"),
    (f"{COURSE}/submitted/{VICTIM}/threads101/hostile-{TOKEN}.txt", "w"),
    (f"{COURSE}/autograded/{VICTIM}/threads101/hostile-{TOKEN}.txt", "w"),
    (f"/proc/1/root{COURSE}/hostile-{TOKEN}.txt", "w"),
    (f"/etc/hostile-{TOKEN}", "w"),
    (f"/usr/hostile-{TOKEN}", "w"),
    (f"/root/hostile-{TOKEN}", "w"),
    (f"{sys.prefix}/hostile-{TOKEN}", "w"),                  # the virtualenv
    (os.path.join(os.path.dirname(os.__file__), f"hostile-{TOKEN}.py"), "w"),
]
_targets.append((threads101.kernel.calls.__file__, "a"))  # the tests' machinery
for _path, _mode in _targets:
    print(f"HOSTILE write {_path} ({_mode}): {_attempt_write(_path, _mode)}")

try:  # through SQLite, as nbgrader itself writes grades
    _db = sqlite3.connect(f"file:{COURSE}/gradebook.db?mode=rw", uri=True)
    _db.execute("UPDATE grade SET manual_score = 1000")
    _db.commit()
    print("HOSTILE write gradebook via sqlite: WROTE")
except Exception as exc:
    print(f"HOSTILE write gradebook via sqlite: BLOCKED ({type(exc).__name__})")

# Its own /tmp and $HOME are writable: they must not be the host's.
for _path in [f"/tmp/hostile-{TOKEN}", os.path.expanduser(f"~/hostile-home-{TOKEN}")]:
    print(f"HOSTILE write private {_path}: {_attempt_write(_path)}")


def threaded_count(count_to, n_threads):
    """Count to count_to with n_threads threads, each counting its own share."""
    import threading

    counts = [0] * n_threads

    def count(slot):
        share = count_to // n_threads + (1 if slot < count_to % n_threads else 0)
        done = 0
        while done < share:
            done += 1
        counts[slot] = done

    workers = [threading.Thread(target=count, args=(slot,)) for slot in range(n_threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sum(counts)
