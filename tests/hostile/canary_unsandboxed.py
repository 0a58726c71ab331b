# HOSTILE (threat 8): the canary for grading without a sandbox.
# Solution cell `run_in_threads`. Writes a file into the course directory on the host,
# which only works if the code runs WITHOUT the sandbox. Where bubblewrap is missing,
# grading must refuse to run it (the file never appears), unless the instructor
# explicitly grades unsafely (`threads101 grade --unsafe`: then it does appear).
import threading

COURSE = "@COURSE@"
TOKEN = "@TOKEN@"
try:
    with open(f"{COURSE}/ran-unsandboxed-{TOKEN}", "w") as _f:
        _f.write("this code ran with the instructor's rights\n")
    print("HOSTILE canary: WROTE into the course")
except OSError as exc:
    print(f"HOSTILE canary: BLOCKED ({type(exc).__name__})")


def run_in_threads(func, args_list):
    """Call func(*args) for each tuple in args_list, each call in its own thread."""
    threads = [threading.Thread(target=func, args=tuple(a)) for a in args_list]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return threads
