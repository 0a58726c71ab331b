"""The hidden-test machinery, on real threads."""

import queue
import sys
import threading
import time

import pytest

from threads101 import kernel
from threads101.kernel import asserts, calls, report
from threads101.kernel import (
    LockGroup,
    Probe,
    Rendezvous,
    ThreadTracer,
    assert_all_finished,
    assert_same_items,
    call,
    finishes,
    measure_waiting,
    start,
    together,
    watch_attribute,
)


def join_all(threads):
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return threads


def opposite_order_deadlock():
    a, b = threading.Lock(), threading.Lock()
    meet = threading.Barrier(2)

    def one(first, second):
        with first:
            meet.wait()
            with second:
                pass

    join_all([threading.Thread(target=one, args=(a, b)), threading.Thread(target=one, args=(b, a))])


def test_value_and_threads_of_a_finished_call():
    def work():
        return join_all([threading.Thread(target=time.sleep, args=(0.05,)) for _ in range(3)])

    outcome = call(work)
    assert not outcome.hung and outcome.error is None
    assert outcome.value == outcome.threads and len(outcome.threads) == 3
    assert outcome.alive_at_return == []
    assert_all_finished(outcome)


def test_exception_of_the_call_propagates():
    def boom():
        raise KeyError("x")

    with pytest.raises(KeyError):
        finishes(boom)


def test_deadlock_is_reported_fast_with_every_stuck_thread():
    started = time.monotonic()
    outcome = call(opposite_order_deadlock, budget=10)
    assert outcome.hung and outcome.deadlock
    assert time.monotonic() - started < 3, "deadlock detection should not wait out the budget"
    assert "deadlocked" in outcome.report
    assert outcome.report.count(": blocked forever") == 3  # the caller and both threads
    assert outcome.report.count("in one: with second:") == 2
    with pytest.raises(AssertionError, match="deadlocked"):
        outcome.get()


def test_queue_get_forever_is_a_deadlock_but_a_timed_get_is_not():
    def get_forever():
        q = queue.Queue()
        join_all([threading.Thread(target=q.get)])

    def get_with_timeout():
        q = queue.Queue()
        try:
            q.get(timeout=0.6)
        except queue.Empty:
            return "gave up"

    assert call(get_forever, budget=10).deadlock
    outcome = call(get_with_timeout, budget=5)
    assert outcome.value == "gave up" and not outcome.hung


def test_spinning_call_times_out_and_its_thread_is_stopped():
    def spin():
        while True:
            pass

    outcome = call(spin, budget=0.5)
    assert outcome.hung and not outcome.deadlock
    assert "did not finish within 0.5 s" in outcome.report
    assert "running" in outcome.report
    time.sleep(0.3)
    assert not any(t.name.startswith("spin") for t in threading.enumerate())
    # the interpreter is healthy afterwards: traced threads still run normally
    with ThreadTracer():
        outcome = call(lambda: join_all([threading.Thread(target=sum, args=([1, 2],))]), budget=5)
    assert not outcome.hung, outcome.report


def test_sleep_polling_call_times_out_not_deadlocked():
    def poll():
        while True:
            time.sleep(0.01)

    outcome = call(poll, budget=0.5)
    assert outcome.hung and not outcome.deadlock


def test_calls_the_test_will_release_are_not_called_deadlocks():
    event = threading.Event()
    running = start(event.wait)
    time.sleep(0.5)
    assert not running.done()
    event.set()
    outcome = running.wait(2)
    assert outcome.value is True and not outcome.hung


def test_threads_left_running_are_seen():
    def no_join():
        t = threading.Thread(target=time.sleep, args=(0.3,))
        t.start()
        return t

    outcome = call(no_join)
    assert outcome.alive_at_return == [outcome.value]
    with pytest.raises(AssertionError, match="still running"):
        assert_all_finished(outcome)


def test_threads_of_threads_belong_to_the_call():
    def nested():
        inner = []

        def outer():
            t = threading.Thread(target=time.sleep, args=(0.01,))
            inner.append(t)
            t.start()
            t.join()

        join_all([threading.Thread(target=outer)])
        return inner[0]

    outcome = call(nested)
    assert outcome.value in outcome.threads and len(outcome.threads) == 2


def test_together_runs_calls_at_once_under_one_budget():
    started = time.monotonic()
    outcomes = together(3, {"a": lambda: time.sleep(0.5) or "a", "b": lambda: time.sleep(0.5) or "b"})
    assert time.monotonic() - started < 1.5
    assert outcomes["a"].value == "a" and outcomes["b"].value == "b"


def test_probe_records_calls_overlap_and_gathers():
    probe = Probe(lambda x: x * 2, gather=3, gather_timeout=2)
    threads = [threading.Thread(target=probe, args=(i,)) for i in range(3)]
    started = time.monotonic()
    join_all(threads)
    assert time.monotonic() - started < 1.5
    assert probe.max_overlap == 3
    assert sorted(probe.args_seen()) == [(0,), (1,), (2,)]
    assert len(probe.threads) == 3


def test_probe_one_at_a_time_never_overlaps():
    probe = Probe(gather=2, gather_timeout=0.2)
    for i in range(2):
        join_all([threading.Thread(target=probe, args=(i,))])
    assert probe.max_overlap == 1


def test_rendezvous_meets_or_times_out():
    meeting = Rendezvous(2, timeout=0.2)
    assert meeting.wait() is False
    meeting = Rendezvous(2, timeout=2)
    results = []
    join_all([threading.Thread(target=lambda: results.append(meeting.wait())) for _ in range(2)])
    assert results == [True, True]


def test_tracer_counts_work_per_thread():
    def count(n):
        c = 0
        for _ in range(n):
            c += 1

    with ThreadTracer() as tracer:
        threads = join_all([threading.Thread(target=count, args=(n,)) for n in (10, 100)])
    small, big = (tracer.lines[t] for t in threads)
    assert big - small >= 90 * 2 - 5


def unlocked_total(n_threads, per_thread):
    shared = {"total": 0}
    total = 0

    def add():
        nonlocal total
        for _ in range(per_thread):
            total += 1

    join_all([threading.Thread(target=add) for _ in range(n_threads)])
    return total + shared["total"]


def locked_total(n_threads, per_thread):
    lock = threading.Lock()
    total = 0

    def add():
        nonlocal total
        for _ in range(per_thread):
            with lock:
                total += 1

    join_all([threading.Thread(target=add) for _ in range(n_threads)])
    return total


@pytest.mark.parametrize("attempt", range(5))
def test_tracer_rendezvous_makes_unprotected_updates_lose_every_time(attempt):
    with ThreadTracer(rendezvous=4):
        assert finishes(unlocked_total, 4, 50, budget=20) < 200
    with ThreadTracer(rendezvous=4):
        assert finishes(locked_total, 4, 50, budget=20) == 200


def test_waiting_threads_blocked_vs_spinning_vs_polling():
    event, stop = threading.Event(), threading.Event()

    def spin():
        while not stop.is_set():
            pass

    def poll():
        while not stop.is_set():
            time.sleep(0.002)

    threads = [threading.Thread(target=f, daemon=True) for f in (event.wait, spin, poll)]
    for t in threads:
        t.start()
    try:
        blocked, spinning, polling = (measure_waiting([t], 0.3) for t in threads)
    finally:
        stop.set()
        event.set()
    assert not blocked.busy, blocked.describe()
    assert spinning.busy and polling.busy, (spinning.describe(), polling.describe())


def test_watch_attribute_logs_reads_and_writes_in_order():
    class Box:
        def __init__(self):
            self.value = 0

    box = Box()
    seen = []
    log = watch_attribute(box, "value", on_set=lambda obj, v: seen.append(v))
    box.value = box.value + 1
    assert box.value == 1 and isinstance(box, Box)
    assert [a.kind for a in log] == ["get", "set", "get"] and seen == [1]


def test_watch_attribute_on_slots_and_properties():
    class Slotted:
        __slots__ = ("value",)

        def __init__(self):
            self.value = 5

    class WithProperty:
        def __init__(self):
            self._v = 1

        @property
        def value(self):
            return self._v

        @value.setter
        def value(self, v):
            self._v = v

    for obj, first in ((Slotted(), 5), (WithProperty(), 1)):
        log = watch_attribute(obj, "value")
        obj.value = obj.value * 10
        assert obj.value == first * 10 and len(log) == 3


def test_lock_group_tracks_holders_and_makes_opposite_orders_deadlock():
    group = LockGroup(meet=2, meet_timeout=1)
    a, b = group.lock("a"), group.lock("b")
    with a:
        assert group.held_by_me() == ["a"] and a.locked()
    assert group.held_by_me() == [] and not a.locked()

    def naive(first, second):
        with first, second:
            pass

    def both():
        join_all([threading.Thread(target=naive, args=(a, b)),
                  threading.Thread(target=naive, args=(b, a))])

    assert call(both, budget=10).deadlock


def test_queues_created_by_a_call_are_logged():
    def make():
        q = queue.Queue(maxsize=3)
        for i in range(3):
            q.put(i)
        return q

    outcome = call(make)
    (log,) = outcome.queues
    assert log.maxsize == 3 and log.puts == [0, 1, 2] and log.most == 3


def test_assert_same_items_messages():
    assert_same_items([None, 0, 1], [1, 0, None])
    with pytest.raises(AssertionError, match="missing 1"):
        assert_same_items([0, 1], [0, 1, None])
    with pytest.raises(AssertionError, match="repeated"):
        assert_same_items([0, 0, 1], [0, 1])
    with pytest.raises(AssertionError, match="missing"):
        assert_same_items([False], [0])  # 0 and False are different items


def test_selfcheck_runs_unless_autograding(monkeypatch, capsys):
    ran = []
    asserts.selfcheck(lambda: ran.append(1))
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    asserts.selfcheck(lambda: ran.append(2))
    assert ran == [1]
    assert "skipped while autograding" in capsys.readouterr().out


def test_together_judges_each_call_on_its_own():
    def stuck():
        threading.Event().wait()

    started = time.monotonic()
    outcomes = together(5, {"quick": lambda: "ok", "stuck": stuck, "stuck2": stuck,
                            "slow": lambda: time.sleep(0.6) or "slow"})
    assert time.monotonic() - started < 2.5, "deadlocks of several calls are confirmed at once"
    assert outcomes["quick"].value == "ok" and not outcomes["quick"].hung
    assert outcomes["slow"].value == "slow"
    assert outcomes["stuck"].deadlock and outcomes["stuck2"].deadlock


def test_together_after_the_budget_still_sees_finished_calls():
    outcomes = together(0.3, {"spin": lambda: [None for _ in iter(int, 1)], "quick": lambda: 1})
    assert outcomes["spin"].hung and outcomes["quick"].value == 1


def test_switching_off_the_tracer_during_a_race_test_fails_it():
    import sys

    def sneaky():
        def work():
            sys.settrace(None)  # hide from the race test's tracer

        join_all([threading.Thread(target=work)])

    with pytest.raises(AssertionError, match="changed the tracing"):
        with ThreadTracer(rendezvous=2):
            finishes(sneaky)
    with ThreadTracer(rendezvous=2):  # an honest call is not flagged
        finishes(lambda: join_all([threading.Thread(target=len, args=([],))]))


# --------------------------------------------------------------------------
# Hangs recognised by lack of progress; threads made to end in the test's order.
# --------------------------------------------------------------------------
def test_spinning_without_progress_is_a_hang_long_before_the_budget():
    def spin():
        while True:
            pass

    started = time.monotonic()
    outcome = call(spin, budget=10, stall=0.1)
    assert outcome.hung and outcome.stalled and not outcome.deadlock
    assert time.monotonic() - started < 2, "a spinning call is a hang after its stall window"
    assert "did not finish" in outcome.report and "busy loop" in outcome.report
    assert "running" in outcome.report
    # 3.14 puts the loop's jump back on the line of its body
    assert "in spin: while True:" in outcome.report or "in spin: pass" in outcome.report


def test_sleep_polling_without_progress_is_a_hang_long_before_the_budget():
    def poll():
        while True:
            time.sleep(0.01)

    started = time.monotonic()
    outcome = call(poll, budget=10, stall=0.1)
    assert outcome.stalled and time.monotonic() - started < 2


def test_calls_that_progress_or_sleep_are_never_cut_short():
    probe = Probe()

    def busy_but_progressing():  # real CPU work, with something the test sees now and then
        end = time.monotonic() + 0.8
        while time.monotonic() < end:
            sum(range(2000))
            if int(time.monotonic() * 20) % 2:
                probe()
        return "done"

    def one_long_sleep():
        time.sleep(0.6)
        return "slept"

    def timed_waits():  # wakes up 5 times a second: waiting, not polling
        event = threading.Event()
        for _ in range(4):
            event.wait(0.2)
        return "waited"

    def polls_for_a_sleeper():  # the poller waits for a thread inside one long sleep
        sleeper = threading.Thread(target=time.sleep, args=(0.5,))
        sleeper.start()
        while sleeper.is_alive():
            time.sleep(0.01)
        return "joined"

    assert call(polls_for_a_sleeper, budget=5, stall=0.15, reverse_finish=True).value == "joined"
    assert call(busy_but_progressing, budget=5, stall=0.15).value == "done"
    assert call(one_long_sleep, budget=5, stall=0.1).value == "slept"
    assert call(timed_waits, budget=5, stall=0.15).value == "waited"


def test_a_sleep_that_ends_with_the_stall_window_is_not_taken_for_a_stall():
    # The napper wakes up as the window ends and works a little (no progress to see):
    # when the window is judged it is running, not sleeping, yet it spent the window in
    # one long sleep, which is what the poller was waiting for.
    def sleep_then_work():
        time.sleep(0.15)
        end = time.monotonic() + 0.03
        while time.monotonic() < end:
            pass

    def polls_for_nappers():
        nappers = [threading.Thread(target=sleep_then_work)]
        for t in nappers:
            t.start()
        while any(t.is_alive() for t in nappers):
            time.sleep(0.01)
        return "joined"

    for _ in range(3):
        outcome = call(polls_for_nappers, budget=5, stall=0.15)
        assert not outcome.hung, outcome.report
        assert outcome.value == "joined"


def test_polling_for_threads_blocked_forever_is_a_stall():
    # The poller sleeps most of the time too, but wakes up between every two looks: that
    # is no long wait, and the threads it waits for are blocked forever.
    def polls_for_the_blocked():
        blocked = [threading.Thread(target=threading.Event().wait, daemon=True) for _ in range(2)]
        for t in blocked:
            t.start()
        while any(t.is_alive() for t in blocked):
            time.sleep(0.01)

    for _ in range(3):
        started = time.monotonic()
        outcome = call(polls_for_the_blocked, budget=5, stall=0.1)
        assert outcome.stalled and time.monotonic() - started < 1.5


def test_without_a_stall_window_a_spinning_call_runs_into_its_budget():
    started = time.monotonic()
    outcome = call(lambda: [None for _ in iter(int, 1)], budget=0.6)
    assert outcome.hung and not outcome.stalled and time.monotonic() - started >= 0.6


def test_kit_waits_do_not_look_busy():
    probe = Probe(gather=5, gather_timeout=0.6)
    meet = Rendezvous(3, timeout=0.6)
    outcome = call(lambda: (probe(1), meet.wait()), budget=5, stall=0.15)
    assert not outcome.hung and outcome.value == (None, False)


def start_threads(func, n):
    threads = [threading.Thread(target=func, args=(i,), name=f"worker-{i}") for i in range(n)]
    for t in threads:
        t.start()
    return threads


def test_reverse_finish_ends_threads_last_started_first_and_catches_a_partial_join():
    ended = []

    def work(i):
        time.sleep(0.01 * (3 - i))  # unheld, the first-started would end last
        ended.append(i)

    def join_last_only(n):
        threads = start_threads(work, n)
        threads[-1].join()
        return threads

    def join_all(n):
        threads = start_threads(work, n)
        for t in threads:
            t.join()
        return threads

    def poll_until_all_ended(n):
        threads = start_threads(work, n)
        while any(t.is_alive() for t in threads):
            time.sleep(0.01)
        return threads

    outcome = call(join_last_only, 4, budget=5, stall=0.3, reverse_finish=True)
    assert len(outcome.alive_at_return) == 3, "the first three threads were held back"
    with pytest.raises(AssertionError, match="3 of the 4 threads"):
        assert_all_finished(outcome)
    time.sleep(0.1)
    assert not any(t.is_alive() for t in outcome.threads), "held threads go once it returned"
    released = []
    release = calls._FinishGate.release

    def noting_release(self, thread):
        released.append(thread.name)
        release(self, thread)

    calls._FinishGate.release = noting_release
    try:
        for fn in (join_all, poll_until_all_ended):
            released.clear()
            outcome = call(fn, 4, budget=5, stall=0.3, reverse_finish=True)
            assert not outcome.hung and outcome.alive_at_return == []
            assert released == ["worker-3", "worker-2", "worker-1", "worker-0"]
    finally:
        calls._FinishGate.release = release


def test_reverse_finish_on_a_deadlocked_call_still_reports_the_deadlock():
    lock = threading.Lock()

    def forgets_release(n):
        def work(i):
            lock.acquire()

        threads = start_threads(work, n)
        for t in threads:
            t.join()

    started = time.monotonic()
    outcome = call(forgets_release, 3, budget=10, reverse_finish=True)
    assert outcome.deadlock and time.monotonic() - started < 3


def test_deadlocks_are_confirmed_within_a_fraction_of_a_second():
    started = time.monotonic()
    outcome = call(opposite_order_deadlock, budget=10)
    assert outcome.deadlock and time.monotonic() - started < 1


def test_ping_pong_is_not_a_deadlock():
    def ping_pong():  # both threads are blocked forever most of the time, never both for good
        a, b = threading.Semaphore(0), threading.Semaphore(0)

        def player(mine, other, rounds):
            for _ in range(rounds):
                other.release()
                mine.acquire()

        t = threading.Thread(target=player, args=(a, b, 3000))
        t.start()
        for _ in range(3000):
            b.acquire()
            a.release()
        t.join()
        return "done"

    for _ in range(3):
        assert call(ping_pong, budget=10).value == "done"


def test_not_implemented_yet_says_so_and_nothing_else():
    class Counter:
        def __init__(self):
            raise NotImplementedError()

    def in_a_thread():
        join_all([threading.Thread(target=Counter)])

    for fn in (Counter, in_a_thread):
        with pytest.raises(calls.NotImplementedYet, match=r"^Counter.__init__ is not implemented yet"):
            call(fn)
    with pytest.raises(calls.NotImplementedYet):
        finishes(Counter)


def test_stuck_thread_reports_show_student_lines_and_hide_the_tests_own():
    import linecache

    src = ("### BEGIN HIDDEN TESTS\n"
           "def run_it(fn):\n"
           "    results = ('returned', fn())\n"
           "    return results\n"
           "### END HIDDEN TESTS\n")
    filename = "<hidden-test-cell-for-test_checks>"
    linecache.cache[filename] = (len(src), None, src.splitlines(True), filename)
    namespace = {}
    exec(compile(src, filename, "exec"), namespace)

    def students_code():
        threading.Event().wait()

    outcome = call(namespace["run_it"], students_code, budget=5)
    assert outcome.deadlock
    assert "(test code)" in outcome.report
    assert "results = ('returned'" not in outcome.report and ", in run_it" not in outcome.report
    assert "in students_code: threading.Event().wait()" in outcome.report


def test_a_thread_that_swallows_thread_abandoned_is_retried_and_slows_nobody_down():
    survived = []

    def stubborn():
        while True:
            try:
                while True:
                    pass
            except BaseException:
                survived.append(1)
                if len(survived) >= 3:
                    raise

    outcome = call(stubborn, budget=5, stall=0.1)
    assert outcome.stalled
    deadline = time.monotonic() + 5
    while len(survived) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(survived) >= 3, "the reaper raised ThreadAbandoned again"
    time.sleep(0.3)
    assert not calls._reaper.zombies and sys.getswitchinterval() == pytest.approx(0.005)


def test_a_spinning_thread_caught_for_a_moment_in_a_wait_is_still_stopped(monkeypatch):
    # Waiting for the GIL, a running thread sits now and then in a futex wait with no
    # timeout (the interpreter's own mutex): one look at /proc then says "forever".
    # Here every look says so; the thread runs between them, so it is stopped anyway.
    from threads101.kernel import linux

    spinner = {}
    real = linux._syscall_state

    def misread(native_id):
        return "forever" if native_id == spinner.get("native") else real(native_id)

    def spin():
        spinner["native"] = threading.get_native_id()
        while True:
            pass

    monkeypatch.setattr(linux, "_syscall_state", misread)
    monkeypatch.setattr(calls, "_syscall_state", misread)
    outcome = call(spin, budget=5, stall=0.1)
    assert outcome.stalled
    deadline = time.monotonic() + 3
    while real(spinner["native"]) != "gone" and time.monotonic() < deadline:
        time.sleep(0.02)
    assert real(spinner["native"]) == "gone", "the spinning thread was left running"


def test_ordered_lock_taking_pays_no_meeting_timeout():
    group = LockGroup(meet=2, meet_timeout=1.0)
    a, b = group.lock("a"), group.lock("b")

    def ordered(i):
        with a, b:
            time.sleep(0.01)

    started = time.monotonic()
    finishes(lambda: join_all([threading.Thread(target=ordered, args=(i,)) for i in range(2)]))
    assert time.monotonic() - started < 0.5


def test_failures_reach_the_test_without_passing_through_the_kits_files():
    # IPython reads and highlights every file a traceback passes through (a second for the
    # kit's long modules)
    import traceback
    from pathlib import Path

    def files_of(excinfo):
        return {fs.filename for fs in traceback.extract_tb(excinfo.value.__traceback__)}

    with pytest.raises(AssertionError) as hung:
        finishes(lambda: threading.Event().wait(), budget=2)
    with pytest.raises(KeyError) as raised:
        finishes(lambda: {}["missing"])
    outcome = call(lambda: 1)
    outcome.alive_at_return = [threading.current_thread()]
    with pytest.raises(AssertionError) as unjoined:
        assert_all_finished(outcome)
    kit = {str(p) for p in Path(kernel.__file__).parent.glob("*.py")}
    assert {calls.__file__, asserts.__file__} <= kit
    for excinfo in (hung, raised, unjoined):
        assert not files_of(excinfo) & kit
        assert report.SURFACE_FILE in files_of(excinfo) or excinfo is raised


class LateThread(threading.Thread):
    """A thread the OS schedules late: start() waits for it a while, blocked with no timeout."""

    def _bootstrap(self):
        time.sleep(0.3)
        super()._bootstrap()


def test_a_thread_scheduled_late_is_not_a_deadlock():
    def start_late_and_join():
        thread = LateThread(target=time.sleep, args=(0.01,))
        thread.start()
        thread.join()
        return "joined"

    outcome = call(start_late_and_join, budget=3)
    assert not outcome.hung and outcome.value == "joined", outcome
