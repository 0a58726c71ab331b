"""The self-checks of notebooks 1-5 make their lesson's bug happen, and say so.

Each case fills the student release with a submission of tests/submissions/
(or with the instructor's answers), runs it as a student would (a real kernel,
not under autograde: NBGRADER_EXECUTION unset, no hooks installed before the
first cell) and looks at the self-check cell of the exercise: a bug must make it
fail with its message, a correct answer must make it pass and say what the
graded tests also check. No self-check may take longer than its budget, and no
self-check may quote a line of a hidden test.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
import nbformat
from nbclient import NotebookClient

from threads101 import course as C
from threads101.kernel import asserts

SUBMISSIONS = Path(__file__).parent / "submissions"
NOTEBOOKS = C.NOTEBOOKS[:5]  # the notebooks whose self-checks this file covers

#: The longest a self-check may take (seconds of the cell's own execution), whatever it
#: is given: a hang is cut by the check's own budgets, never by the cell timeout.
BUDGET = {
    "run_in_threads": 8, "threaded_count": 8, "counter": 8, "transfer": 10, "pipeline": 9,
    "run_pipeline": 20, "consume_until_idle": 9, "consume_until_sentinel": 9,
    "run_consumers": 10, "download_all": 16,
}
#: What a correct answer's self-check may take at most (a 5 s get timeout in run_pipeline).
PASS_BUDGET = {"run_pipeline": 8}

STUCK = "Where its threads are stuck"

#: (notebook, solution grade_id, submission file, what the failing self-check says)
BUGS = [
    ("01", "run_in_threads", "bad_join_in_start_loop", r"never ran at the same time"),
    ("01", "run_in_threads", "bad_join_last_only", r"returned while some calls were still running"),
    ("01", "run_in_threads", "bad_no_join", r"returned while some calls were still running"),
    ("01", "run_in_threads", "bad_one_thread_for_all", r"never ran at the same time"),
    ("01", "run_in_threads", "bad_reversed_result", r"in the order of args_list"),
    ("01", "run_in_threads", "hang_event_never_set", r"is deadlocked(.|\n)*" + STUCK),
    ("01", "threaded_count", "bad_unlocked_closure_total",
     r"threaded_count\(600, 4\) returned \d+ instead of 600(.|\n)*without a lock"),
    ("01", "threaded_count", "bad_unlocked_global_each_step",
     r"threaded_count\(600, 4\) returned \d+ instead of 600(.|\n)*without a lock"),
    ("01", "threaded_count", "bad_extra_thread_for_remainder", r"expected exactly 4"),
    ("01", "threaded_count", "bad_drops_remainder", r"returned 8, expected 10"),
    ("01", "threaded_count", "hang_lock_never_released", r"is deadlocked(.|\n)*" + STUCK),
    ("02", "counter", "bad_unlocked", r"updates were lost"),
    ("02", "counter", "bad_new_lock_each_call", r"updates were lost"),
    ("02", "counter", "bad_sleep_outside_lock", r"updates were lost"),
    ("02", "counter", "bad_sleep_before_lock", r"their sleeps overlapped"),
    ("02", "counter", "bad_class_level_lock", r"the two counters share one lock"),
    ("02", "counter", "bad_shared_class_value", r"a second Counter should start at 0"),
    ("02", "counter", "hang_release_forgotten", r"is deadlocked(.|\n)*" + STUCK),
    ("02", "transfer", "hang_naive_order",
     r"did not finish: each took its first lock(.|\n)*is deadlocked(.|\n)*" + STUCK
     + r"(.|\n)*alice-to-bob(.|\n)*bob-to-alice"),
    ("02", "transfer", "hang_spin_on_second_lock",
     r"did not finish: each took its first lock(.|\n)*" + STUCK),
    ("02", "transfer", "hang_self_transfer", r"transfer\(carol, carol, 10\) never returned"),
    ("02", "transfer", "bad_raise_while_holding", r"a lock is still held after the ValueError"),
    ("02", "transfer", "bad_debit_then_check", r"a refused transfer changed a balance"),
    ("03", "pipeline", "bad_sleep_polling", r"is busy-waiting: while waiting"),
    ("03", "pipeline", "bad_class_level_locks", r"second, empty Pipeline waited"),
    ("03", "pipeline", "bad_none_means_empty", r"get_message\(\) after set_message\(None\)"),
    ("03", "pipeline", "bad_overwrite",
     r"sending 5 messages|set_message returned although|sent \["),
    ("03", "pipeline", "hang_spin_while_none", r"did not finish within 3 s(.|\n)*" + STUCK),
    ("03", "run_pipeline", "bad_unbounded_queue",
     r"queue\.Queue\(maxsize=0\) that held up to \d+ items(.|\n)*maxsize=maxsize"),
    ("03", "run_pipeline", "bad_caller_puts", r"start one producer thread"),
    ("03", "run_pipeline", "bad_single_consumer", r"never ran in 3 threads at once"),
    ("03", "run_pipeline", "bad_ten_second_timeout", r"returned 1\d\.\d s after the last worker"),
    ("03", "run_pipeline", "bad_consumers_left_running", r"returned while 3 of the 4"),
    ("03", "run_pipeline", "bad_none_sentinel", r"None, 0 and False are items"),
    ("03", "run_pipeline", "hang_one_sentinel", r"is deadlocked(.|\n)*" + STUCK),
    ("04", "consume_until_idle", "bad_momentarily_empty", r"it should wait until the queue"),
    ("04", "consume_until_idle", "bad_whole_call_deadline", r"handled [0-5] of the 6"),
    ("04", "consume_until_idle", "bad_swallows_handle_errors", r"reach your caller"),
    ("04", "consume_until_idle", "bad_none_means_idle", r"\(None and 0 included\)"),
    ("04", "consume_until_idle", "hang_get_without_timeout", r"is deadlocked(.|\n)*" + STUCK),
    ("04", "consume_until_sentinel", "bad_equality", r"compare with `item is sentinel`"),
    ("04", "consume_until_sentinel", "bad_iter_sentinel", r"compare with `item is sentinel`"),
    ("04", "consume_until_sentinel", "bad_swallows_handle_errors", r"reach your caller"),
    ("04", "consume_until_sentinel", "bad_counts_sentinel", r"should return 4, not 5"),
    ("04", "consume_until_sentinel", "hang_continue_on_sentinel", r"is deadlocked"),
    ("04", "run_consumers", "hang_one_sentinel",
     r"still waiting in get\(\)(.|\n)*once per consumer(.|\n)*" + STUCK),
    ("04", "run_consumers", "hang_join_before_sentinels", r"still waiting in get\(\)"),
    ("04", "run_consumers", "bad_exception_lost",
     r"handle raised LookupError on item 3(.|\n)*but run_consumers returned"),
    ("04", "run_consumers", "bad_no_join", r"returned while 4 of the 4 consumer threads"),
    ("04", "run_consumers", "bad_timeout_consumers", r"returned 1\.\d s after handle.s last call"),
    ("04", "run_consumers", "bad_single_consumer", r"never ran in 4 threads at once"),
    ("05", "download_all", "bad_shared_session", r"Session was used by \d threads"),
    ("05", "download_all", "bad_thread_per_url", r"\d+ requests were in flight at once"),
    ("05", "download_all", "bad_requests_get", r"connections were opened with n_threads=3"),
    ("05", "download_all", "bad_sequential", r"never overlapped 3 at a time"),
    ("05", "download_all", "bad_default_two_threads", r"should default to 5"),
    ("05", "download_all", "bad_text_length", r"count bytes"),
    ("05", "download_all", "bad_error_page_length", r"404 should map to None"),
    ("05", "download_all", "bad_raise_for_status", r"not an exception here"),
    ("05", "download_all", "bad_executor_no_shutdown", r"returned while 3 of the 3 worker threads"),
    ("05", "download_all", "hang_queue_no_sentinel", r"is deadlocked(.|\n)*" + STUCK),
]

#: Correct submissions unlike the instructor's: their self-checks must pass.
GOOD = [
    ("01", "run_in_threads", "ok_subclass_reverse_join"),
    ("01", "threaded_count", "ok_locked_global"),
    ("02", "counter", "ok_semaphore_property"),
    ("02", "transfer", "ok_gatekeeper_lock"),
    ("02", "transfer", "ok_trylock_backoff"),
    ("03", "pipeline", "ok_timed_waits"),
    ("03", "run_pipeline", "ok_get_timeout"),
    ("03", "run_pipeline", "ok_indexed_items"),
    ("04", "run_consumers", "ok_thread_pool"),
    ("05", "download_all", "ok_slices_merged"),
]


def notebook_named(prefix: str) -> str:
    return next(n for n in NOTEBOOKS if n.startswith(prefix))


def run_as_student(nb, tmp_path: Path, monkeypatch, until: str | None = None):
    """Execute `nb` in a fresh kernel as a student would and return it.

    With `until` (a self-check's grade id), only the cells a self-check may rely on run,
    up to that one: setup and given code, the exercise cells and their self-checks; the
    demos, which only show things, are left out (the answers' test runs them)."""
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    if until is not None:
        ids = [C.nbgrader_meta(c).get("grade_id") for c in nb.cells]
        nb.cells = [c for c in nb.cells[: ids.index(until) + 1] if c.cell_type == "code"
                    and not (C.nbgrader_meta(c).get("grade_id") or "").startswith("demo_")]
    NotebookClient(nb, timeout=90, kernel_name="python3", allow_errors=True,
                   record_timing=True, shutdown_kernel="immediate",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    return nb


def cell(nb, grade_id: str):
    return next(c for c in nb.cells if C.nbgrader_meta(c).get("grade_id") == grade_id)


def seconds(code_cell) -> float:
    timing = code_cell.metadata.get("execution", {})
    begin, end = timing["iopub.execute_input"], timing["shell.execute_reply"]
    parse = datetime.datetime.fromisoformat
    return (parse(end.rstrip("Z")) - parse(begin.rstrip("Z"))).total_seconds()


def errors(code_cell) -> list[str]:
    return [f"{o.ename}: {o.evalue}" for o in code_cell.outputs if o.output_type == "error"]


def stdout(code_cell) -> str:
    return "".join(o.text for o in code_cell.outputs
                   if o.output_type == "stream" and o.name == "stdout")


def assert_passed(checked, exercise: str, budget: float) -> None:
    assert not errors(checked), f"{exercise}_selfcheck failed: {errors(checked)}"
    out = stdout(checked)
    assert re.search(r"check_\w+: passed\.", out), out
    assert "The graded tests also check: " in out, out
    assert seconds(checked) <= budget, f"{exercise}_selfcheck took {seconds(checked):.1f} s"


#: The bug each exercise's lesson is about: `make test` runs these; the other variants of
#: BUGS and GOOD run in the full run (`make test-full`).
LESSON_BUGS = {
    "run_in_threads": "bad_join_in_start_loop", "threaded_count": "bad_unlocked_closure_total",
    "counter": "bad_unlocked", "transfer": "hang_naive_order", "pipeline": "hang_spin_while_none",
    "run_pipeline": "bad_unbounded_queue", "consume_until_idle": "hang_get_without_timeout",
    "consume_until_sentinel": "bad_equality", "run_consumers": "hang_one_sentinel",
    "download_all": "bad_shared_session",
}


def tiered(cases: list[tuple], fast: dict[str, str]) -> list:
    """`cases` as pytest params, those not named in `fast` marked slow."""
    return [pytest.param(*case, id=f"{case[1]}-{case[2]}",
                         marks=() if fast.get(case[1]) == case[2] else pytest.mark.slow)
            for case in cases]


@pytest.mark.parametrize("prefix, exercise, variant, message", tiered(BUGS, LESSON_BUGS))
def test_selfcheck_shows_the_bug(prefix, exercise, variant, message, tmp_path, monkeypatch):
    notebook = notebook_named(prefix)
    code = (SUBMISSIONS / notebook / exercise / f"{variant}.py").read_text()
    nb = C.filled_release(notebook, {exercise: code})
    check_id = f"{exercise}_selfcheck"
    checked = cell(run_as_student(nb, tmp_path, monkeypatch, until=check_id), check_id)
    failures = errors(checked)
    assert failures, f"{check_id} passed with {variant}: {stdout(checked)}"
    assert failures[0].startswith("AssertionError: "), failures[0]
    assert re.search(message, failures[0]), failures[0]
    assert "passed." not in stdout(checked)
    assert seconds(checked) <= BUDGET[exercise], \
        f"{check_id} took {seconds(checked):.1f} s on {variant}, over its {BUDGET[exercise]} s"


@pytest.mark.parametrize("prefix, exercise, variant", tiered(GOOD, {"transfer": "ok_trylock_backoff"}))
def test_selfcheck_passes_other_correct_answers(prefix, exercise, variant, tmp_path,
                                                monkeypatch):
    notebook = notebook_named(prefix)
    code = (SUBMISSIONS / notebook / exercise / f"{variant}.py").read_text()
    nb = C.filled_release(notebook, {exercise: code})
    check_id = f"{exercise}_selfcheck"
    checked = cell(run_as_student(nb, tmp_path, monkeypatch, until=check_id), check_id)
    assert_passed(checked, exercise, PASS_BUDGET.get(exercise, 3))


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_answers_pass_every_selfcheck_and_demo(notebook, tmp_path, monkeypatch):
    nb = run_as_student(C.filled_release(notebook), tmp_path, monkeypatch)
    for code_cell in nb.cells:
        if code_cell.cell_type == "code":
            gid = C.nbgrader_meta(code_cell).get("grade_id")
            assert not errors(code_cell), f"{gid}: {errors(code_cell)}"
    for exercise in C.EXERCISES[notebook].values():
        assert_passed(cell(nb, f"{exercise}_selfcheck"), exercise, PASS_BUDGET.get(exercise, 3))


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_selfchecks_quote_no_hidden_test(notebook):
    """A self-check is written on its own: none of its lines (but short ones and imports)
    is a line of a hidden test, and it tells what the graded tests also check."""
    hidden = set()
    for source_cell in C.source_notebook(notebook).cells:
        hidden.update(line.strip() for line in
                      C.region(source_cell.source, C.HIDDEN_BEGIN, C.HIDDEN_END)
                      if len(line.strip()) >= 24
                      and not line.strip().startswith(("import ", "from ")))
    released = {C.nbgrader_meta(c).get("grade_id"): c for c in C.release_notebook(notebook).cells}
    for exercise in C.EXERCISES[notebook].values():
        source = released[f"{exercise}_selfcheck"].source
        assert "@selfcheck(graded=" in source, f"{exercise}_selfcheck says nothing of the rest"
        copied = [line.strip() for line in source.splitlines() if line.strip() in hidden]
        assert not copied, f"{exercise}_selfcheck quotes hidden-test lines: {copied}"


def test_selfcheck_says_what_is_graded_besides(monkeypatch, capsys):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)

    @asserts.selfcheck(graded="that it   finishes\n   in time.")
    def check_something():
        pass

    out = capsys.readouterr().out
    assert out == ("check_something: passed.\n"
                   "The graded tests also check: that it finishes in time.\n")

    with pytest.raises(AssertionError, match="wrong"):
        @asserts.selfcheck(graded="more")
        def check_failing():
            raise AssertionError("wrong")
    assert "passed" not in capsys.readouterr().out

    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    ran = []
    asserts.selfcheck(graded="more")(lambda: ran.append(1))
    assert ran == [] and "skipped while autograding" in capsys.readouterr().out


#: A bug per exercise, then the fix, in one kernel: the order a student works in.
FIXED_AFTER = {
    "01": {"run_in_threads": "hang_wait_for_active_count", "threaded_count": "bad_unlocked_closure_total"},
    "02": {"counter": "hang_release_forgotten", "transfer": "hang_naive_order"},
    "03": {"pipeline": "hang_spin_while_none", "run_pipeline": "hang_one_sentinel"},
    "04": {"consume_until_idle": "hang_get_without_timeout",
           "consume_until_sentinel": "hang_continue_on_sentinel",
           "run_consumers": "hang_one_sentinel"},
    "05": {"download_all": "hang_queue_no_sentinel"},
}


@pytest.mark.parametrize("prefix", [p if p == "02" else pytest.param(p, marks=pytest.mark.slow)
                                    for p in sorted(FIXED_AFTER)])
def test_fixed_answer_passes_after_a_failed_selfcheck(prefix, tmp_path, monkeypatch):
    """A student runs a self-check on buggy code (it hangs and fails), fixes the code and
    runs the self-check again in the same kernel: it passes, whatever the bug left behind
    (threads blocked forever, threads that were spinning)."""
    notebook = notebook_named(prefix)
    nb = C.filled_release(notebook)
    cells = []
    for code_cell in nb.cells:
        gid = C.nbgrader_meta(code_cell).get("grade_id") or ""
        # the graded tests are left out (their release cells hold only a comment), the
        # self-checks kept (graded cells too, worth 0 points: C.is_test is false)
        if code_cell.cell_type != "code" or gid.startswith("demo_") or C.is_test(code_cell):
            continue
        exercise = gid.removesuffix("_selfcheck")
        if gid.endswith("_selfcheck") and exercise in FIXED_AFTER[prefix]:
            variant = FIXED_AFTER[prefix][exercise]
            buggy = nbformat.v4.new_code_cell(
                (SUBMISSIONS / notebook / exercise / f"{variant}.py").read_text())
            buggy.id, buggy.metadata["t101_role"] = f"{exercise}-buggy", "buggy"
            failing = nbformat.v4.new_code_cell(code_cell.source)
            failing.id, failing.metadata["t101_role"] = f"{exercise}-fails", "fails"
            fixed = nbformat.v4.new_code_cell(cell(nb, exercise).source)
            fixed.id = f"{exercise}-fixed"
            cells += [buggy, failing, fixed]
        cells.append(code_cell)
    nb.cells = cells
    run_as_student(nb, tmp_path, monkeypatch)
    for code_cell in nb.cells:
        gid = C.nbgrader_meta(code_cell).get("grade_id") or ""
        if code_cell.metadata.get("t101_role") == "fails":
            assert errors(code_cell), f"{code_cell.id}: the self-check passed on the bug"
        elif gid.endswith("_selfcheck"):
            assert_passed(code_cell, gid.removesuffix("_selfcheck"), 6)
        else:
            assert not errors(code_cell), f"{code_cell.id}: {errors(code_cell)}"
