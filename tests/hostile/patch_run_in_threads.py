# HOSTILE (threat 6): replace time, threading and queue functions to fool the tests.
# Solution cell `run_in_threads`. A BROKEN implementation (it joins only the last
# thread, like tests/submissions/.../bad_join_last_only.py) together with patches
# meant to hide that: Thread.start runs the target at once in the caller (so every
# call has finished when it returns), join and sleep do nothing, no thread is ever
# alive, threading.enumerate shows only the main thread, the clocks jump, and putting
# into a queue never waits (threads started before, the kernel's own, are left alone).
# The test compares its score with the same broken implementation without the patches:
# it must not be higher.
import queue
import threading
import time

_real_monotonic, _real_perf = time.monotonic, time.perf_counter
_real_start, _real_join, _real_is_alive = (threading.Thread.start, threading.Thread.join,
                                          threading.Thread.is_alive)
_ran = set()  # threads started since the patch: run at once; the kernel's own work on


def _start_now(self):
    _ran.add(id(self))
    self.run()  # "finishes" before start returns


threading.Thread.start = _start_now
threading.Thread.join = lambda self, timeout=None: None if id(self) in _ran else _real_join(self, timeout)
threading.Thread.is_alive = lambda self: False if id(self) in _ran else _real_is_alive(self)
threading.enumerate = lambda: [threading.main_thread()]
threading.active_count = lambda: 1
time.sleep = lambda seconds: None
time.monotonic = lambda: _real_monotonic() + 3600.0
time.perf_counter = lambda: _real_perf() + 3600.0
_real_put = queue.Queue.put
queue.Queue.put = lambda self, item, block=True, timeout=None: _real_put(self, item, False)
print("HOSTILE patch: time, threading and queue replaced")


def run_in_threads(func, args_list):
    """Call func(*args) for each tuple in args_list, each call in its own thread."""
    threads = []
    for args in args_list:
        t = threading.Thread(target=func, args=args)
        t.start()
        threads.append(t)
    if threads:
        t.join()
    return threads
