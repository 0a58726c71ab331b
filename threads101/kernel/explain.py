"""Explanations of concurrency failures, built from what a test observed.

A hidden test that fails on a deadlock, a hang, threads left running or a lost
update raises a typed failure (threads101.kernel.outcomes); these functions turn
what the test recorded while the call ran into the explanation a teacher would
draw on the board:

- a deadlock: the wait-for cycle of threads and LockGroup locks, with the
  student's lines where each lock was taken and where each thread waits;
- a hang: where each thread of the call is, in the student's code only, and
  what it does there (blocked with no timeout, spinning, polling, sleeping);
- threads left running: which ones, and the student's line that started them;
- a race: the timeline of the threads' reads and writes of a watched attribute
  (watch_attribute's log), with the values seen, and how many updates were lost.

Only facts the kit records anyway (or takes at the moment of failure) are used,
never the source text beyond the student's own lines, and never the tests' own
code or line numbers. The result is deterministic for a given submission: thread
and lock names, lines and kinds, no addresses and no timings.

`_failure` builds the typed failure a test raises (kernel.calls and kernel.asserts
use it): the explanation appended to the message, carried as `.explanation`, and,
inside IPython, displayed as EXPLANATION_MIME data for the feedback to read
(inside a self-check, a plain AssertionError that is not displayed: the student
reads the explanation once, in the message).

The structured form (schema version 1; threads101.outputs renders it):

    {"version": 1, "kind": "deadlock" | "race" | "hang" | "leftover",
     "call": label, "summary": one sentence, "text": the whole explanation,
     "threads": [{"name", "state", "holds", "waits_for", "where", "started_at"}],
     "events": [{"thread", "op": "read" | "write", "name", "value"}]}
"""

from __future__ import annotations

import linecache
import os
import re
import sys
from typing import Any

from .originals import _DummyThread
from .report import _is_library_file, _is_test_code, _plain_name, _short_repr

VERSION = 1
#: Explanations of failures are recorded and built unless the environment sets
#: THREADS101_EXPLAIN=0: `make bench` grades failing code both ways to measure what they
#: cost. Verdicts and scores are the same either way. The kit reads it as
#: `explain.EXPLAIN`, so that setting it here switches it off everywhere.
EXPLAIN = os.environ.get("THREADS101_EXPLAIN", "1") != "0"
_ADDRESS = re.compile(r" (?:object )?at 0x[0-9a-fA-F]+")
_NUMBERS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven",
            8: "eight", 9: "nine", 10: "ten"}


def _clean(text: str) -> str:
    """No memory addresses: the same submission gets the same text on every run."""
    return _ADDRESS.sub("", text)


def _count(n: int) -> str:
    return _NUMBERS.get(n, str(n))


def _is_students(filename: str) -> bool:
    return not _is_library_file(filename) and not _is_test_code(filename)


def _site_text(filename: str, lineno: int, function: str, short: bool = False) -> str | None:
    """'line 5 of your transfer: with target.lock:' for a student's line, else None."""
    if not filename or not _is_students(filename):
        return None
    where = f"your {function}" if function and not function.startswith("<") else "your code"
    if short:
        return f"line {lineno} of {where}"
    code = linecache.getline(filename, lineno).strip()
    return f"line {lineno} of {where}: {code}" if code else f"line {lineno} of {where}"


def _site(site: tuple | None, short: bool = False) -> str | None:
    return _site_text(*site, short=short) if site else None


def _where(stack: list) -> tuple[str | None, str | None]:
    """(the innermost student line of a stack, as text; the library function the thread is
    in, called from the innermost frame of the student's or the tests' code)."""
    students = [i for i, fs in enumerate(stack) if _is_students(fs.filename)]
    where = None
    if students:
        fs = stack[students[-1]]
        where = _site_text(fs.filename, fs.lineno, fs.name)
    outer = [i for i, fs in enumerate(stack) if not _is_library_file(fs.filename)
             or _is_test_code(fs.filename)]
    entry = None
    if outer and outer[-1] + 1 < len(stack):
        inner = stack[outer[-1] + 1]
        if not _is_test_code(inner.filename) and not inner.name.startswith("_"):
            entry = inner.name
    return where, entry


def _state(facts: dict, deadlock: bool = False) -> str:
    """'blocked', 'spinning', 'polling', 'sleeping' or 'running', from what Linux said.

    In a deadlock every thread is blocked (the engine confirmed it). Otherwise the CPU a
    thread used comes first: a spinning thread is often caught for an instant in a wait
    with no timeout (the interpreter's own lock, taken to switch threads), which is not
    what it does; judged by its CPU it is spinning on every run."""
    state, cpu, wake, seconds = facts["state"], facts["cpu"], facts["wakeups"], facts["seconds"]
    if deadlock:
        return "blocked"
    if cpu >= 0.35 * seconds:
        return "spinning"
    if state == "forever":
        return "blocked"
    if wake >= max(40 * seconds, 4):
        return "polling"
    if cpu >= max(0.15 * seconds, 0.008):
        return "spinning"
    if state in ("sleeping", "timed"):
        return "sleeping"
    return "running"


def _thread(name: str, state: str, holds=(), waits_for=None, where=None, started_at=None) -> dict:
    return {"name": _clean(name), "state": state, "holds": [_clean(h) for h in holds],
            "waits_for": _clean(waits_for) if waits_for is not None else None,
            "where": _clean(where) if where is not None else None,
            "started_at": _clean(started_at) if started_at is not None else None}


def _who(name: str) -> str:
    return name if name.startswith("the ") else f"thread {name!r}"


def _result(kind: str, label: str, summary: str, text: str, threads=(), events=()) -> dict:
    return {"version": VERSION, "kind": kind, "call": _clean(label), "summary": _clean(summary),
            "text": _clean(text), "threads": list(threads), "events": list(events)}


# --------------------------------------------------------------------------
# Deadlocks and hangs.
# --------------------------------------------------------------------------
def _cycle(threads: list[dict]) -> list[int]:
    """Indexes of the threads of a wait-for cycle (thread -> lock it waits for -> holder)."""
    holder = {}
    for i, t in enumerate(threads):
        for name, _site in t["holds"]:
            holder.setdefault(name, i)
    for start in range(len(threads)):
        path, seen, i = [], set(), start
        while i is not None and i not in seen:
            seen.add(i)
            path.append(i)
            waits = threads[i]["waits_for"]
            i = holder.get(waits) if waits is not None else None
        if i is not None and i in path:
            cycle = path[path.index(i):]
            first = cycle.index(min(cycle))  # the same cycle reads the same way every time
            return cycle[first:] + cycle[:first]
    return []


def _doing(state: str, entry: str | None) -> str:
    inside = f" in {entry}()" if entry else ""
    return {
        "blocked": f"is blocked with no timeout{inside}",
        "spinning": f"is spinning{inside} (going round a loop, never waiting)",
        "polling": f"is polling{inside} (waking up again and again to look)",
        "sleeping": f"is sleeping or waiting with a timeout{inside}",
        "running": f"is running{inside}",
    }[state]


def explain_hang(outcome) -> dict:
    """The explanation of a hung call (Outcome.hung), kind 'deadlock' or 'hang'."""
    facts = outcome.facts
    label, raw = facts["label"], facts["threads"]
    deadlock = facts["verdict"] == "deadlock"
    threads, lines = [], []
    rows = []
    for t in raw:
        state = _state(t, deadlock)
        where, entry = _where(t["stack"])
        rows.append((t, state, where, entry))
        started = _site(getattr(t["thread"], "_t101_started_at", None))
        threads.append(_thread(t["name"], state, [name for name, _s in t["holds"]],
                               t["waits_for"], where, started))
    cycle = _cycle(raw) if deadlock else []
    if cycle:
        for i in cycle:
            t, _state_, where, _entry = rows[i]
            held = []
            for name, site in t["holds"]:
                taken = _site(site)
                held.append(f"{name} (taken at {taken})" if taken else name)
            waits = t["waits_for"]
            at = f" ({_short_where(where)})" if where else ""
            if held:
                lines.append(f"{_who(t['name'])} holds {', '.join(held)} and waits for {waits}{at}")
            else:
                lines.append(f"{_who(t['name'])} waits for {waits}{at}")
        if len(cycle) == 1:
            summary = ("it waits for a lock it holds itself, forever: a Lock cannot be taken "
                       "twice, not even by the thread that holds it.")
        elif len(cycle) == 2:
            summary = "each waits for the other, forever."
        else:
            summary = "each waits for the next one round the circle, forever."
        others = [rows[i] for i in range(len(rows)) if i not in cycle]
        text = "; ".join(lines) + f": {summary}"
        extra = [f"{_who(t['name'])} {_doing(state, entry)}" + (f" at {where}" if where else "")
                 for t, state, where, entry in others]
        if extra:
            text += "\nMeanwhile " + "; ".join(extra) + "."
        return _result("deadlock", label, summary, f"Why {label} is stuck: {text}", threads)
    for t, state, where, entry in rows:
        line = f"{_who(t['name'])} {_doing(state, entry)}"
        if t["holds"]:
            line += f", holding {', '.join(name for name, _s in t['holds'])}"
        if t["waits_for"]:
            line += f", waiting for {t['waits_for']}"
        lines.append(line + (f" at {where}" if where else ""))
    states = {state for _t, state, _w, _e in rows}
    if deadlock and len(rows) == 1:
        summary = ("its only thread is blocked with no timeout, waiting for something that "
                   "nothing in the call will ever do: it waits forever.")
        kind = "deadlock"
    elif deadlock:
        summary = ("every thread of the call is blocked with no timeout, each waiting for "
                   "something only another of them could do: none will ever go on.")
        kind = "deadlock"
    elif "spinning" in states:
        summary = ("a thread spins: it goes round a loop whose condition never comes true, "
                   "without ever waiting.")
        kind = "hang"
    elif "polling" in states:
        summary = ("a thread polls: it wakes up again and again to look for a change that "
                   "never comes.")
        kind = "hang"
    else:
        summary = "its threads wait for something that does not happen in the time allowed."
        kind = "hang"
    body = "\n".join(f"  - {line}" for line in lines) or "  (no thread of the call is left)"
    text = f"Why {label} {'is stuck' if deadlock else 'did not finish'}: {summary}\n{body}"
    return _result(kind, label, summary, text, threads)


def _short_where(where: str) -> str:
    """'line 5 of your transfer' from 'line 5 of your transfer: with target.lock:'."""
    return where.split(": ", 1)[0]


# --------------------------------------------------------------------------
# Threads left running.
# --------------------------------------------------------------------------
def explain_leftover(outcome) -> dict:
    """The explanation of a call that returned with threads it started still running."""
    label = outcome.label
    threads, lines = [], []
    index = {id(t): i for i, t in enumerate(outcome.threads, 1)}
    for t in outcome.alive_at_return:
        name = _plain_name(t, index.get(id(t)))
        started = _site(getattr(t, "_t101_started_at", None))
        threads.append(_thread(name, "running", started_at=started))
        lines.append(f"  - {_who(name)}" + (f", started at {started}" if started else ""))
    n = len(threads)
    summary = (f"{label} returned while {_count(n)} of the threads it started "
               f"{'was' if n == 1 else 'were'} still running: nothing waited for "
               f"{'it' if n == 1 else 'them'} to finish (join).")
    text = f"{summary}\n" + "\n".join(lines)
    return _result("leftover", label, summary, text, threads)


# --------------------------------------------------------------------------
# Races.
# --------------------------------------------------------------------------
def _access_thread(access, index: dict) -> str:
    thread = getattr(access, "thread", None)
    if thread is None or isinstance(thread, _DummyThread):
        return "the caller"
    return _plain_name(thread, index.setdefault(id(thread), len(index) + 1))


def explain_race(log: list, *, label: str = "", name: str = "value", threads: Any = None,
                 what: str = "update", limit: int = 24) -> dict:
    """The timeline of reads and writes of `name` in watch_attribute's `log`, and the updates
    lost: a write is lost when another thread stores over it a value computed from what it
    read before that write."""
    index: dict[int, int] = {}
    if threads is not None:
        threads = list(threads)
        index = {id(t): i for i, t in enumerate(threads, 1)}
        log = [a for a in log if id(getattr(a, "thread", None)) in index]
    events = [{"thread": _clean(_access_thread(a, index)), "op": "read" if a.kind == "get" else "write",
               "name": name, "value": _clean(_short_repr(a.value, 40))} for a in log]
    # Within a run of the same operation with the same value (threads reading the same value
    # one after the other, or storing the same value), the order carries no meaning and
    # depends on the scheduler: put such runs in the order of the threads' names.
    canonical, i = [], 0
    while i < len(events):
        j = i
        while j < len(events) and (events[j]["op"], events[j]["value"]) == (
                events[i]["op"], events[i]["value"]):
            j += 1
        canonical += sorted(events[i:j], key=lambda e: e["thread"])
        i = j
    events = canonical
    last_read: dict[str, int] = {}
    writes: list[tuple[int, str]] = []
    lost = 0
    for k, e in enumerate(events):
        me = e["thread"]
        if e["op"] == "read":
            last_read[me] = k
            continue
        read = last_read.get(me)
        if read is not None and any(read < w < k and who != me for w, who in writes):
            lost += 1  # it stores what it computed from a value another thread has replaced
        writes.append((k, me))
    shown = events[:limit]
    plural = what if lost == 1 else f"{what}s"
    if lost:
        summary = (f"{_count(lost)} {plural} lost: a thread read {name}, another stored a new "
                   f"{name} before the first stored its own, which overwrote it.")
    else:
        summary = (f"the threads' reads and writes of {name} interleaved: one thread acted "
                   "on what it read while another changed it.")
    steps = []
    for e in shown:
        if e["op"] == "read":
            steps.append(f"  {e['thread']!r} read {name} == {e['value']}")
        else:
            steps.append(f"  {e['thread']!r} stored {e['value']}")
    if len(events) > limit:
        steps.append(f"  ... ({len(events) - limit} more)")
    head = f"What the threads of {label} did with {name}" if label else f"What the threads did with {name}"
    text = f"{head}, in the order it happened:\n" + "\n".join(steps) + f"\n{summary}"
    return _result("race", label, summary, text, events=shown)


# --------------------------------------------------------------------------
# The typed failures that carry an explanation, and its display in the notebook.
# --------------------------------------------------------------------------
#: How many self-checks (`selfcheck`) are running: their failures stay AssertionErrors.
_selfchecking = [0]

#: The MIME type of an explanation displayed in the notebook (a JSON object).
EXPLANATION_MIME = "application/vnd.threads101.explanation+json"


def _failure(cls: type, message: str, explanation: dict | None) -> AssertionError:
    """The typed failure `cls(message)`, carrying `.explanation`.

    Inside a graded IPython kernel the explanation is displayed as structured data
    (with its text as text/plain, which nbgrader's own feedback shows) and the
    message stays short, so the text is not shown twice; in a self-check, or
    outside IPython, the text follows the message instead."""
    if explanation:
        shown = not _selfchecking[0] and _display_explanation(explanation)
        if not shown:
            message = f"{message}\n\n{explanation['text']}" if message else explanation["text"]
    if _selfchecking[0]:
        cls = AssertionError  # a self-check says what is wrong as it always did
    exc = cls(message)
    exc.explanation = explanation
    return exc


def _display_explanation(explanation: dict) -> bool:
    """Display the explanation if this runs in an IPython kernel; True if it did."""
    if "IPython" not in sys.modules:
        return False
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        return False
    try:
        if get_ipython() is None:
            return False
        display({EXPLANATION_MIME: explanation, "text/plain": explanation["text"]}, raw=True)
        return True
    except Exception:
        return False
