# HOSTILE (threat 5): exhaust the machine's processes and threads.
# Solution cell `threaded_count`. A fork bomb and a thread bomb, bounded for the
# machine's sake even if nothing stopped them (2000 of each at most): the kernel's
# process limit (512 processes and threads for its own user) must stop both well
# before. The attack then releases what it made, and defines a correct threaded_count.
import os
import threading

_read, _write = os.pipe()
_children, _error = [], None
for _ in range(2000):
    try:
        _pid = os.fork()
    except OSError as exc:
        _error = exc
        break
    if _pid == 0:  # wait until the parent closes the pipe, then go
        try:
            os.close(_write)
            os.read(_read, 1)
        finally:
            os._exit(0)
    _children.append(_pid)
os.close(_write)
for _pid in _children:
    os.waitpid(_pid, 0)
os.close(_read)
print(f"HOSTILE forks: {len(_children)} processes, then "
      + (f"BLOCKED ({type(_error).__name__}: {_error})" if _error else "NOT STOPPED"))

_release = threading.Event()
_threads, _error = [], None
for _ in range(2000):
    _t = threading.Thread(target=_release.wait, daemon=True)
    try:
        _t.start()
    except Exception as exc:
        _error = exc
        break
    _threads.append(_t)
_release.set()
for _t in _threads:
    _t.join()
print(f"HOSTILE threads: {len(_threads)} threads, then "
      + (f"BLOCKED ({type(_error).__name__}: {_error})" if _error else "NOT STOPPED"))
del _threads, _children


def threaded_count(count_to, n_threads):
    """Count to count_to with n_threads threads, each counting its own share."""
    results = {}

    def work(index, share):
        counted = 0
        for _ in range(share):
            counted += 1
        results[index] = counted

    base, rest = divmod(count_to, n_threads)
    pool = [threading.Thread(target=work, args=(i, base + (1 if i < rest else 0)))
            for i in range(n_threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return sum(results.values())
