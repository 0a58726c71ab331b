"""Benchmarks: figures measured side by side in one run, printed with their ratios.

    python -m threads101.bench hidden    # issue 3: correct vs all-hang submission, plain nbgrader
    python -m threads101.bench grading   # issues 4, 6: 60 students (--students N), nbgrader vs grade --jobs 1 / 2
                                         #   vs Dask with two workers
    python -m threads101.bench sandbox   # issue 5: one notebook graded with and without sandbox
    python -m threads101.bench scale     # issue 6: sleeping workers 1..8, coordinator cost
    python -m threads101.bench all

Timings on a shared machine are noisy: every figure is the median of
several rounds, and the compared runs alternate within each round.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

from threads101 import course as C
from devtools import suites


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


def timed(cmd: list[str], cwd: Path, env: dict | None = None,
          ok: tuple[int, ...] = (0,)) -> tuple[float, int]:
    """(seconds, peak memory in bytes) of a command; exit codes other than `ok` raise."""
    start = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=cwd, env=C.tool_env(env), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    memory = PeakMemory(proc.pid)
    _, err = proc.communicate()
    peak = memory.stop()
    if proc.returncode not in ok:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{err[-3000:]}")
    return time.monotonic() - start, peak


def nbgrader_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "nbgrader", *args]


SPINNING = ("spin", "poll", "busy")


def all_hang_overrides(style: str) -> dict[str, dict[str, str]]:
    """notebook -> {exercise: code}: a hang variant for every exercise, preferring those
    that block (style "blocking": caught as deadlocks) or those that keep running
    (style "spinning": spin or sleep-poll, caught by their lack of progress)."""
    out: dict[str, dict[str, str]] = {}
    variants = suites.load_variants(kind="hang")
    spins = [v for v in variants if any(w in v.description for w in SPINNING)]
    blocks = [v for v in variants if v not in spins]
    for v in (spins + blocks) if style == "spinning" else (blocks + spins):
        out.setdefault(v.notebook, {}).setdefault(v.exercise, v.code)
    return out


#: The notebooks of the hidden-test figures (issue 12): the course's first five.
HIDDEN_NOTEBOOKS = [nb for nb in C.NOTEBOOKS if nb[:2] in ("01", "02", "03", "04", "05")]


def bench_hidden(rounds: int = 3, notebooks: list[str] | None = None) -> None:
    """Issues 3 and 12: a correct submission vs ones whose every exercise hangs, blocking
    or spinning/polling, graded side by side by plain nbgrader; each figure is the median
    of `rounds` rounds in which the three gradings alternate."""
    notebooks = notebooks or HIDDEN_NOTEBOOKS
    with tempfile.TemporaryDirectory(prefix="threads101-bench-") as tmp:
        course = suites.prepare_course(Path(tmp) / "course")
        C.submit(course, "correct", {nb: C.filled_release(nb, root=course) for nb in notebooks})
        for style in ("blocking", "spinning"):
            hang = all_hang_overrides(style)
            C.submit(course, style, {nb: C.filled_release(nb, hang.get(nb, {}), root=course)
                                     for nb in notebooks})
        times: dict[str, list[float]] = {"correct": [], "blocking": [], "spinning": []}
        for _ in range(rounds):
            for student in times:
                seconds, _ = timed(nbgrader_cmd("autograde", C.ASSIGNMENT, "--student", student,
                                                "--force"), course)
                times[student].append(seconds)
        med = {k: statistics.median(v) for k, v in times.items()}
        print(f"hidden tests (plain `nbgrader autograde`, notebooks {notebooks[0][:2]}-"
              f"{notebooks[-1][:2]}, median of {rounds} alternating rounds)")
        print(f"  correct submission:                        {med['correct']:6.1f} s"
              f"   (target: <= 10 s)")
        print(f"  every exercise hangs, blocking (deadlocks): {med['blocking']:6.1f} s"
              f"   ratio {med['blocking'] / med['correct']:4.2f}  (target: <= 1.3)")
        print(f"  every exercise hangs, spinning or polling:  {med['spinning']:6.1f} s"
              f"   ratio {med['spinning'] / med['correct']:4.2f}  (target: <= 1.5, goal 1.2)")
        for k, v in times.items():
            print(f"    {k:9s} rounds: {', '.join(f'{x:.1f}' for x in v)} s")


def first_mistakes() -> dict[str, dict[str, str]]:
    """notebook -> {exercise: code}: every exercise's first typical mistake (a `bad_`
    variant of the proof suites): races, leftover threads and wrong results."""
    out: dict[str, dict[str, str]] = {}
    for v in suites.load_variants(kind="bad"):
        out.setdefault(v.notebook, {}).setdefault(v.exercise, v.code)
    return out


def bench_explain(rounds: int = 3) -> None:
    """Issue 13: what explanations cost. The same submissions graded by plain nbgrader with
    explanations (the default) and without (THREADS101_EXPLAIN=0), alternating: a correct
    one (target: no cost), one whose every exercise makes its first typical mistake and one
    whose every exercise hangs (target: at most 10% more)."""
    notebooks = C.NOTEBOOKS
    with tempfile.TemporaryDirectory(prefix="threads101-bench-") as tmp:
        course = suites.prepare_course(Path(tmp) / "course")
        kinds = {"correct": {}, "mistakes": first_mistakes(), "hangs": all_hang_overrides("spinning")}
        for student, overrides in kinds.items():
            C.submit(course, student, {nb: C.filled_release(nb, overrides.get(nb, {}), root=course)
                                       for nb in notebooks})
        times: dict[tuple[str, str], list[float]] = {}
        for _ in range(rounds):
            for student in kinds:
                for explain in ("1", "0"):
                    seconds, _ = timed(nbgrader_cmd("autograde", C.ASSIGNMENT, "--student", student,
                                                    "--force"), course, env={"THREADS101_EXPLAIN": explain})
                    times.setdefault((student, explain), []).append(seconds)
        print(f"explanations (plain `nbgrader autograde`, notebooks 01-{notebooks[-1][:2]}, median of "
              f"{rounds} alternating rounds, with / without)")
        for student in kinds:
            on, off = (statistics.median(times[(student, e)]) for e in ("1", "0"))
            target = "no cost" if student == "correct" else "<= 1.10"
            print(f"  {student:9s} {on:6.1f} s / {off:6.1f} s   ratio {on / off:4.2f}  (target: {target})")


def scaled_class(course: Path, students: int) -> None:
    """The sample class, copied under new ids until there are `students` of them."""
    from threads101.grading.collect import collect
    from threads101.samples import build_class, load_class

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
    """Issues 4 and 6: plain nbgrader vs `threads101 grade --jobs 1` vs `--jobs 2` vs Dask
    with two single-threaded workers, same class, same tests."""
    with tempfile.TemporaryDirectory(prefix="threads101-bench-") as tmp, \
            _dask_cluster(Path(tmp) / "dask", 2) as address:
        base = suites.prepare_course(Path(tmp) / "base")
        scaled_class(base, students)
        grade = [sys.executable, "-m", "threads101", "--course", "{c}", "grade", "--force"]
        runs = {
            "nbgrader autograde": nbgrader_cmd("autograde", C.ASSIGNMENT, "--force"),
            "threads101 grade --jobs 1": grade + ["--jobs", "1"],
            "threads101 grade --jobs 2": grade + ["--jobs", "2"],
            "grade on Dask, 2 workers": grade + ["--scheduler", address],
        }
        seconds: dict[str, list[float]] = {k: [] for k in runs}
        peaks: dict[str, int] = {k: 0 for k in runs}
        for r in range(rounds):
            for i, (name, cmd) in enumerate(runs.items()):
                course = Path(tmp) / f"run-{r}-{i}"
                shutil.copytree(base, course)
                # plain nbgrader exits 1 when any student could not be graded, and the sample
                # class has such students on purpose (a malformed notebook, for one)
                s, peak = timed([part.replace("{c}", str(course)) for part in cmd], course,
                                ok=(0, 1) if cmd[2] == "nbgrader" else (0,))
                seconds[name].append(s)
                peaks[name] = max(peaks[name], peak)
                shutil.rmtree(course, ignore_errors=True)
        med = {k: statistics.median(v) for k, v in seconds.items()}
        print(f"grading {students} students x {len(C.NOTEBOOKS)} notebooks "
              f"(median of {rounds} round(s); peak memory: the command and its children)")
        for name in runs:
            print(f"  {name:28s} {med[name]:7.1f} s   peak memory {peaks[name] / 2**20:7.0f} MiB")
        j1, j2 = med["threads101 grade --jobs 1"], med["threads101 grade --jobs 2"]
        print(f"  speed-up --jobs 2 vs --jobs 1:      {j1 / j2:5.2f}x  (target: >= 1.7)")
        print(f"  speed-up --jobs 2 vs nbgrader:      {med['nbgrader autograde'] / j2:5.2f}x"
              f"  (target: >= 1.7)")
        dask = med["grade on Dask, 2 workers"]
        print(f"  Dask 2 workers vs --jobs 2:         {dask / j2:5.2f}   (target: <= 1.10)")


@contextlib.contextmanager
def _dask_cluster(root: Path, workers: int):
    """A local `dask scheduler` and `workers` single-threaded `dask worker` processes."""
    root.mkdir(parents=True)
    procs = [subprocess.Popen([sys.executable, "-m", "dask", "scheduler", "--host", "127.0.0.1",
                               "--port", "0", "--no-dashboard", "--scheduler-file",
                               str(root / "s.json")], cwd=root, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)]
    try:
        while not (root / "s.json").exists():
            time.sleep(0.1)
        time.sleep(0.3)
        address = json.loads((root / "s.json").read_text())["address"]
        for i in range(workers):
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "dask", "worker", address, "--nthreads", "1",
                 "--no-nanny", "--no-dashboard", "--host", "127.0.0.1"], cwd=root,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        from distributed import Client

        with Client(address) as client:
            client.wait_for_workers(workers, timeout=120)
        yield address
    finally:
        for p in procs[::-1]:
            p.terminate()
        for p in procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def sleepy_execute(notebook_json: str, settings: dict | None = None):
    """Stands in for a worker's grading in the scale simulation: a fixed sleep."""
    from threads101.grading.execute import ExecutionResult

    time.sleep(SLEEP)
    return ExecutionResult(notebook_json, SLEEP, [])


SLEEP = 0.25


def bench_scale(students: int = 60) -> None:
    """Issue 6: with workers whose grading is a fixed sleep, throughput against the number
    of workers, and the coordinator's own CPU time per notebook graded."""
    from threads101.grading.grader import Grader

    with tempfile.TemporaryDirectory(prefix="threads101-bench-") as tmp:
        base = suites.prepare_course(Path(tmp) / "base")
        scaled_class(base, students)
        tasks = sum(1 for _ in (base / "submitted").glob(f"*/{C.ASSIGNMENT}/*.ipynb"))
        print(f"scale simulation: {students} students, {tasks} notebooks, each 'graded' by a "
              f"{SLEEP} s sleep on a Dask worker")
        for workers in (1, 2, 4, 8):
            course = Path(tmp) / f"w{workers}"
            shutil.copytree(base, course)
            with _dask_cluster(Path(tmp) / f"dask{workers}", workers) as address:
                cpu0, start = time.process_time(), time.monotonic()
                Grader(course, scheduler=address, force=True, execute=sleepy_execute).run()
                wall, cpu = time.monotonic() - start, time.process_time() - cpu0
            print(f"  {workers} worker(s): {wall:6.1f} s, {tasks / wall:5.1f} notebooks/s "
                  f"(ideal {workers / SLEEP:5.1f}); coordinator CPU {1000 * cpu / tasks:5.1f} ms "
                  f"per notebook (target: < 20)")
            shutil.rmtree(course, ignore_errors=True)


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


BENCHES = {"hidden": bench_hidden, "explain": bench_explain, "grading": bench_grading,
           "sandbox": bench_sandbox, "scale": bench_scale}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("which", nargs="*", default=["all"], choices=[*BENCHES, "all"])
    parser.add_argument("--students", type=int, default=60,
                        help="size of the scaled sample class of `grading` (default 60)")
    parser.add_argument("--rounds", type=int,
                        help="rounds of `hidden`, `explain`, `sandbox` (default 3, 3, 5)")
    args = parser.parse_args(argv)
    chosen = list(BENCHES) if "all" in args.which else args.which
    for name in chosen:
        options = {}
        if name == "grading":
            options["students"] = args.students
        if args.rounds and name in ("hidden", "explain", "sandbox"):
            options["rounds"] = args.rounds
        BENCHES[name](**options)
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
