"""Benchmarks: figures measured side by side in one run, printed with their ratios.

    python -m threads101.bench hidden    # issue 3: correct vs all-hang submission, plain nbgrader
    python -m threads101.bench grading   # issue 4: 60 students, nbgrader vs grade --jobs 1 / 2
    python -m threads101.bench sandbox   # issue 5: one notebook graded with and without sandbox
    python -m threads101.bench all

Timings on a shared machine are noisy: every figure is the median of
several rounds, and the compared runs alternate within each round.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

from . import course as C
from . import suites


class PeakMemory:
    """Peak total RSS of a process and all its children, sampled every 0.1 s."""

    def __init__(self, pid: int):
        self.pid, self.peak = pid, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        try:
            root = psutil.Process(self.pid)
        except psutil.Error:
            return
        while not self._stop.is_set():
            total = 0
            try:
                for p in [root] + root.children(recursive=True):
                    try:
                        total += p.memory_info().rss
                    except psutil.Error:
                        pass
            except psutil.Error:
                break
            self.peak = max(self.peak, total)
            self._stop.wait(0.1)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def timed(cmd: list[str], cwd: Path, env: dict | None = None) -> tuple[float, int]:
    """(seconds, peak memory in bytes) of a command."""
    start = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=cwd, env=C.tool_env(env), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    memory = PeakMemory(proc.pid)
    _, err = proc.communicate()
    peak = memory.stop()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{err[-3000:]}")
    return time.monotonic() - start, peak


def nbgrader_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "nbgrader", *args]


SPINNING = ("spin", "poll", "busy")


def all_hang_overrides(style: str) -> dict[str, dict[str, str]]:
    """notebook -> {exercise: code}: a hang variant for every exercise, preferring those
    that block (style "blocking": caught as deadlocks) or those that keep running
    (style "spinning": spin or sleep-poll, they cost their whole time budget)."""
    out: dict[str, dict[str, str]] = {}
    variants = suites.load_variants(kind="hang")
    spins = [v for v in variants if any(w in v.description for w in SPINNING)]
    blocks = [v for v in variants if v not in spins]
    for v in (spins + blocks) if style == "spinning" else (blocks + spins):
        out.setdefault(v.notebook, {}).setdefault(v.exercise, v.code)
    return out


def bench_hidden(rounds: int = 3) -> None:
    """Issue 3: a correct submission vs ones whose every exercise hangs, plain nbgrader."""
    with tempfile.TemporaryDirectory(prefix="threads101-bench-") as tmp:
        course = suites.prepare_course(Path(tmp) / "course")
        C.submit(course, "correct", {nb: C.filled_release(nb, root=course) for nb in C.NOTEBOOKS})
        for style in ("blocking", "spinning"):
            hang = all_hang_overrides(style)
            C.submit(course, style, {nb: C.filled_release(nb, hang.get(nb, {}), root=course)
                                     for nb in C.NOTEBOOKS})
        times: dict[str, list[float]] = {"correct": [], "blocking": [], "spinning": []}
        for _ in range(rounds):
            for student in times:
                seconds, _ = timed(nbgrader_cmd("autograde", C.ASSIGNMENT, "--student", student,
                                                "--force"), course)
                times[student].append(seconds)
        med = {k: statistics.median(v) for k, v in times.items()}
        print("hidden tests (plain `nbgrader autograde`, five notebooks, median of "
              f"{rounds} alternating rounds)")
        print(f"  correct submission:                        {med['correct']:6.1f} s"
              f"   (target: <= 20 s)")
        print(f"  every exercise hangs, blocking (deadlocks): {med['blocking']:6.1f} s"
              f"   ratio {med['blocking'] / med['correct']:4.2f}  (target: <= 2)")
        print(f"  every exercise hangs, spinning or polling:  {med['spinning']:6.1f} s"
              f"   ratio {med['spinning'] / med['correct']:4.2f}")


def scaled_class(course: Path, students: int) -> None:
    """The sample class, copied under new ids until there are `students` of them."""
    from .collect import collect
    from .samples import build_class, load_class

    specs = load_class()
    scaled = []
    for i in range(students):
        spec = dict(specs[i % len(specs)])
        spec["id"] = f"{spec['id']}{i // len(specs):02d}"
        scaled.append(spec)
    with tempfile.TemporaryDirectory() as tmp:
        for source in build_class(Path(tmp) / "inbox", course, scaled):
            collect(source, course)


def bench_grading(students: int = 60, rounds: int = 1) -> None:
    """Issue 4: plain nbgrader vs `threads101 grade --jobs 1` vs `--jobs 2`, same class."""
    with tempfile.TemporaryDirectory(prefix="threads101-bench-") as tmp:
        base = suites.prepare_course(Path(tmp) / "base")
        scaled_class(base, students)
        runs = {
            "nbgrader autograde": nbgrader_cmd("autograde", C.ASSIGNMENT, "--force"),
            "threads101 grade --jobs 1": [sys.executable, "-m", "threads101", "--course", "{c}",
                                          "grade", "--jobs", "1", "--force"],
            "threads101 grade --jobs 2": [sys.executable, "-m", "threads101", "--course", "{c}",
                                          "grade", "--jobs", "2", "--force"],
        }
        seconds: dict[str, list[float]] = {k: [] for k in runs}
        peaks: dict[str, int] = {k: 0 for k in runs}
        for r in range(rounds):
            for name, cmd in runs.items():
                course = Path(tmp) / f"run-{r}-{len(seconds[name])}-{abs(hash(name))}"
                shutil.copytree(base, course)
                s, peak = timed([part.replace("{c}", str(course)) for part in cmd], course)
                seconds[name].append(s)
                peaks[name] = max(peaks[name], peak)
                shutil.rmtree(course, ignore_errors=True)
        med = {k: statistics.median(v) for k, v in seconds.items()}
        print(f"grading {students} students x {len(C.NOTEBOOKS)} notebooks "
              f"(median of {rounds} round(s))")
        for name in runs:
            print(f"  {name:28s} {med[name]:7.1f} s   peak memory {peaks[name] / 2**20:7.0f} MiB")
        j1, j2 = med["threads101 grade --jobs 1"], med["threads101 grade --jobs 2"]
        print(f"  speed-up --jobs 2 vs --jobs 1:      {j1 / j2:5.2f}x  (target: >= 1.7)")
        print(f"  speed-up --jobs 2 vs nbgrader:      {med['nbgrader autograde'] / j2:5.2f}x"
              f"  (target: >= 1.7)")


def bench_sandbox(rounds: int = 5) -> None:
    """Issue 5: the cost of isolation, per notebook graded."""
    with tempfile.TemporaryDirectory(prefix="threads101-bench-") as tmp:
        course = suites.prepare_course(Path(tmp) / "course")
        C.submit(course, "correct", {nb: C.filled_release(nb, root=course) for nb in C.NOTEBOOKS})
        cmd = nbgrader_cmd("autograde", C.ASSIGNMENT, "--student", "correct", "--force")
        plain = ["--Execute.kernel_manager_class=jupyter_client.manager.AsyncKernelManager"]
        times: dict[str, list[float]] = {"sandboxed": [], "not sandboxed": []}
        for _ in range(rounds):
            times["sandboxed"].append(timed(cmd, course)[0])
            times["not sandboxed"].append(timed(cmd + plain, course)[0])
        sandboxed, unsandboxed = (statistics.median(times[k]) for k in times)
        n = len(C.NOTEBOOKS)
        print(f"sandbox overhead (plain `nbgrader autograde`, {n} notebooks, median of {rounds})")
        print(f"  sandboxed:      {sandboxed:6.1f} s  ({sandboxed / n:5.2f} s per notebook)")
        print(f"  not sandboxed:  {unsandboxed:6.1f} s  ({unsandboxed / n:5.2f} s per notebook)")
        print(f"  ratio:          {sandboxed / unsandboxed:6.3f}  (target: <= 1.10)")


BENCHES = {"hidden": bench_hidden, "grading": bench_grading, "sandbox": bench_sandbox}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("which", nargs="*", default=["all"], choices=[*BENCHES, "all"])
    args = parser.parse_args(argv)
    chosen = list(BENCHES) if "all" in args.which else args.which
    for name in chosen:
        BENCHES[name]()
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
