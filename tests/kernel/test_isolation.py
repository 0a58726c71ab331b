"""threads101.kernel runs inside students' kernels: the standard library only.

It is imported in a bare interpreter (no site-packages: no nbgrader, jupyter,
traitlets or requests to be had) from the package's folder alone; nothing of the
grading pipeline or the outputs may come along, and importing must not change the
process (the hooks come with an explicit `install()`).
"""

import subprocess
import sys
from pathlib import Path

import threads101

PARENT = str(Path(threads101.__file__).resolve().parent.parent)

PROBE = f"""
import sys, threading, queue
sys.path.insert(0, {PARENT!r})
start, put = threading.Thread.start, queue.Queue.put
import threads101.kernel as kernel
import threads101.kernel.httpserver
assert threading.Thread.start is start and queue.Queue.put is put, "importing patched the process"
kernel.install()
assert threading.Thread.start is not start and queue.Queue.put is not put, "install() did nothing"
kernel.install()  # idempotent
print(kernel.finishes(lambda: 42))
print(" ".join(sorted(m for m in sys.modules if m.startswith("threads101"))))
"""


def test_kernel_imports_in_a_bare_interpreter():
    proc = subprocess.run([sys.executable, "-S", "-I", "-c", PROBE], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    answer, modules = proc.stdout.splitlines()
    assert answer == "42"
    loaded = modules.split()
    assert {f"threads101.kernel.{m}" for m in ("calls", "tracking", "races", "watch", "asserts",
                                                 "report", "explain")} <= set(loaded)
    outside = [m for m in loaded if m != "threads101" and not m.startswith("threads101.kernel")]
    assert outside == [], f"the kernel runtime pulled in {outside}"


def test_kernel_declares_its_public_api():
    import threads101.kernel as kernel

    assert kernel.__all__ and all(hasattr(kernel, name) for name in kernel.__all__)
