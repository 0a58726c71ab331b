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

from threads101 import course as C
from threads101.grading.execute import KERNEL_DIED, KERNEL_STUCK
from threads101.grading.gradebook import cell_scores, sqlite_url
from threads101.outputs.explain import explanation_of
from threads101.outputs.outcomes import Kind, outcome_of

SUITES_DIR = C.REPO / "tests" / "submissions"
KINDS = ("ok", "bad", "hang")
#: Error names of a cell the grading itself could not finish (never how a hang should be
#: caught): nbclient's, and the grader's own (threads101.grading.execute).
BROKEN = ("CellTimeoutError", "DeadKernelError", KERNEL_DIED, KERNEL_STUCK)
#: The explanation a test failing with each concurrency kind must show (issue 13).
EXPLAINED = {Kind.RACE: "race", Kind.DEADLOCK: "deadlock", Kind.HANG: "hang",
             Kind.LEFTOVER: "leftover"}


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
        declared, _, description = head.lstrip("# ").partition(":")
        if declared not in KINDS or not path.stem.startswith(declared + "_"):
            raise ValueError(f"{path}: first line must be '# ok|bad|hang: description' "
                             f"matching the file name")
        fails = []
        for line in lines[1:4]:
            if line.startswith("# fails:"):
                fails = line.split(":", 1)[1].split()
        for gid in fails:
            if C.exercise_of(gid) != ex_name:
                raise ValueError(f"{path}: '# fails: {gid}' is not a test of {ex_name}")
        v = Variant(nb_name, ex_name, declared, path.stem[len(declared) + 1:], description.strip(),
                    text, fails, path)
        if notebook and not any(nb_name.startswith(p) for p in notebook.split(",")):
            continue
        if exercise and ex_name != exercise:
            continue
        if kind is None or v.kind == kind:
            out.append(v)
    return out


@dataclass
class Verdict:
    variant: Variant
    passed: bool
    problems: list[str] = field(default_factory=list)
    scores: dict[str, tuple[float | None, float]] = field(default_factory=dict)
    #: grade_id -> (kind, ((thread, state), ...)) of the explanation its failure displayed
    explanations: dict[str, tuple] = field(default_factory=dict)

    @property
    def lost(self) -> list[str]:
        return [g for g, (s, m) in self.scores.items() if s is not None and s < m]

    @property
    def signature(self) -> tuple:
        """What must not change from one run to the next: each test's score."""
        return tuple(sorted((g, s) for g, (s, _m) in self.scores.items()))

    @property
    def explained(self) -> tuple:
        """Each failed test's explanation: kind and threads (name, state)."""
        return tuple(sorted(self.explanations.items()))

    @property
    def explained_kinds(self) -> tuple:
        return kinds_of(self.explained)


def prepare_course(dest: Path) -> Path:
    """A temporary course with the assignment generated into its own gradebook."""
    return C.generated_copy(dest)


@dataclass
class Submission:
    """One student of a suite run: a notebook with one variant per exercise (or fewer)."""

    student: str
    notebook: str
    variants: dict[str, Variant]


def combine(variants: list[Variant]) -> list[Submission]:
    """Pack variants into few submissions: each holds at most one variant per exercise of
    its notebook, so broken code of one exercise sits next to other exercises' variants
    (which must not be disturbed by it)."""
    by_notebook: dict[str, dict[str, list[Variant]]] = {}
    for v in variants:
        by_notebook.setdefault(v.notebook, {}).setdefault(v.exercise, []).append(v)
    out = []
    for notebook, exercises in sorted(by_notebook.items()):
        rows = max(len(vs) for vs in exercises.values())
        for i in range(rows):
            chosen = {ex: vs[i] for ex, vs in exercises.items() if i < len(vs)}
            out.append(Submission(f"suite-{notebook[:2]}-{i:02d}", notebook, chosen))
    return out


def separate(variants: list[Variant]) -> list[Submission]:
    """One submission per variant (the others exercises solved the instructor's way)."""
    return [Submission(v.student, v.notebook, {v.exercise: v}) for v in variants]


def submit(course: Path, submission: Submission) -> None:
    overrides = {ex: v.code for ex, v in submission.variants.items()}
    nb = C.filled_release(submission.notebook, overrides, root=course)
    C.submit(course, submission.student, {submission.notebook: nb})


def _outputs(course: Path, submission: Submission) -> dict[str, list]:
    """grade_id -> outputs of each code cell of the submission's autograded notebook."""
    path = (Path(course) / "autograded" / submission.student / C.ASSIGNMENT
            / f"{submission.notebook}.ipynb")
    if not path.exists():
        return {}
    nb = nbformat.read(path, as_version=4)
    return {C.nbgrader_meta(cell)["grade_id"]: cell.get("outputs", []) for cell in nb.cells
            if cell.cell_type == "code" and C.nbgrader_meta(cell).get("grade_id")}


def kinds_of(explained: tuple) -> tuple:
    """(grade_id, kind) of each (grade_id, (kind, threads)) of Verdict.explained."""
    return tuple((g, e[0]) for g, e in explained)


def _explained(outputs) -> tuple | None:
    """The kind and threads of the explanation among a cell's outputs (None: none shown)."""
    found = explanation_of(outputs)
    if found is None:
        return None
    return found.kind, tuple(sorted((t.name, t.state) for t in found.threads))


def unexplained(outputs: dict[str, list], grade_ids: list[str]) -> list[str]:
    """Problems of tests that failed for a concurrency reason (a race, a deadlock, a hang,
    leftover threads) without an explanation of that kind."""
    problems = []
    for g in grade_ids:
        outcome = outcome_of(outputs.get(g, []))
        wanted = EXPLAINED.get(outcome.kind)
        if wanted is None or any(o.get("ename") in BROKEN for o in outputs.get(g, [])
                                 if o.get("output_type") == "error"):
            continue  # not a concurrency failure, or one the grading itself cut short
        shown = outcome.explanation.kind if outcome.explanation else "none"
        if shown != wanted:
            problems.append(f"{g} failed as {outcome.kind.value} but its explanation is {shown}")
    return problems


def judge(course: Path, submission: Submission) -> list[Verdict]:
    """A verdict for each variant of a graded submission."""
    scores = cell_scores(sqlite_url(course), submission.student)
    if scores is None:
        return [Verdict(v, False, ["no grades in the gradebook"])
                for v in submission.variants.values()]
    mine = {s.grade_id: (s.score, s.max_score) for s in scores
            if s.notebook == submission.notebook and s.auto}
    outputs = _outputs(course, submission)
    broken = [g for g, outs in outputs.items()
              if any(o.get("ename") in BROKEN for o in outs if o.get("output_type") == "error")]
    ungraded = sorted(g for g, (s, _m) in mine.items() if s is None)
    lost_all = {g for g, (s, m) in mine.items() if s is not None and s < m}
    solved = set(C.EXERCISES[submission.notebook].values()) - set(submission.variants)
    verdicts = []
    for exercise, variant in submission.variants.items():
        own = {g: sm for g, sm in mine.items() if C.exercise_of(g) == exercise}
        shown = {g: _explained(outputs.get(g)) for g in own}
        verdict = Verdict(variant, True, scores=own,
                          explanations={g: e for g, e in shown.items() if e is not None})
        verdict.problems += [f"{g}: grading hit nbgrader's cell timeout or lost the kernel"
                             for g in broken]
        if ungraded:
            verdict.problems.append(f"nbgrader did not grade {ungraded} (autograde failed on "
                                    f"this notebook: see autograde.log)")
        lost = lost_all & set(own)
        if variant.kind == "ok":
            if lost:
                verdict.problems.append(f"a correct implementation lost points on {sorted(lost)}")
        else:
            if not lost:
                verdict.problems.append(f"not caught: every test of {exercise} passed")
            missing = [g for g in variant.fails if g not in lost]
            if missing:
                verdict.problems.append(f"expected to lose points on {missing}")
            if variant.kind == "hang":
                if not any(outcome_of(outputs.get(g, [])).kind.is_hang for g in lost):
                    verdict.problems.append("hang not reported as such (no stuck-thread report)")
            verdict.problems += unexplained(outputs, sorted(lost))
        others = {g for g in lost_all if C.exercise_of(g) in solved}
        if others:
            verdict.problems.append(f"the instructor's solution of another exercise lost points "
                                    f"next to it: {sorted(others)}")
        verdict.passed = not verdict.problems
        verdicts.append(verdict)
    return verdicts


def run(variants: list[Variant], workdir: Path | None = None, jobs: int = 2,
        env: dict | None = None, combined: bool = True) -> list[Verdict]:
    """Grade the variants with `nbgrader autograde` in `jobs` course copies at once."""
    if not variants:
        return []
    submissions = combine(variants) if combined else separate(variants)
    own_tmp = workdir is None
    workdir = Path(tempfile.mkdtemp(prefix="threads101-suites-")) if own_tmp else Path(workdir)
    try:
        groups = [submissions[i::jobs] for i in range(jobs) if submissions[i::jobs]]
        courses = []
        for i, group in enumerate(groups):
            course = prepare_course(workdir / f"course{i}")
            for sub in group:
                submit(course, sub)
            courses.append(course)
        procs = [subprocess.Popen([sys.executable, "-m", "nbgrader", "autograde", C.ASSIGNMENT,
                                   "--force"], cwd=course, env=C.tool_env(env),
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                 for course in courses]
        logs = [p.communicate()[1] for p in procs]
        verdicts = []
        for course, group, log in zip(courses, groups, logs):
            (course / "autograde.log").write_text(log)
            for sub in group:
                verdicts.extend(judge(course, sub))
        order = {id(v): i for i, v in enumerate(variants)}
        return sorted(verdicts, key=lambda v: order[id(v.variant)])
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
    parser.add_argument("--notebook", help="notebook prefixes, comma-separated: 03 or 06,07,08")
    parser.add_argument("--exercise", help="exercise grade_id, e.g. run_pipeline")
    parser.add_argument("--kind", choices=KINDS)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--keep", help="grade in this folder and keep it (for debugging)")
    parser.add_argument("--separate", action="store_true",
                        help="one submission per variant (default: variants of different "
                             "exercises share a notebook)")
    args = parser.parse_args(argv)
    variants = load_variants(notebook=args.notebook, exercise=args.exercise, kind=args.kind)
    start = time.monotonic()
    verdicts = run(variants, Path(args.keep) if args.keep else None, jobs=args.jobs,
                   combined=not args.separate)
    print(report(verdicts))
    n = len(combine(variants) if not args.separate else variants)
    print(f"graded {len(verdicts)} variants in {n} submissions in {time.monotonic() - start:.0f} s")
    return 0 if all(v.passed for v in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
