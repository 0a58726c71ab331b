"""What a thread is doing, seen from Linux (/proc/self/task/<native id>/).

- `_syscall_state`: blocked with no timeout ('forever'), waiting with a timeout,
  sleeping, running, in I/O, or gone, from the system call the thread is in;
- `_ran_counter`: a value that changes whenever the thread runs;
- `_stays_blocked`: 'forever' in several looks, without running in between
  (one look can catch a running thread for a moment in a wait with no
  timeout: the interpreter's own mutex, while it waits for the GIL);
- `_schedstat`, `_cpu_seconds`, `_task_stat`, `_usage_of`, `_usage_between`: CPU seconds and voluntary
  context switches (wake-ups) of threads, and their change between two looks;
- `_looks_busy`: spinning or polling, judged from those.

Where /proc or the futex system call number is unknown (not x86_64/aarch64
Linux), the states degrade to 'running', so nothing is ever called a deadlock.
"""

from __future__ import annotations

import os
import platform

from .originals import _sleep

_FUTEX = {"x86_64": 202, "aarch64": 98}.get(platform.machine())
_SLEEPS = {"x86_64": {35, 230}, "aarch64": {101, 115}}.get(platform.machine(), set())


def _gil_holding_reader():
    """open/read/close of libc called with the GIL held, or None where ctypes cannot.

    Every look at a thread reads small /proc files. Python's own file calls release
    the GIL around each system call, and getting it back means waiting behind the
    threads of a spinning call (half a millisecond each, several times per file):
    measured, one check of four spinning threads took 20-150 ms that way. A /proc
    read takes microseconds, so holding the GIL through it costs nobody anything.
    """
    try:
        import ctypes

        libc = ctypes.PyDLL(None)  # PyDLL: the GIL is not released during the call
        c_open, c_read, c_close = libc.open, libc.read, libc.close
    except (ImportError, OSError, AttributeError):
        return None
    c_open.argtypes, c_open.restype = [ctypes.c_char_p, ctypes.c_int], ctypes.c_int
    c_read.argtypes, c_read.restype = [ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t], ctypes.c_ssize_t
    c_close.argtypes, c_close.restype = [ctypes.c_int], ctypes.c_int
    flags = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0)

    def read(path: bytes) -> str | None:
        buffer = ctypes.create_string_buffer(8192)  # one per call: threads may switch between calls
        fd = c_open(path, flags)
        if fd < 0:
            return None
        try:
            n = c_read(fd, buffer, len(buffer))
            return buffer.raw[:n].decode("ascii", "replace") if n >= 0 else None
        finally:
            c_close(fd)

    return read


def _plain_reader(path: bytes) -> str | None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        return os.read(fd, 8192).decode("ascii", "replace")
    except OSError:
        return None
    finally:
        os.close(fd)


#: The text of a /proc file, None if it cannot be read (the thread is gone).
_read = _gil_holding_reader() or _plain_reader


def _task_file(native_id: int, name: str) -> str | None:
    return _read(f"/proc/self/task/{native_id}/{name}".encode())


def _syscall_state(native_id: int | None) -> str:
    """'forever' (blocked with no timeout), 'timed', 'sleeping', 'running', 'io' or 'gone'."""
    if native_id is None:
        return "running"
    text = _task_file(native_id, "syscall")
    if text is None:
        return "gone"
    fields = text.split()
    if not fields or fields[0] == "running":
        return "running"
    try:
        nr = int(fields[0])
    except ValueError:
        return "running"
    if nr == _FUTEX and len(fields) > 4:
        op = int(fields[2], 16) & 0x7F
        timeout = int(fields[4], 16)
        if op in (0, 9) and timeout == 0:  # FUTEX_WAIT / FUTEX_WAIT_BITSET without timeout
            return "forever"
        return "timed"
    if nr in _SLEEPS:
        return "sleeping"
    return "io" if nr >= 0 else "running"


_STATE_TEXT = {
    "forever": "blocked forever (a lock, condition, event, join or queue get with no timeout)",
    "timed": "waiting with a timeout",
    "sleeping": "sleeping",
    "running": "running",
    "io": "in a system call (I/O)",
    "gone": "finished",
}


def _stays_blocked(native_id: int | None, looks: int = 3, gap: float = 0.001) -> bool:
    """True if the thread is blocked with no timeout and stays so: `looks` looks, `gap`
    seconds apart, all say 'forever' and its ran counter does not move between them."""
    counter = _ran_counter(native_id)
    for i in range(looks):
        if i:
            _sleep(gap)
        if _syscall_state(native_id) != "forever":
            return False
    return counter is not None and _ran_counter(native_id) == counter


def _schedstat(native_id: int | None) -> tuple[int, int] | None:
    """(nanoseconds on a CPU, timeslices run) of a thread, None if unknown."""
    if native_id is None:
        return None
    fields = (_task_file(native_id, "schedstat") or "").split()
    try:
        return int(fields[0]), int(fields[2])
    except (ValueError, IndexError):
        return None


def _cpu_seconds(native_id: int | None) -> float | None:
    """CPU seconds the thread has run (None if unknown)."""
    stat = _schedstat(native_id)
    return None if stat is None else stat[0] / 1e9


def _ran_counter(native_id: int | None) -> tuple[int, int] | None:
    """Changes whenever the thread runs (CPU time and timeslices); None if unknown."""
    return _schedstat(native_id)


def _task_stat(native_id: int) -> tuple[float, int]:
    """(CPU seconds, voluntary context switches) of one thread of this process; OSError if
    it is gone."""
    stat = _schedstat(native_id)
    status = _task_file(native_id, "status")
    if stat is None or status is None:
        raise OSError(f"thread {native_id} is gone")
    for line in status.splitlines():
        if line.startswith("voluntary_ctxt_switches"):
            return stat[0] / 1e9, int(line.split()[1])
    return stat[0] / 1e9, 0


def _usage_of(natives) -> dict[int, tuple[float, int]]:
    out = {}
    for n in natives:
        if n is None:
            continue
        try:
            out[n] = _task_stat(n)
        except (OSError, ValueError, IndexError):
            pass
    return out


def _usage_between(before: dict, after: dict) -> tuple[float, int]:
    """CPU seconds and wake-ups of the threads seen both times."""
    cpu, wake = 0.0, 0
    for n, (c1, w1) in after.items():
        c0, w0 = before.get(n, (0.0, 0)) if n in before else (c1, w1)
        cpu, wake = cpu + max(c1 - c0, 0.0), wake + max(w1 - w0, 0)
    return cpu, wake


def _looks_busy(cpu: float, wakeups: int, seconds: float) -> bool:
    """Spinning or polling: over 15 % of a CPU, or more than 40 wake-ups a second."""
    return (cpu >= max(0.15 * seconds, 0.008)) or (wakeups >= max(40 * seconds, 4))
