"""What a thread is doing, seen from Linux (/proc/self/task/<native id>/).

- `_syscall_state`: blocked with no timeout ('forever'), waiting with a timeout,
  sleeping, running, in I/O, or gone, from the system call the thread is in;
- `_ran_counter`: a value that changes whenever the thread runs;
- `_stays_blocked`: 'forever' in several looks, without running in between
  (one look can catch a running thread for a moment in a wait with no
  timeout: the interpreter's own mutex, while it waits for the GIL);
- `_cpu_seconds`, `_task_stat`, `_usage_of`, `_usage_between`: CPU seconds and voluntary
  context switches (wake-ups) of threads, and their change between two looks;
- `_looks_busy`: spinning or polling, judged from those.

Where /proc or the futex system call number is unknown (not x86_64/aarch64
Linux), the states degrade to 'running', so nothing is ever called a deadlock.
"""

from __future__ import annotations

import platform

from .originals import _sleep

_FUTEX = {"x86_64": 202, "aarch64": 98}.get(platform.machine())
_SLEEPS = {"x86_64": {35, 230}, "aarch64": {101, 115}}.get(platform.machine(), set())


def _syscall_state(native_id: int | None) -> str:
    """'forever' (blocked with no timeout), 'timed', 'sleeping', 'running', 'io' or 'gone'."""
    if native_id is None:
        return "running"
    try:
        with open(f"/proc/self/task/{native_id}/syscall") as f:
            fields = f.read().split()
    except OSError:
        return "gone"
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


def _cpu_seconds(native_id: int | None) -> float | None:
    """CPU seconds the thread has run (None if unknown)."""
    if native_id is None:
        return None
    try:
        with open(f"/proc/self/task/{native_id}/schedstat") as f:
            return int(f.read().split()[0]) / 1e9
    except (OSError, ValueError, IndexError):
        return None


def _task_stat(native_id: int) -> tuple[float, int]:
    """(CPU seconds, voluntary context switches) of one thread of this process."""
    with open(f"/proc/self/task/{native_id}/schedstat") as f:
        cpu = int(f.read().split()[0]) / 1e9
    with open(f"/proc/self/task/{native_id}/status") as f:
        for line in f:
            if line.startswith("voluntary_ctxt_switches"):
                return cpu, int(line.split()[1])
    return cpu, 0


def _ran_counter(native_id: int | None) -> str | None:
    """Changes whenever the thread runs (CPU time and timeslices); None if unknown."""
    if native_id is None:
        return None
    try:
        with open(f"/proc/self/task/{native_id}/schedstat") as f:
            fields = f.read().split()
    except OSError:
        return None
    return f"{fields[0]}/{fields[2]}" if len(fields) > 2 else None


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
