"""The proof that the hidden tests judge right, graded by real `nbgrader autograde`.

Every variant in tests/submissions/ (correct alternatives, typical mistakes,
hangs) gets the verdict its first line announces; then a short flake run
grades a sample again, twice, on a busy machine, and no grade may differ.
The full flake run is `make flake` (20 runs of every variant).
"""

from threads101 import course as C
from devtools import flake
from devtools import suites


def test_every_exercise_has_its_proof():
    variants = suites.load_variants()
    for names in C.EXERCISES.values():
        for exercise in names.values():
            kinds = [v.kind for v in variants if v.exercise == exercise]
            assert kinds.count("ok") >= 2 and kinds.count("bad") >= 3 and "hang" in kinds, \
                f"{exercise}: {kinds}"


def test_every_variant_is_judged_as_expected():
    verdicts = suites.run(suites.load_variants(), jobs=4)
    wrong = [v for v in verdicts if not v.passed]
    assert not wrong, suites.report(wrong)


def test_no_grade_differs_between_runs_on_a_busy_machine(capsys):
    status = flake.flake(runs=2, sampled=True)
    out = capsys.readouterr().out
    assert status == 0, out
