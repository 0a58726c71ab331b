"""Explanations of concurrency failures (threads101.kernel.explain), on real threads.

The student's code and the hidden test's code are compiled from text under file names
of their own, as in a notebook: the explanation may quote the first, never the second.
"""

import json
from pathlib import Path
import linecache
import threading
import time

import pytest

from threads101.kernel import (
    LockGroup,
    assert_all_finished,
    call,
    expect_finished,
    fail_race,
    finishes,
    outcomes,
    watch_attribute,
)

STUDENT = "<ipython-input-student-explain>"
HIDDEN = "<hidden-test-cell-explain>"

STUDENT_SRC = """\
import threading

def transfer(source, target, amount):
    with source.lock:
        with target.lock:
            source.balance -= amount
            target.balance += amount

def threaded_count(count_to, n_threads):
    threads = [threading.Thread(target=len, args=([],)) for _ in range(n_threads)]
    for t in threads:
        t.start()
    return count_to

def spin(flag):
    while not flag:
        pass

class Counter:
    def __init__(self):
        self.value = 0

    def increment(self, wait):
        seen = self.value
        wait()
        self.value = seen + 1

def consume(q):
    return q.get()
"""

HIDDEN_SRC = """\
### BEGIN HIDDEN TESTS
import threading

class Account:
    def __init__(self, balance, lock):
        self.balance, self.lock = balance, lock

def at_once(*calls):
    meet = threading.Barrier(len(calls))
    def run(fn, args):
        meet.wait()
        fn(*args)
    threads = [threading.Thread(target=run, args=c, name=f"transfer-{i}")
               for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
### END HIDDEN TESTS
"""


def _compile(src, filename):
    linecache.cache[filename] = (len(src), None, src.splitlines(True), filename)
    namespace = {}
    exec(compile(src, filename, "exec"), namespace)
    return namespace


student = _compile(STUDENT_SRC, STUDENT)
hidden = _compile(HIDDEN_SRC, HIDDEN)
HIDDEN_LINES = [line.strip() for line in HIDDEN_SRC.splitlines() if line.strip()]


def deadlocked_transfers():
    group = LockGroup(meet=2, meet_timeout=0.3)
    a = hidden["Account"](100, group.lock("a.lock"))
    b = hidden["Account"](100, group.lock("b.lock"))
    outcome = call(hidden["at_once"], (student["transfer"], (a, b, 10)),
                   (student["transfer"], (b, a, 30)), budget=5,
                   label="transfer(a, b, 10) and transfer(b, a, 30) at once")
    assert outcome.deadlock
    return outcome


def no_test_code_in(explanation):
    blob = json.dumps(explanation)
    assert "(test code)" not in blob
    for line in HIDDEN_LINES:
        if len(line) > 12:
            assert line not in blob, line


def test_opposite_order_transfers_explain_the_wait_for_cycle():
    outcome = deadlocked_transfers()
    with pytest.raises(outcomes.Deadlock) as failure:
        outcome.get()
    explanation = failure.value.explanation
    assert explanation["version"] == 1 and explanation["kind"] == "deadlock"
    assert explanation["call"] == "transfer(a, b, 10) and transfer(b, a, 30) at once"
    assert explanation["summary"] == "each waits for the other, forever."
    json.dumps(explanation)  # plain JSON
    by_name = {t["name"]: t for t in explanation["threads"]}
    assert set(by_name) == {"the caller", "transfer-0", "transfer-1"}
    t0, t1 = by_name["transfer-0"], by_name["transfer-1"]
    assert (t0["holds"], t0["waits_for"]) == (["a.lock"], "b.lock")
    assert (t1["holds"], t1["waits_for"]) == (["b.lock"], "a.lock")
    assert t0["state"] == t1["state"] == "blocked"
    assert t0["where"] == "line 5 of your transfer: with target.lock:"
    assert by_name["the caller"]["where"] is None  # the caller is the test's code
    text = explanation["text"]
    assert ("thread 'transfer-0' holds a.lock (taken at line 4 of your transfer: "
            "with source.lock:) and waits for b.lock (line 5 of your transfer)") in text
    assert "thread 'transfer-1' holds b.lock" in text and text.splitlines()[0].endswith(
        "each waits for the other, forever.")
    assert text.splitlines()[1] == "Meanwhile the caller is blocked with no timeout in join()."
    assert text in str(failure.value)  # the notebook shows it too
    assert set(explanation) == {"version", "kind", "call", "summary", "text", "threads", "events"}
    assert explanation["events"] == []
    no_test_code_in(explanation)


def test_the_same_failure_twice_gives_the_same_explanation():
    first = deadlocked_transfers().explanation()
    second = deadlocked_transfers().explanation()
    assert first == second


def test_expect_finished_raises_deadlock_with_hint_report_and_explanation():
    outcome = deadlocked_transfers()
    with pytest.raises(outcomes.Deadlock) as failure:
        expect_finished(outcome, "they did not finish: take the locks in one order.")
    message = str(failure.value)
    assert message.startswith("they did not finish: take the locks in one order.\n"
                              + outcome.report)
    assert message.endswith(explanation_text := outcome.explanation()["text"])
    assert "each waits for the other, forever." in explanation_text
    assert isinstance(failure.value, AssertionError)
    done = call(lambda: 1)
    assert expect_finished(done) is done


def test_a_lost_update_gives_the_timeline_of_reads_and_writes():
    def race_once():
        counter = student["Counter"]()
        log = watch_attribute(counter, "value")
        meet = threading.Barrier(2)

        def run():
            threads = [threading.Thread(target=counter.increment, args=(meet.wait,),
                                        name=f"increment-{i}") for i in range(2)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()

        outcome = call(run, label="2 threads calling counter.increment() at once")
        outcome.get()
        assert counter.value == 1
        with pytest.raises(outcomes.RaceLost) as failure:
            fail_race("value ended at 1, not 2", log, threads=outcome, what="increment")
        return failure.value

    failure = race_once()
    explanation = failure.explanation
    assert explanation["kind"] == "race" and explanation["threads"] == []
    assert explanation["call"] == "2 threads calling counter.increment() at once"
    ops = [(e["op"], e["value"]) for e in explanation["events"]]
    assert ops == [("read", "0"), ("read", "0"), ("write", "1"), ("write", "1")]
    assert [e["thread"] for e in explanation["events"]] == [
        "increment-0", "increment-1", "increment-0", "increment-1"]
    assert explanation["summary"].startswith("one increment lost")
    assert "'increment-1' read value == 0" in explanation["text"]
    assert str(failure).startswith("value ended at 1, not 2\n\n")
    assert race_once().explanation == explanation  # deterministic
    # Without a log: RaceLost all the same, and only the message.
    with pytest.raises(outcomes.RaceLost, match=r"^lost$") as bare:
        fail_race("lost")
    assert bare.value.explanation is None


def test_a_missing_join_gives_leftover_threads_with_the_line_that_started_them():
    outcome = call(student["threaded_count"], 10, 2, reverse_finish=True)
    assert outcome.get() == 10 and outcome.alive_at_return
    with pytest.raises(outcomes.LeftoverThreads) as failure:
        assert_all_finished(outcome)
    explanation = failure.value.explanation
    assert explanation["kind"] == "leftover"
    assert explanation["threads"], explanation
    for thread in explanation["threads"]:
        assert thread["started_at"] == "line 12 of your threaded_count: t.start()"
        assert thread["state"] == "running" and thread["holds"] == []
        # threading's own names (Thread-<n>) count across the process: numbered per call instead
        assert thread["name"] in ("the call's thread 1 (len)", "the call's thread 2 (len)")
    assert "Wait for every thread (join them all) before returning." in str(failure.value)
    assert "started at line 12 of your threaded_count: t.start()" in str(failure.value)
    no_test_code_in(explanation)


def test_a_spinning_call_is_a_hang_with_the_spinning_line():
    outcome = call(student["spin"], [], budget=5, stall=0.2)
    assert outcome.hung and not outcome.deadlock
    with pytest.raises(outcomes.Hang) as failure:
        outcome.get()
    assert not isinstance(failure.value, outcomes.Deadlock)
    explanation = failure.value.explanation
    assert explanation["kind"] == "hang"
    [caller] = explanation["threads"]
    assert caller["name"] == "the caller" and caller["state"] == "spinning"
    assert caller["where"] in ("line 16 of your spin: while not flag:",
                               "line 17 of your spin: pass")
    assert explanation["summary"].startswith("a thread spins")
    no_test_code_in(explanation)
    again = call(student["spin"], [], budget=5, stall=0.2).explanation()
    assert again == explanation


def test_a_blocked_get_says_where_and_in_what():
    import queue

    outcome = call(hidden["at_once"], (student["consume"], (queue.Queue(),)), budget=5)
    explanation = outcome.explanation()
    assert explanation["kind"] == "deadlock"
    by_name = {t["name"]: t for t in explanation["threads"]}
    assert by_name["transfer-0"]["state"] == "blocked"
    assert by_name["transfer-0"]["where"] == "line 29 of your consume: return q.get()"
    assert "thread 'transfer-0' is blocked with no timeout in get() at line" in explanation["text"]
    no_test_code_in(explanation)


def test_a_correct_call_records_nothing_extra():
    group = LockGroup()
    a = hidden["Account"](10, group.lock("a.lock"))
    b = hidden["Account"](10, group.lock("b.lock"))
    outcome = call(student["transfer"], a, b, 5)
    assert not outcome.hung and outcome.facts is None and outcome.explanation() is None
    assert group._waiting_for == {} and group.held_by_me() == []
    assert finishes(student["threaded_count"], 3, 2) == 3


def test_every_explanation_raised_is_handed_to_the_display(monkeypatch):
    from threads101.kernel import explain

    shown = []
    monkeypatch.setattr(explain, "_display_explanation", shown.append)
    outcome = deadlocked_transfers()
    with pytest.raises(outcomes.Deadlock):
        outcome.get()
    assert shown and shown[0]["kind"] == "deadlock"


def test_inside_ipython_the_explanation_is_displayed_as_json(monkeypatch):
    pytest.importorskip("IPython")
    import IPython
    import IPython.display

    from threads101.kernel import explain

    displayed = []
    monkeypatch.setattr(IPython, "get_ipython", lambda: object())
    monkeypatch.setattr(IPython.display, "display",
                        lambda obj, raw=False: displayed.append((obj, raw)))
    explain._display_explanation({"text": "why", "kind": "hang"})
    [(obj, raw)] = displayed
    assert raw and obj[explain.EXPLANATION_MIME]["kind"] == "hang" and obj["text/plain"] == "why"
    monkeypatch.setattr(IPython, "get_ipython", lambda: None)
    explain._display_explanation({"text": "why", "kind": "hang"})
    assert len(displayed) == 1


def test_a_hang_costs_no_more_than_before_to_report():
    started = time.monotonic()
    outcome = deadlocked_transfers()
    outcome.explanation()
    assert time.monotonic() - started < 2


def test_a_self_check_fails_with_a_plain_assertion_error_that_explains(monkeypatch, capsys):
    from threads101.kernel import selfcheck

    from threads101.kernel import explain

    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    shown = []
    monkeypatch.setattr(explain, "_display_explanation", shown.append)

    def transfers_check():
        deadlocked_transfers().get()

    with pytest.raises(AssertionError) as failure:
        selfcheck(transfers_check)
    assert type(failure.value) is AssertionError
    assert shown == []  # the student reads the explanation once, in the message
    assert "each waits for the other, forever." in str(failure.value)
    assert failure.value.explanation["kind"] == "deadlock"
    with pytest.raises(outcomes.Deadlock):  # and outside a self-check, typed again
        transfers_check()


def test_without_explanations_the_verdict_is_the_same(monkeypatch):
    """THREADS101_EXPLAIN=0 (make bench measures what explanations cost) changes nothing
    but the explanation."""
    from threads101.kernel import explain

    monkeypatch.setattr(explain, "EXPLAIN", False)
    with pytest.raises(outcomes.Deadlock) as failure:
        deadlocked_transfers().get()
    assert failure.value.explanation is None
    assert "is deadlocked" in str(failure.value)


#: The proof suites' own racy threaded_count variants (a shared global, a closure variable).
TRACED = Path(__file__).parents[1] / "submissions" / "01_threads_and_join" / "threaded_count"


@pytest.mark.parametrize("variant, stored", [("bad_unlocked_global_each_step", "1"),
                                             ("bad_unlocked_closure_total", "30")])
def test_a_traced_race_on_a_shared_variable_gives_its_timeline(variant, stored):
    from threads101.kernel import ThreadTracer
    traced = _compile((TRACED / f"{variant}.py").read_text(), f"<ipython-input-{variant}>")
    fn = "threaded_count"

    def race_once():
        with ThreadTracer(rendezvous=3) as tracer:
            got = finishes(traced[fn], 90, 3, budget=10, label=f"{fn}(90, 3)")
        assert got < 90  # the rendezvous made the updates collide
        assert tracer.shared_name() == "total"
        with pytest.raises(outcomes.RaceLost) as failure:
            fail_race("lost", tracer.accesses(), name="total", label=f"{fn}(90, 3)")
        return failure.value.explanation

    explanation = race_once()
    assert explanation["kind"] == "race"
    # Each thread read total before any stored into it, then all three stored the same value:
    # up to each thread's forced store, the run is the same every time.
    ops = [(e["op"], e["value"]) for e in explanation["events"]]
    assert ops == [("read", "0")] * 3 + [("write", stored)] * 3
    assert explanation["summary"].startswith("two updates lost")
    assert race_once()["events"] == explanation["events"]
