"""The pictures of an explanation (threads101.outputs.explain), as inline SVG.

- a race, a hang, leftover threads: the threads as lanes, one column per thread,
  time downwards; one box per read or write with the value seen, then one box per
  thread with its state, what it waits for and where it is;
- a deadlock: the cycle of threads and locks, nodes on a circle, an arrow
  "holds" from each lock to the thread holding it and "waits for" from each
  thread to the lock it waits for (a deadlock that names no lock, threads
  waiting on an event no thread will set, gets the lanes).

Plain string building: every text is XML-escaped (thread names are the
student's), numbers are formatted with one decimal, and nothing depends on a
clock, a hash seed or a font, so the same explanation gives byte-identical SVG.
"""

from __future__ import annotations

import hashlib
import math
import textwrap
from html import escape

from threads101.outputs.explain import Event, Explanation, ThreadView

SVG_NS = "http://www.w3.org/2000/svg"
FONT = "system-ui, -apple-system, Segoe UI, sans-serif"
CHAR_W = 7.0  # a 12px sans-serif character, roughly: wraps text, sizes boxes
LINE_H = 15
MAX_LANES = 8
MAX_ROWS = 60
MAX_NODES = 12
STATE_FILL = {"blocked": "#ffebe9", "spinning": "#fff8c5", "polling": "#fff8c5",
              "running": "#dafbe1", "sleeping": "#eaeef2"}
OP_FILL = {"read": "#ddf4ff", "write": "#fff1e5"}
HOLDS, WAITS = "#1f6feb", "#cf222e"


def esc(text: str) -> str:
    return escape(str(text), quote=True)


def n(x: float) -> str:
    """A coordinate, formatted the same on every run and platform."""
    out = f"{x:.1f}"
    return "0.0" if out == "-0.0" else out


def wrap(text: str, width: float, lines: int = 3) -> list[str]:
    """`text` in lines that fit `width` pixels, at most `lines` of them."""
    chars = max(int(width / CHAR_W), 4)
    out = textwrap.wrap(text, chars, break_long_words=True, break_on_hyphens=False) or [""]
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][:chars - 1] + "…"
    return out


def text(x: float, y: float, lines: list[str], anchor: str = "middle", cls: str = "",
         weight: str = "", fill: str = "") -> str:
    attrs = f' class="{cls}"' if cls else ""
    attrs += f' font-weight="{weight}"' if weight else ""
    attrs += f' fill="{fill}"' if fill else ""
    spans = "".join(f'<tspan x="{n(x)}" dy="{0 if i == 0 else LINE_H}">{esc(line)}</tspan>'
                    for i, line in enumerate(lines))
    return f'<text x="{n(x)}" y="{n(y)}" text-anchor="{anchor}"{attrs}>{spans}</text>'


def _uid(expl: Explanation) -> str:
    return "t101-" + hashlib.sha1(repr(expl).encode("utf-8", "replace")).hexdigest()[:10]


def _svg(expl: Explanation, width: float, height: float, body: list[str], label: str) -> str:
    head = (f'<svg xmlns="{SVG_NS}" class="explain-diagram" width="{n(width)}" height="{n(height)}" '
            f'viewBox="0 0 {n(width)} {n(height)}" role="img" aria-label="{esc(label)}" '
            f'font-family="{FONT}" font-size="12">')
    return "\n".join([head, f"<title>{esc(label)}</title>", *body, "</svg>"])


def _markers(uid: str) -> str:
    marker = ('<marker id="{uid}-{name}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
              'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
              'fill="{color}"/></marker>')
    return ("<defs>" + marker.format(uid=uid, name="holds", color=HOLDS)
            + marker.format(uid=uid, name="waits", color=WAITS)
            + marker.format(uid=uid, name="time", color="#57606a") + "</defs>")


# -- lanes: races, hangs, leftover threads --------------------------------------------------

LANE_W, AXIS_W, HEAD_H, PAD = 210, 56, 44, 10


def _event_lines(event: Event, width: float) -> list[str]:
    if event.op == "read":
        said = f"read {event.name} == {event.value}"
    elif event.op == "write":
        said = f"stored {event.name} = {event.value}"
    else:
        said = f"{event.op} {event.name} {event.value}".strip()
    return wrap(said, width, 2)


def _state_lines(thread: ThreadView, width: float) -> list[str]:
    lines = wrap(thread.state, width, 1)
    if thread.waits_for:
        lines += wrap(f"waits for {thread.waits_for}", width, 2)
    if thread.holds:
        lines += wrap("holds " + ", ".join(thread.holds), width, 2)
    if thread.where:
        lines += wrap(f"at {thread.where}", width, 4)
    if thread.started_at:
        lines += wrap(f"started at {thread.started_at}", width, 3)
    return lines


def lanes(expl: Explanation) -> str:
    names: list[str] = []
    for name in [t.name for t in expl.threads] + [e.thread for e in expl.events]:
        if name not in names:
            names.append(name)
    shown = names[:MAX_LANES]
    column = {name: i for i, name in enumerate(shown)}
    events = [e for e in expl.events if e.thread in column][:MAX_ROWS]
    threads = [t for t in expl.threads if t.name in column]
    uid = _uid(expl)
    inner = LANE_W - 2 * PAD
    width = AXIS_W + LANE_W * max(len(shown), 1) + PAD
    body = [_markers(uid)]
    for name, i in column.items():
        x = AXIS_W + i * LANE_W + LANE_W / 2
        body.append(text(x, 22, wrap(name, inner, 1), weight="bold", cls="lane-name"))
    y = HEAD_H
    boxes = []
    for event in events:
        lines = _event_lines(event, inner - 8)
        h = LINE_H * len(lines) + 12
        x = AXIS_W + column[event.thread] * LANE_W + PAD
        boxes.append(f'<g class="event {esc(event.op)}"><rect x="{n(x)}" y="{n(y)}" width="{n(inner)}" '
                     f'height="{n(h)}" rx="4" fill="{OP_FILL.get(event.op, "#f6f8fa")}" stroke="#8c959f"/>'
                     + text(x + inner / 2, y + 18, lines) + "</g>")
        y += h + 8
    if threads and (expl.kind in ("hang", "leftover") or not events
                    or any(t.where or t.waits_for for t in threads)):
        row_h = max(LINE_H * len(_state_lines(t, inner - 8)) + 12 for t in threads)
        for t in threads:
            x = AXIS_W + column[t.name] * LANE_W + PAD
            lines = _state_lines(t, inner - 8)
            boxes.append(f'<g class="state {esc(t.state)}"><rect x="{n(x)}" y="{n(y)}" width="{n(inner)}" '
                         f'height="{n(row_h)}" rx="4" fill="{STATE_FILL.get(t.state, "#f6f8fa")}" '
                         f'stroke="#57606a"/>' + text(x + inner / 2, y + 18, lines[:1], weight="bold")
                         + (text(x + inner / 2, y + 18 + LINE_H, lines[1:]) if lines[1:] else "") + "</g>")
        y += row_h + 8
    bottom = max(y, HEAD_H + 40)
    for i in range(len(shown)):
        x = AXIS_W + i * LANE_W + LANE_W / 2
        body.append(f'<line x1="{n(x)}" y1="{n(HEAD_H - 10)}" x2="{n(x)}" y2="{n(bottom)}" '
                    f'stroke="#d0d7de" stroke-dasharray="4 4"/>')
    body.append(f'<line x1="24" y1="{n(HEAD_H - 10)}" x2="24" y2="{n(bottom)}" stroke="#57606a" '
                f'marker-end="url(#{uid}-time)"/>')
    body.append(f'<text x="16" y="{n(HEAD_H + 20)}" transform="rotate(-90 16 {n(HEAD_H + 20)})" '
                f'text-anchor="end" fill="#57606a">time</text>')
    body += boxes
    height = bottom + PAD
    left = len(names) - len(shown)
    if left or len(events) < sum(e.thread in column for e in expl.events):
        note = f"{left} more thread(s) not drawn" if left else "later events not drawn"
        body.append(text(AXIS_W, height + 6, [note], anchor="start", cls="note"))
        height += 20
    label = f"{expl.kind}: {', '.join(shown)}" if shown else expl.kind
    return _svg(expl, width, height, body, label)


# -- the cycle of a deadlock -------------------------------------------------------------------

THREAD_W, LOCK_W, NODE_H = 150, 120, 32


def _in_no_cycle(t: ThreadView) -> bool:
    """A thread that holds and waits for no lock (the caller joining the others)."""
    return not t.holds and t.waits_for is None


def _cycle_order(threads: tuple[ThreadView, ...]) -> list[tuple[str, str]]:
    """The nodes (("thread", name) or ("lock", name)), each wait-for cycle's in its order."""
    holder: dict[str, str] = {}
    for t in threads:
        for lock in t.holds:
            holder.setdefault(lock, t.name)
    waits = {t.name: t.waits_for for t in threads}
    order: list[tuple[str, str]] = []
    for t in threads:
        if _in_no_cycle(t):
            continue  # noted under the picture
        name = t.name
        while ("thread", name) not in order:
            order.append(("thread", name))
            lock = waits.get(name)
            if lock is None or ("lock", lock) in order:
                break
            order.append(("lock", lock))
            if lock not in holder:
                break
            name = holder[lock]
    for t in threads:
        for lock in (*t.holds, t.waits_for):
            if lock is not None and ("lock", lock) not in order:
                order.append(("lock", lock))
    return order


def _edge(a: tuple[float, float, float], b: tuple[float, float, float], color: str, marker: str,
          label: str, dashed: bool) -> str:
    """A curved arrow from node a to node b ((x, y, half width)), bent to its left."""
    (ax, ay, aw), (bx, by, bw) = a, b
    dx, dy = bx - ax, by - ay
    length = math.hypot(dx, dy) or 1.0
    ux, uy = dx / length, dy / length
    px, py = uy, -ux  # the left of the direction of travel (y grows downwards)

    def border(w: float) -> float:
        return min(w / abs(ux) if ux else math.inf, (NODE_H / 2) / abs(uy) if uy else math.inf)

    sx, sy = ax + ux * border(aw) + px * 6, ay + uy * border(aw) + py * 6
    ex, ey = bx - ux * (border(bw) + 2) + px * 6, by - uy * (border(bw) + 2) + py * 6
    mx, my = (sx + ex) / 2 + px * 18, (sy + ey) / 2 + py * 18
    dash = ' stroke-dasharray="6 4"' if dashed else ""
    lx, ly = (sx + ex) / 2 + px * 22, (sy + ey) / 2 + py * 22 + 4
    return (f'<g class="edge {label.replace(" ", "-")}"><path d="M{n(sx)},{n(sy)} Q{n(mx)},{n(my)} '
            f'{n(ex)},{n(ey)}" fill="none" stroke="{color}" stroke-width="2"{dash} '
            f'marker-end="url(#{marker})"/>' + text(lx, ly, [label], cls="edge-label", fill=color) + "</g>")


def cycle(expl: Explanation) -> str:
    order = _cycle_order(expl.threads)
    shown = order[:MAX_NODES]
    count = len(shown)
    radius = 0.0 if count == 1 else max(110.0, count * 190 / (2 * math.pi))
    margin_x, margin_y = THREAD_W / 2 + 40, NODE_H / 2 + 30
    cx, cy = radius + margin_x, radius + margin_y
    place: dict[tuple[str, str], tuple[float, float, float]] = {}
    for i, node in enumerate(shown):
        angle = -math.pi / 2 + 2 * math.pi * i / count
        half = (THREAD_W if node[0] == "thread" else LOCK_W) / 2
        place[node] = (cx + radius * math.cos(angle), cy + radius * math.sin(angle), half)
    uid = _uid(expl)
    body = [_markers(uid)]
    for t in expl.threads:
        for lock in t.holds:
            if ("lock", lock) in place and ("thread", t.name) in place:
                body.append(_edge(place[("lock", lock)], place[("thread", t.name)], HOLDS,
                                  f"{uid}-holds", "holds", dashed=False))
        if t.waits_for is not None and ("lock", t.waits_for) in place and ("thread", t.name) in place:
            body.append(_edge(place[("thread", t.name)], place[("lock", t.waits_for)], WAITS,
                              f"{uid}-waits", "waits for", dashed=True))
    where = {t.name: t for t in expl.threads}
    for (what, name), (x, y, half) in place.items():
        if what == "thread":
            t = where[name]
            tip = "; ".join(p for p in (t.state, t.where and f"at {t.where}") if p)
            body.append(f'<g class="node thread"><title>{esc(f"thread {name}: {tip}")}</title>'
                        f'<rect x="{n(x - half)}" y="{n(y - NODE_H / 2)}" width="{n(2 * half)}" '
                        f'height="{NODE_H}" rx="16" fill="#ddf4ff" stroke="#0969da" stroke-width="1.5"/>'
                        + text(x, y + 4, wrap(name, 2 * half - 16, 1), weight="bold") + "</g>")
        else:
            body.append(f'<g class="node lock"><title>{esc(f"lock {name}")}</title>'
                        f'<rect x="{n(x - half)}" y="{n(y - NODE_H / 2)}" width="{n(2 * half)}" '
                        f'height="{NODE_H}" rx="3" fill="#fff8c5" stroke="#9a6700" stroke-width="1.5"/>'
                        + text(x, y + 4, wrap(name, 2 * half - 12, 1)) + "</g>")
    width = 2 * cx
    height = 2 * cy
    legend_y = height + 4
    body.append(f'<g class="legend"><line x1="12" y1="{n(legend_y)}" x2="44" y2="{n(legend_y)}" '
                f'stroke="{HOLDS}" stroke-width="2" marker-end="url(#{uid}-holds)"/>'
                + text(50, legend_y + 4, ["lock → thread: the thread holds the lock"], anchor="start")
                + f'<line x1="12" y1="{n(legend_y + 20)}" x2="44" y2="{n(legend_y + 20)}" '
                f'stroke="{WAITS}" stroke-width="2" stroke-dasharray="6 4" marker-end="url(#{uid}-waits)"/>'
                + text(50, legend_y + 24, ["thread → lock: the thread waits for the lock"],
                       anchor="start") + "</g>")
    height = legend_y + 36
    width = max(width, 340)
    aside = [t.name for t in expl.threads if _in_no_cycle(t)]
    if aside:
        body.append(text(12, height + 8, wrap("also blocked, holding and waiting for no lock: "
                                              + ", ".join(aside), width - 24, 2),
                         anchor="start", cls="note"))
        height += 40
    if len(order) > count:
        body.append(text(12, height, [f"{len(order) - count} more node(s) not drawn"], anchor="start",
                         cls="note"))
        height += 16
    label = "deadlock: " + ", ".join(name for what, name in shown if what == "thread")
    return _svg(expl, width, height, body, label)


def render(expl: Explanation | None) -> str:
    """The explanation's picture as an <svg> element ("" when it has nothing to draw)."""
    if expl is None or not (expl.threads or expl.events):
        return ""
    if expl.kind == "deadlock" and any(t.holds or t.waits_for for t in expl.threads):
        return cycle(expl)
    return lanes(expl)  # a deadlock without locks (a thread waiting on an event): where it is
