"""Flake check: grade the proof suites many times on a busy machine and count differences.

Each run grades every variant with real `nbgrader autograde` (two gradings at
once, see suites.run) while a CPU hog keeps the machine busy. For each
variant it prints how many runs judged it wrongly (a correct one not given
full marks, a broken one not caught) and how many runs gave it a different
grade from the first run, and how many runs showed a failed test's explanation
differently: its kind (counted as a differing grade: the failure was caught by
another check), or only its threads (which threads are still there, and
whether each spins, polls or is blocked at the moment of the verdict). The target is 0 and 0 for every variant.

    python -m threads101.flake [--runs 20] [--notebook 03] [--no-hog] [--sample]
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import time
from collections import defaultdict

from devtools import suites


def _hog(stop) -> None:
    x = 0
    while not stop.is_set():
        for _ in range(100_000):
            x += 1


def sample(variants: list) -> list:
    """One variant of each kind (ok, bad, hang) for every exercise."""
    seen, out = set(), []
    for v in variants:
        if (v.exercise, v.kind) not in seen:
            seen.add((v.exercise, v.kind))
            out.append(v)
    return out


def _difference(first: tuple, now: tuple) -> str:
    """The tests whose score or explanation changed, first grading -> this one."""
    before = dict(first)
    changed = [f"{g} {before.get(g)} -> {x}" for g, x in now if before.get(g) != x]
    changed += [f"{g} {x} -> none" for g, x in first if g not in dict(now)]
    return "; ".join(changed)


def flake(runs: int, notebook: str | None = None, hog: bool = True, jobs: int = 2,
          sampled: bool = False, baseline: list | None = None) -> int:
    """Grade the variants `runs` times; 0 when no run judged any wrongly or graded any
    differently from the first grading. `baseline`: verdicts of a grading already done
    (on a quiet machine, say), which then count as that first grading."""
    variants = suites.load_variants(notebook=notebook)
    if sampled:
        variants = sample(variants)
    wrong: dict[str, int] = defaultdict(int)
    differed: dict[str, int] = defaultdict(int)
    explained: dict[str, int] = defaultdict(int)
    first: dict[str, tuple] = {v.variant.path: v.signature for v in baseline or []}
    first_explained: dict[str, tuple] = {v.variant.path: v.explained for v in baseline or []}
    names = {v.path: f"{v.notebook[:2]} {v.exercise} {v.kind}_{v.name}" for v in variants}
    stop = multiprocessing.Event()
    hogs = [multiprocessing.Process(target=_hog, args=(stop,), daemon=True)] if hog else []
    for p in hogs:
        p.start()
    start = time.monotonic()
    try:
        for run in range(1, runs + 1):
            verdicts = suites.run(variants, jobs=jobs)
            for v in verdicts:
                key = v.variant.path
                wrong[key] += not v.passed
                first.setdefault(key, v.signature)
                before = first_explained.setdefault(key, v.explained)
                kinds_before = suites.kinds_of(before)
                if v.signature != first[key] or v.explained_kinds != kinds_before:
                    differed[key] += 1
                    print(f"  run {run}: {names[key]} differs from the first grading: "
                          f"scores: {_difference(first[key], v.signature) or 'the same'}; "
                          f"explanation kinds: {_difference(kinds_before, v.explained_kinds) or 'the same'}",
                          flush=True)
                elif v.explained != before:
                    explained[key] += 1
                    print(f"  run {run}: {names[key]} explained with other threads: "
                          f"{_difference(before, v.explained)}", flush=True)
                if not v.passed:
                    print(f"  run {run}: {names[key]}: {'; '.join(v.problems)}", flush=True)
            print(f"run {run}/{runs} done after {time.monotonic() - start:.0f} s: "
                  f"{sum(not v.passed for v in verdicts)} wrong verdicts", flush=True)
    finally:
        stop.set()
        for p in hogs:
            p.join(5)
    print(f"\n{'variant':60s} {'wrong':>6s} {'differed':>9s} {'threads':>8s}   (out of {runs} "
          f"runs, {'with' if hog else 'without'} a CPU hog, {jobs} gradings at once; threads: "
          f"explained with other threads or states)")
    for v in variants:
        print(f"{names[v.path]:60s} {wrong[v.path]:6d} {differed[v.path]:9d} {explained[v.path]:8d}")
    bad = sum(1 for v in variants if wrong[v.path] or differed[v.path])
    print(f"\n{len(variants)} variants, {bad} with any wrong or differing grade; "
          f"{sum(1 for v in variants if explained[v.path])} explained with other threads")
    return 1 if bad else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--notebook", help="notebook prefixes, comma-separated: 03 or 06,07,08")
    parser.add_argument("--no-hog", action="store_true")
    parser.add_argument("--sample", action="store_true",
                        help="only one variant of each kind per exercise")
    args = parser.parse_args(argv)
    return flake(args.runs, args.notebook, hog=not args.no_hog, sampled=args.sample)


if __name__ == "__main__":
    sys.exit(main())
