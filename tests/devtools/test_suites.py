"""The proof that the hidden tests judge right, graded by real `nbgrader autograde`.

Every variant in tests/submissions/ (correct alternatives, typical mistakes,
hangs) gets the verdict its first line announces; then a short flake run
grades a sample again on a busy machine, and no grade may differ from the
first grading.
The full flake run is `make flake` (20 runs of every variant).
"""

import pytest

from devtools import flake, suites
from threads101 import course as C

# Grading every variant (about 130 notebook gradings, two at once) takes longer than one
# test's default budget; the module-scoped grading counts against its first test.
pytestmark = pytest.mark.timeout(3000)


@pytest.fixture(scope="module")
def first_grading():
    """Every variant graded once (two gradings at once, as the README advises)."""
    return suites.run(suites.load_variants(), jobs=2)


def test_every_exercise_has_its_proof():
    variants = suites.load_variants()
    for names in C.EXERCISES.values():
        for exercise in names.values():
            kinds = [v.kind for v in variants if v.exercise == exercise]
            assert kinds.count("ok") >= 2 and kinds.count("bad") >= 3 and "hang" in kinds, \
                f"{exercise}: {kinds}"


def test_variants_are_chosen_by_notebook_exercise_and_kind():
    every = suites.load_variants()
    hangs = suites.load_variants(kind="hang")
    assert hangs and {v.kind for v in hangs} == {"hang"}
    assert len(hangs) == sum(v.kind == "hang" for v in every)
    chosen = suites.load_variants(notebook="02", exercise="transfer", kind="ok")
    assert chosen and {(v.notebook[:2], v.exercise, v.kind) for v in chosen} == {("02", "transfer", "ok")}


@pytest.mark.slow  # about 130 notebook gradings
def test_every_variant_is_judged_as_expected(first_grading):
    wrong = [v for v in first_grading if not v.passed]
    assert not wrong, suites.report(wrong)


@pytest.mark.slow  # about 130 notebook gradings
def test_no_grade_differs_between_runs_on_a_busy_machine(first_grading, capsys):
    status = flake.flake(runs=1, sampled=True, baseline=first_grading)
    out = capsys.readouterr().out
    assert status == 0, out


def _failed(ename, explanation_kind=None):
    import json

    from threads101.kernel.explain import EXPLANATION_MIME, VERSION
    outs = []
    if explanation_kind:
        data = {"version": VERSION, "kind": explanation_kind, "call": "f()", "summary": "s",
                "text": "t", "threads": [], "events": []}
        outs.append({"output_type": "display_data", "metadata": {},
                     "data": {EXPLANATION_MIME: json.dumps(data), "text/plain": "t"}})
    outs.append({"output_type": "error", "ename": ename, "evalue": "x", "traceback": []})
    return outs


def test_a_concurrency_failure_without_its_explanation_is_a_problem():
    outputs = {
        "race_ok": _failed("RaceLost", "race"),
        "race_bare": _failed("RaceLost"),
        "deadlock_as_hang": _failed("Deadlock", "hang"),
        "leftover_ok": _failed("LeftoverThreads", "leftover"),
        "wrong_result": _failed("AssertionError"),  # not a concurrency failure: no explanation due
        "cell_timeout": _failed("CellTimeoutError"),  # cut short by nbgrader: its own problem
    }
    problems = suites.unexplained(outputs, sorted(outputs))
    assert problems == ["deadlock_as_hang failed as deadlock but its explanation is hang",
                        "race_bare failed as race but its explanation is none"]


def test_the_judge_reads_no_selfcheck(failed_selfchecks):
    """A verdict's scores (and so its signature, which the flake run compares) hold the tests
    worth points: a self-check (a graded cell worth 0 points) is none of them, and one that
    failed (as below a dead kernel) is no problem of the variant."""
    course, _, selfchecks = failed_selfchecks
    variants = {ex: suites.load_variants(notebook="01", exercise=ex, kind="ok")[0]
                for ex in C.EXERCISES[C.NOTEBOOKS[0]].values()}
    verdicts = suites.judge(course, suites.Submission("correct", C.NOTEBOOKS[0], variants))
    assert [v.problems for v in verdicts] == [[], []] and all(v.passed for v in verdicts)
    scored = {g for v in verdicts for g in v.scores}
    assert scored and not scored & set(selfchecks)
    assert all(m > 0 for v in verdicts for _, m in v.scores.values())
