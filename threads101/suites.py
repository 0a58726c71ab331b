"""Proof suites: other people's implementations of every exercise, graded by real nbgrader.

Each file `tests/submissions/<notebook>/<exercise>/<kind>_<name>.py` holds
the code of one solution cell, as a student could write it. Its first line
says what it is:

    # ok: a Pipeline built on two Semaphores
    # bad: joins each thread right after starting it
    # hang: consumers wait forever on an empty queue

and a `bad`/`hang` file may name the graded cells that must lose points:

    # fails: run_in_threads_concurrent

A variant becomes the submission of one student: the student release with
every exercise solved as the instructor did, except that one cell. The suite
passes when `ok` variants get full marks on the notebook and `bad`/`hang`
variants lose points on their exercise and on no other (and hangs are
reported as hangs, well inside nbgrader's cell timeout).

    python -m threads101.suites [--notebook 03] [--exercise pipeline] [--kind ok] [--jobs 2]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from . import course as C
from .gradebook import cell_scores, sqlite_url

SUITES_DIR = C.REPO / "tests" / "submissions"
KINDS = ("ok", "bad", "hang")
HANG_WORDS = ("did not finish", "deadlocked")


@dataclass
class Variant:
    notebook: str
    exercise: str
    kind: str
    name: str
    description: str
    code: str
    fails: list[str]
    path: Path

    @property
    def student(self) -> str:
        return f"{self.kind}-{self.exercise}-{self.name}".replace("_", "-")


def load_variants(root: Path = SUITES_DIR, notebook: str | None = None,
                  exercise: str | None = None, kind: str | None = None) -> list[Variant]:
    out = []
    for path in sorted(Path(root).glob("*/*/*.py")):
        nb_name, ex_name = path.parent.parent.name, path.parent.name
        if nb_name not in C.EXERCISES:
            raise ValueError(f"{path}: unknown notebook folder {nb_name!r}")
        if ex_name not in C.EXERCISES[nb_name].values():
            raise ValueError(f"{path}: {ex_name!r} is not an exercise of {nb_name}")
        text = path.read_text()
        lines = text.splitlines()
        head = lines[0] if lines else ""
        kind, _, description = head.lstrip("# ").partition(":")
        if kind not in KINDS or not path.stem.startswith(kind + "_"):
            raise ValueError(f"{path}: first line must be '# ok|bad|hang: description' "
                             f"matching the file name")
        fails = []
        for line in lines[1:4]:
            if line.startswith("# fails:"):
                fails = line.split(":", 1)[1].split()
        for gid in fails:
            if C.exercise_of(gid) != ex_name:
                raise ValueError(f"{path}: '# fails: {gid}' is not a test of {ex_name}")
        v = Variant(nb_name, ex_name, kind, path.stem[len(kind) + 1:], description.strip(),
                    text, fails, path)
        if notebook and not nb_name.startswith(notebook):
            continue
        if exercise and ex_name != exercise:
            continue
        if kind_filter(v, kind):
            out.append(v)
    return out


def kind_filter(v: Variant, kind: str | None) -> bool:
    return kind is None or v.kind == kind


@dataclass
class Verdict:
    variant: Variant
    passed: bool
    problems: list[str] = field(default_factory=list)
    scores: dict[str, tuple[float | None, float]] = field(default_factory=dict)

    @property
    def lost(self) -> list[str]:
        return [g for g, (s, m) in self.scores.items() if s is not None and s < m]

    @property
    def signature(self) -> tuple:
        """What must not change from one run to the next."""
        return tuple(sorted((g, s) for g, (s, _m) in self.scores.items()))


def prepare_course(dest: Path) -> Path:
    """A temporary course with the assignment generated into its own gradebook."""
    course = C.copy_course(dest)
    C.generate(course)
    return course


def submit_variant(course: Path, variant: Variant) -> None:
    nb = C.filled_release(variant.notebook, {variant.exercise: variant.code}, root=course)
    C.submit(course, variant.student, {variant.notebook: nb})


def _outputs_text(course: Path, variant: Variant) -> dict[str, str]:
    path = (Path(course) / "autograded" / variant.student / C.ASSIGNMENT
            / f"{variant.notebook}.ipynb")
    if not path.exists():
        return {}
    nb = nbformat.read(path, as_version=4)
    out = {}
    for cell in nb.cells:
        gid = C.nbgrader_meta(cell).get("grade_id")
        if gid and cell.cell_type == "code":
            parts = []
            for o in cell.get("outputs", []):
                parts.append(str(o.get("text", "")))
                parts.append(f"{o.get('ename', '')}: {o.get('evalue', '')}")
            out[gid] = "\n".join(parts)
    return out


def judge(course: Path, variant: Variant) -> Verdict:
    scores = cell_scores(sqlite_url(course), variant.student)
    verdict = Verdict(variant, True)
    if scores is None:
        return Verdict(variant, False, ["no grades in the gradebook"])
    mine = [s for s in scores if s.notebook == variant.notebook and s.auto]
    verdict.scores = {s.grade_id: (s.score, s.max_score) for s in mine}
    outputs = _outputs_text(course, variant)
    for gid, text in outputs.items():
        if "CellTimeoutError" in text or "DeadKernelError" in text or "Kernel died" in text:
            verdict.problems.append(f"{gid}: grading hit nbgrader's cell timeout or lost the kernel")
    lost = set(verdict.lost)
    if variant.kind == "ok":
        if lost:
            verdict.problems.append(f"a correct implementation lost points on {sorted(lost)}")
    else:
        own = {g for g in verdict.scores if C.exercise_of(g) == variant.exercise}
        others = lost - own
        if not lost & own:
            verdict.problems.append(f"not caught: every test of {variant.exercise} passed")
        missing = [g for g in variant.fails if g not in lost]
        if missing:
            verdict.problems.append(f"expected to lose points on {missing}")
        if others:
            verdict.problems.append(f"also lost points on other exercises: {sorted(others)}")
        if variant.kind == "hang":
            failed_text = " ".join(outputs.get(g, "") for g in lost & own)
            if not any(word in failed_text for word in HANG_WORDS):
                verdict.problems.append("hang not reported as such (no stuck-thread report)")
    verdict.passed = not verdict.problems
    return verdict


def run(variants: list[Variant], workdir: Path | None = None, jobs: int = 2,
        env: dict | None = None) -> list[Verdict]:
    """Grade every variant with `nbgrader autograde` in `jobs` course copies at once."""
    if not variants:
        return []
    own_tmp = workdir is None
    workdir = Path(tempfile.mkdtemp(prefix="threads101-suites-")) if own_tmp else Path(workdir)
    try:
        groups = [variants[i::jobs] for i in range(jobs) if variants[i::jobs]]
        courses = []
        for i, group in enumerate(groups):
            course = prepare_course(workdir / f"course{i}")
            for v in group:
                submit_variant(course, v)
            courses.append(course)
        procs = [subprocess.Popen([sys.executable, "-m", "nbgrader", "autograde", C.ASSIGNMENT,
                                   "--force"], cwd=course, env=C.tool_env(env),
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                 for course in courses]
        logs = [p.communicate()[1] for p in procs]
        verdicts = []
        for course, group, log in zip(courses, groups, logs):
            (course / "autograde.log").write_text(log)
            verdicts.extend(judge(course, v) for v in group)
        return verdicts
    finally:
        if own_tmp:
            shutil.rmtree(workdir, ignore_errors=True)


def report(verdicts: list[Verdict]) -> str:
    lines = []
    for v in verdicts:
        mark = "PASS" if v.passed else "FAIL"
        lost = ", ".join(v.lost) or "-"
        lines.append(f"{mark}  {v.variant.notebook[:2]} {v.variant.exercise:24s} "
                     f"{v.variant.kind:4s} {v.variant.name:32s} lost: {lost}")
        lines.extend(f"        ! {p}" for p in v.problems)
    passed = sum(v.passed for v in verdicts)
    lines.append(f"{passed}/{len(verdicts)} variants judged as expected")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notebook", help="notebook prefix, e.g. 03")
    parser.add_argument("--exercise", help="exercise grade_id, e.g. run_pipeline")
    parser.add_argument("--kind", choices=KINDS)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--keep", help="grade in this folder and keep it (for debugging)")
    args = parser.parse_args(argv)
    variants = load_variants(notebook=args.notebook, exercise=args.exercise, kind=args.kind)
    start = time.monotonic()
    verdicts = run(variants, Path(args.keep) if args.keep else None, jobs=args.jobs)
    print(report(verdicts))
    print(f"graded {len(verdicts)} submissions in {time.monotonic() - start:.0f} s")
    return 0 if all(v.passed for v in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
