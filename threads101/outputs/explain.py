"""Explanations of concurrency failures, as the hidden tests leave them in a graded cell.

When a hidden test fails with a deadlock, a race, a hang or leftover threads, it
displays, before its error, a `display_data` output whose data has the MIME type
`MIME` (and `text/plain`, the same explanation as text, for nbgrader's own
feedback and the notebook). Its JSON (version 1)::

    {"version": 1, "kind": "deadlock" | "race" | "hang" | "leftover",
     "call": "transfer(a, b, 10)", "summary": "each waits for the other, forever.",
     "text": "the whole explanation as plain text",
     "threads": [{"name": ..., "state": "blocked" | "spinning" | "polling" | "running"
                  | "sleeping", "holds": [lock, ...], "waits_for": lock or null,
                  "where": "line 5 of your transfer: ..." or null, "started_at": ... or null}],
     "events": [{"thread": ..., "op": "read" | "write", "name": "value", "value": "0"}]}

`explanation_of(outputs)` reads it: an absent, malformed or unknown-version
explanation is None (the feedback is then what it was without one), never an
error. Every string is made safe to write as UTF-8 XML (control characters and
lone surrogates replaced); escaping is left to whoever renders it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

# The schema is the kernel side's (threads101.kernel.explain builds it): one definition.
from threads101.kernel.explain import EXPLANATION_MIME as MIME
from threads101.kernel.explain import VERSION

KINDS = ("deadlock", "race", "hang", "leftover")
#: Longest string kept of any field (the text: TEXT_LIMIT), and most threads and events kept.
FIELD_LIMIT, TEXT_LIMIT = 300, 20_000
MAX_THREADS, MAX_EVENTS = 64, 400

#: Characters XML 1.0 forbids (and lone surrogates, which UTF-8 cannot encode).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def clean(text: str, limit: int = FIELD_LIMIT) -> str:
    text = _NOT_XML.sub("\ufffd", text)
    return text if len(text) <= limit else text[:limit - 1] + "…"


@dataclass(frozen=True)
class ThreadView:
    name: str
    state: str = "running"
    holds: tuple[str, ...] = ()
    waits_for: str | None = None
    where: str | None = None
    started_at: str | None = None


@dataclass(frozen=True)
class Event:
    thread: str
    op: str  # "read" or "write"
    name: str
    value: str


@dataclass(frozen=True)
class Explanation:
    kind: str  # one of KINDS
    call: str
    summary: str
    text: str
    threads: tuple[ThreadView, ...] = ()
    events: tuple[Event, ...] = ()

    @property
    def css_class(self) -> str:
        return f"explain-{self.kind}"


class _Malformed(ValueError):
    pass


def _str(obj: dict, key: str, limit: int = FIELD_LIMIT, optional: bool = False,
         default: str = "") -> str | None:
    value = obj.get(key)
    if value is None:
        if optional:
            return None
        return default
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise _Malformed(key)
    return clean(str(value), limit)


def _list(obj: dict, key: str) -> list:
    value = obj.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise _Malformed(key)
    return value


def _thread(obj) -> ThreadView:
    if not isinstance(obj, dict) or not isinstance(obj.get("name"), str):
        raise _Malformed("thread")
    return ThreadView(
        name=_str(obj, "name"), state=_str(obj, "state", default="running") or "running",
        holds=tuple(_str({"h": h}, "h") for h in _list(obj, "holds")),
        waits_for=_str(obj, "waits_for", optional=True), where=_str(obj, "where", optional=True),
        started_at=_str(obj, "started_at", optional=True))


def _event(obj) -> Event:
    if not isinstance(obj, dict) or not isinstance(obj.get("thread"), str):
        raise _Malformed("event")
    return Event(thread=_str(obj, "thread"), op=_str(obj, "op", default="read"),
                 name=_str(obj, "name"), value=_str(obj, "value"))


def parse(data) -> Explanation | None:
    """An explanation from its JSON (a dict, or the JSON text); None if it is not one."""
    if isinstance(data, (str, bytes)):
        try:
            data = json.loads(data)
        except (ValueError, RecursionError):
            return None
    if not isinstance(data, dict) or data.get("version") != VERSION or isinstance(data.get("version"), bool):
        return None
    if data.get("kind") not in KINDS:
        return None
    try:
        threads = _list(data, "threads")
        events = _list(data, "events")
        return Explanation(
            kind=data["kind"], call=_str(data, "call"), summary=_str(data, "summary", TEXT_LIMIT),
            text=_str(data, "text", TEXT_LIMIT),
            threads=tuple(_thread(t) for t in threads[:MAX_THREADS]),
            events=tuple(_event(e) for e in events[:MAX_EVENTS]))
    except _Malformed:
        return None


def explanation_of(outputs) -> Explanation | None:
    """The first well-formed explanation among a cell's outputs, or None."""
    for out in outputs or []:
        if not isinstance(out, dict) or out.get("output_type") not in ("display_data", "execute_result"):
            continue
        data = out.get("data")
        if isinstance(data, dict) and MIME in data:
            found = parse(data[MIME])
            if found is not None:
                return found
    return None
