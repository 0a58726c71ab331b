# HOSTILE (threat 4): leave processes and threads running after grading.
# Solution cell `threaded_count`. Starts, in every way it can, processes that
# outlive the kernel if nothing kills them: a detached process in its own session
# that ignores SIGTERM/SIGHUP/SIGINT, a double-forked daemon, a forked child of the
# kernel, plus non-daemon threads that never end. Each carries the token the test
# writes in (in its command line, or as its process name), so the test can look for
# it on the host once grading is over. Then a correct threaded_count.
import ctypes
import os
import subprocess
import sys
import threading
import time

TOKEN = "@TOKEN@"
_NAME = f"t101h{TOKEN}"[:15].encode()  # a process name (comm) is at most 15 bytes
_started = []

_IGNORE = ("import signal, time\n"
           "for s in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):\n"
           "    signal.signal(s, signal.SIG_IGN)\n"
           "time.sleep(4242)\n")
_p = subprocess.Popen([sys.executable, "-c", _IGNORE, TOKEN], start_new_session=True,
                      stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                      stderr=subprocess.DEVNULL)
_started.append(f"detached python {_p.pid}")
_p = subprocess.Popen(["sleep", "4242"], start_new_session=True)
_started.append(f"sleep 4242 {_p.pid}")


def _become(name):
    ctypes.CDLL(None).prctl(15, ctypes.c_char_p(name), 0, 0, 0)  # PR_SET_NAME


_pid = os.fork()
if _pid == 0:  # a child of the kernel, which never execs
    try:
        _become(_NAME)
        time.sleep(4242)
    finally:
        os._exit(0)
_started.append(f"forked child {_pid}")

_pid = os.fork()
if _pid == 0:  # a daemon: new session, second fork, the middle process exits
    try:
        os.setsid()
        if os.fork() == 0:
            _become(_NAME)
            subprocess.Popen([sys.executable, "-c", _IGNORE, TOKEN, "grandchild"])
            time.sleep(4242)
    finally:
        os._exit(0)
os.waitpid(_pid, 0)
_started.append("double-forked daemon")

for _i in range(3):
    threading.Thread(target=time.sleep, args=(4242,), name=f"forever-{_i}").start()
_started.append("3 non-daemon threads")
time.sleep(0.5)
print(f"HOSTILE procs: started {'; '.join(_started)}")


def threaded_count(count_to, n_threads):
    """Count to count_to with n_threads threads, each counting its own share."""
    counts = [0] * n_threads
    shares = [count_to // n_threads + (i < count_to % n_threads) for i in range(n_threads)]

    def work(i):
        for _ in range(shares[i]):
            counts[i] += 1

    threads = [threading.Thread(target=work, args=(i,)) for i in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts)
