# HOSTILE (threat 5): use the CPU without end.
# Solution cell `run_in_threads`. Starts threads that spin forever and swallow every
# exception (so the hidden tests cannot stop them): one daemon, one not. They slow
# this kernel down, and nothing else: each cell has nbgrader's timeout, the kernel
# its CPU-time limit, and it is killed, spinners and all, when its grading ends.
# It also tries to lift the CPU-time limit. Then a correct run_in_threads.
import resource
import threading


def _spin():
    while True:
        try:
            while True:
                pass
        except BaseException:
            continue


for _daemon in (True, False):
    threading.Thread(target=_spin, daemon=_daemon, name=f"spinner-{_daemon}").start()
print(f"HOSTILE cpu: spinning; RLIMIT_CPU={resource.getrlimit(resource.RLIMIT_CPU)}")
try:
    resource.setrlimit(resource.RLIMIT_CPU, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    print("HOSTILE cpu raise the limit: RAISED")
except Exception as exc:
    print(f"HOSTILE cpu raise the limit: BLOCKED ({type(exc).__name__})")


def run_in_threads(func, args_list):
    """Call func(*args) for each tuple in args_list, each call in its own thread."""
    threads = [threading.Thread(target=func, args=tuple(args)) for args in args_list]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return threads
