# HOSTILE (threat 1): read what lies outside the kernel's working copy.
# Solution cell `run_in_threads`. tests/test_sandbox.py writes in the course's
# absolute path, a victim student and a token before submitting, so the attack
# knows exactly where the solutions, the gradebook and the others' work are.
# It prints one line per attempt, "READ ..." or "BLOCKED (...)", then a correct
# run_in_threads so that the rest of the notebook grades normally.
import os
import sys

COURSE = "@COURSE@"
VICTIM = "@VICTIM@"
TOKEN = "@TOKEN@"


def _attempt_read(path):
    try:
        with open(path, "rb") as f:
            return f"READ {f.read(48)!r}"
    except Exception as exc:
        return f"BLOCKED ({type(exc).__name__})"


_targets = [
    f"{COURSE}/gradebook.db",
    f"{COURSE}/nbgrader_config.py",
    f"{COURSE}/source/threads101/01_threads_and_join.ipynb",
    f"{COURSE}/source/threads101/02_race_conditions_and_locks.ipynb",
    f"{COURSE}/source/threads101/secret-{TOKEN}.txt",
    f"{COURSE}/submitted/{VICTIM}/threads101/marker-{TOKEN}.txt",
    f"{COURSE}/submitted/{VICTIM}/threads101/01_threads_and_join.ipynb",
    f"{COURSE}/autograded/{VICTIM}/threads101/01_threads_and_join.ipynb",
    f"/proc/1/root{COURSE}/gradebook.db",
    f"/proc/self/root{COURSE}/gradebook.db",
    "/etc/shadow",
    "/root/.ssh/id_rsa",
    "/root/.bash_history",
]
for _path in _targets:
    print(f"HOSTILE read {_path}: {_attempt_read(_path)}")

for _folder in [COURSE, f"{COURSE}/source", f"{COURSE}/submitted", f"{COURSE}/autograded",
                os.path.dirname(COURSE)]:
    try:
        print(f"HOSTILE read listing {_folder}: READ {len(os.listdir(_folder))} names")
    except Exception as exc:
        print(f"HOSTILE read listing {_folder}: BLOCKED ({type(exc).__name__})")

# Search everything visible for the course's files, by name (installed software aside:
# nbgrader's own tests ship a gradebook.db and an nbgrader_config.py).
_wanted = ("gradebook.db", "nbgrader_config.py", "01_threads_and_join.ipynb",
           "02_race_conditions_and_locks.ipynb", "03_pipelines.ipynb")
_software = ("/proc", "/sys", "/dev", "/usr", sys.prefix, sys.base_prefix)
_found, _seen = [], 0
for _root, _dirs, _files in os.walk("/"):
    if _root.startswith(_software):
        _dirs[:] = []
        continue
    for _name in _files + _dirs:
        _seen += 1
        if TOKEN in _name or _name in _wanted:
            _found.append(os.path.join(_root, _name))
print(f"HOSTILE read search: looked at {_seen} names, "
      + (f"READ {_found}" if _found else "BLOCKED (nothing found)"))

# The grader's environment (the test puts a secret in it) and open file descriptors.
_env = {k: v for k, v in os.environ.items() if TOKEN in k or TOKEN in v}
try:
    with open("/proc/1/environ", "rb") as f:
        _env1 = TOKEN.encode() in f.read()
except OSError:
    _env1 = False
print("HOSTILE read environment: " + (f"READ {_env} {_env1}" if _env or _env1
                                      else "BLOCKED (no secret)"))
_fds = []
for _fd in os.listdir("/proc/self/fd"):
    try:
        _fds.append(os.readlink(f"/proc/self/fd/{_fd}"))
    except OSError:
        pass
_leaky = [t for t in _fds if COURSE in t or "gradebook" in t]
print("HOSTILE read descriptors: " + (f"READ {_leaky}" if _leaky else
                                      f"BLOCKED (only {len(_fds)} of its own)"))


def run_in_threads(func, args_list):
    """Call func(*args) for each tuple in args_list, each call in its own thread."""
    import threading

    threads = []
    for args in args_list:
        threads.append(threading.Thread(target=func, args=tuple(args)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return threads
