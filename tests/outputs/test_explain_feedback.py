"""Explanations of concurrency failures (issue 13), outputs side: read from a graded cell's
outputs, drawn as SVG, shown in the feedback page and nbgrader's own feedback, counted in
the class report. The cells are built here with nbformat; nothing is graded again (the
feedback and report tests reuse the pipeline_course fixture)."""

import copy
import html
import json
import re
import shutil
import xml.etree.ElementTree as ET

import nbformat
import pytest
from conftest import NB1

from threads101 import course as C
from threads101.grading.gradebook import sqlite_url
from threads101.outputs.diagrams import render
from threads101.outputs.explain import MIME, explanation_of, parse
from threads101.outputs.feedback import Section, render_page, result_of, write_feedback
from threads101.outputs.outcomes import Kind, outcome_of
from threads101.outputs.report import StudentRow, by_kind, write_report

SVG = "{http://www.w3.org/2000/svg}"


def thread(name, state="blocked", holds=(), waits_for=None, where=None, started_at=None):
    return {"name": name, "state": state, "holds": list(holds), "waits_for": waits_for,
            "where": where, "started_at": started_at}


DEADLOCK = {
    "version": 1, "kind": "deadlock", "call": "transfer(a, b, 10)",
    "summary": "each waits for the other, forever.",
    "text": "thread transfer-0 holds a.lock (taken at line 4 of your transfer: with source.lock:)\n"
            "and waits for b.lock (line 5);\nthread transfer-1 holds b.lock and waits for a.lock.",
    "threads": [thread("transfer-0", holds=["a.lock"], waits_for="b.lock",
                       where="line 5 of your transfer: with target.lock:"),
                thread("transfer-1", holds=["b.lock"], waits_for="a.lock",
                       where="line 5 of your transfer: with target.lock:")],
    "events": []}
RACE = {
    "version": 1, "kind": "race", "call": "Counter().increment() in 2 threads",
    "summary": "one increment lost.",
    "text": "increment-0 read value == 0\nincrement-1 read value == 0\nincrement-0 stored 1\n"
            "increment-1 stored 1: one increment lost.",
    "threads": [thread("increment-0", "running"), thread("increment-1", "running")],
    "events": [{"thread": f"increment-{i % 2}", "op": op, "name": "value", "value": v}
               for i, (op, v) in enumerate([("read", "0"), ("read", "0"), ("write", "1"),
                                            ("write", "1")])]}
HANG = {
    "version": 1, "kind": "hang", "call": "consume_until_sentinel(q, handle)",
    "summary": "nothing will ever be put again.",
    "text": "consumer-0 is blocked in q.get() with no timeout at line 7 of your "
            "consume_until_sentinel: nothing will ever be put again.",
    "threads": [thread("consumer-0", waits_for="q.get()",
                       where="line 7 of your consume_until_sentinel: item = q.get()"),
                thread("consumer-1", "polling", where="line 9 of your consume_until_sentinel")],
    "events": []}
LEFTOVER = {
    "version": 1, "kind": "leftover", "call": "threaded_count(100, 3)",
    "summary": "3 threads it started are still running.", "text": "Thread-1 ... Thread-3",
    "threads": [thread(f"Thread-{i}", "running",
                       started_at="line 3 of your threaded_count: t.start()") for i in (1, 2, 3)],
    "events": []}
SAMPLES = {"deadlock": DEADLOCK, "race": RACE, "hang": HANG, "leftover": LEFTOVER}
ENAME = {"deadlock": "Deadlock", "race": "RaceLost", "hang": "Hang", "leftover": "LeftoverThreads"}
KIND = {"deadlock": Kind.DEADLOCK, "race": Kind.RACE, "hang": Kind.HANG, "leftover": Kind.LEFTOVER}


def explained(data, ename="Deadlock", evalue="transfer(a, b, 10) is deadlocked"):
    """A failed graded cell's outputs as the hidden tests leave them: the explanation, then the error."""
    shown = data.get("text", "") if isinstance(data, dict) else "explanation"
    return [nbformat.v4.new_output("display_data", data={MIME: data, "text/plain": shown}),
            nbformat.v4.new_output("error", ename=ename, evalue=evalue, traceback=["tb"])]


def plain_failure(ename="Deadlock", evalue="transfer(a, b, 10) is deadlocked"):
    return [nbformat.v4.new_output("error", ename=ename, evalue=evalue, traceback=["tb"])]


def page_of(outputs, grade_id="transfer_opposite") -> str:
    section = Section("Exercise transfer", code="def transfer(source, target, amount): ...")
    section.tests.append(result_of(grade_id, "transfers in opposite directions finish", 0, 2, outputs))
    return render_page("alice", "02_race_conditions_and_locks", [section], 0, 2)


def explain_divs(page: str) -> list[tuple[str, str]]:
    """(class, inner html) of each explanation element of a page."""
    return re.findall(r'<div class="explain (explain-[a-z]+)">(.*?)</div>\s*(?=<div class="msg"|</div>)',
                      page, re.S)


def svgs(page: str) -> list[ET.Element]:
    return [ET.fromstring(s) for s in re.findall(r"<svg .*?</svg>", page, re.S)]


def texts(svg: ET.Element) -> str:
    return "\n".join("".join(e.itertext()) for e in svg.iter() if e.tag in (SVG + "text", SVG + "title"))


# -- reading explanations ---------------------------------------------------------------------

@pytest.mark.parametrize("kind", list(SAMPLES))
def test_explanations_are_read_and_attached_to_the_outcome(kind):
    outcome = outcome_of(explained(SAMPLES[kind], ENAME[kind]))
    assert outcome.kind is KIND[kind]
    assert outcome.explanation is not None and outcome.explanation.kind == kind
    assert outcome.explanation.summary == SAMPLES[kind]["summary"]
    assert [t.name for t in outcome.explanation.threads] == [t["name"] for t in SAMPLES[kind]["threads"]]
    assert outcome.message.startswith(ENAME[kind] + ":")  # the message is what it was


def test_json_text_is_read_too():
    assert parse(json.dumps(RACE)) == parse(RACE)


MALFORMED = [
    None, 3, "not json {", "[1, 2]", [], {},
    {**DEADLOCK, "version": 2}, {**DEADLOCK, "version": "1"}, {**DEADLOCK, "version": True},
    {k: v for k, v in DEADLOCK.items() if k != "version"},
    {**DEADLOCK, "kind": "livelock"}, {**DEADLOCK, "kind": None},
    {**DEADLOCK, "threads": "transfer-0"}, {**DEADLOCK, "threads": [{"state": "blocked"}]},
    {**DEADLOCK, "threads": [{"name": 7}]}, {**DEADLOCK, "threads": [{**DEADLOCK["threads"][0], "holds": "a"}]},
    {**DEADLOCK, "threads": [{**DEADLOCK["threads"][0], "holds": [{"x": 1}]}]},
    {**RACE, "events": [{"op": "read"}]}, {**RACE, "events": {"thread": "x"}},
    {**DEADLOCK, "summary": {"nested": "dict"}}, {**DEADLOCK, "call": ["a"]},
]


@pytest.mark.parametrize("data", MALFORMED, ids=range(len(MALFORMED)))
def test_malformed_or_unknown_explanations_are_none(data):
    assert parse(data) is None
    outcome = outcome_of(explained(data))
    assert outcome.kind is Kind.DEADLOCK and outcome.explanation is None


def test_absent_explanations_and_other_outputs():
    assert explanation_of([]) is None and explanation_of(None) is None
    assert outcome_of(plain_failure()).explanation is None
    other = [nbformat.v4.new_output("display_data", data={"text/plain": "x"}),
             nbformat.v4.new_output("stream", name="stdout", text="hello"),
             {"output_type": "display_data", "data": "not a dict"}, "not an output"]
    assert explanation_of(other) is None
    # the first well-formed one counts
    outputs = explained({**DEADLOCK, "version": 9})[:1] + explained(HANG, "Hang")
    assert explanation_of(outputs).kind == "hang"
    # a cell that passed has no explanation to show, even if one was displayed
    passed = outcome_of(explained(HANG)[:1])
    assert passed.passed and passed.explanation is None


def test_strings_are_made_safe_for_xml_and_utf8():
    nasty = {**HANG, "threads": [thread("bad\x00name\x1b[31m\ud800", where="x\x0by")]}
    expl = parse(nasty)
    name = expl.threads[0].name
    assert "\x00" not in name and "\ud800" not in name and "\x1b" not in name
    svg = render(expl)
    ET.fromstring(svg)
    svg.encode("utf-8")
    page_of(explained(nasty, "Hang")).encode("utf-8")


def test_huge_explanations_are_bounded():
    many = {**RACE, "threads": [thread(f"t{i}", "running") for i in range(500)],
            "events": [{"thread": f"t{i % 500}", "op": "write", "name": "v", "value": "x" * 5000}
                       for i in range(5000)]}
    svg = render(parse(many))
    ET.fromstring(svg)
    assert len(svg) < 200_000 and "more thread(s) not drawn" in svg


# -- the pictures ---------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", list(SAMPLES))
def test_svg_parses_and_is_deterministic(kind):
    svg = render(parse(SAMPLES[kind]))
    root = ET.fromstring(svg)
    assert root.tag == SVG + "svg"
    assert render(parse(copy.deepcopy(SAMPLES[kind]))) == svg
    assert render(parse(json.loads(json.dumps(SAMPLES[kind])))) == svg
    shown = texts(root)
    for t in SAMPLES[kind]["threads"]:
        assert t["name"] in shown


def test_deadlock_is_the_cycle_of_threads_and_locks():
    root = ET.fromstring(render(parse(DEADLOCK)))
    nodes = {g.get("class"): [] for g in root.iter(SVG + "g")}
    for g in root.iter(SVG + "g"):
        nodes[g.get("class")].append("".join(t for e in g.iter(SVG + "text") for t in e.itertext()))
    assert sorted(nodes["node thread"]) == ["transfer-0", "transfer-1"]
    assert sorted(nodes["node lock"]) == ["a.lock", "b.lock"]
    assert nodes["edge holds"] == ["holds", "holds"]  # lock -> the thread holding it
    assert nodes["edge waits-for"] == ["waits for", "waits for"]  # thread -> the lock it waits for
    # the nodes go round the cycle: transfer-0, b.lock, transfer-1, a.lock
    order = [("".join(g.find(SVG + "text").itertext()), float(g.find(SVG + "rect").get("x")),
              float(g.find(SVG + "rect").get("y"))) for g in root.iter(SVG + "g")
             if g.get("class", "").startswith("node")]
    top = min(order, key=lambda node: node[2])
    assert top[0] == "transfer-0"


def test_a_thread_in_no_cycle_is_noted_not_drawn_as_a_node():
    joining = {**DEADLOCK, "threads": [thread("the caller", where="line 9: t.join()"),
                                       *DEADLOCK["threads"]]}
    root = ET.fromstring(render(parse(joining)))
    names = ["".join(g.find(SVG + "text").itertext()) for g in root.iter(SVG + "g")
             if g.get("class") == "node thread"]
    assert sorted(names) == ["transfer-0", "transfer-1"]  # no node without an edge
    notes = " ".join("".join(e.itertext()) for e in root.iter(SVG + "text")
                     if e.get("class") == "note")
    assert "the caller" in notes


def test_a_lock_taken_twice_is_a_cycle_of_one_thread_and_one_lock():
    twice = {**DEADLOCK, "threads": [thread("worker", holds=["c.lock"], waits_for="c.lock")]}
    root = ET.fromstring(render(parse(twice)))
    classes = [g.get("class") for g in root.iter(SVG + "g")]
    assert classes.count("node thread") == 1 and classes.count("node lock") == 1
    assert classes.count("edge holds") == 1 and classes.count("edge waits-for") == 1


def test_race_is_lanes_with_the_values_seen():
    root = ET.fromstring(render(parse(RACE)))
    events = [("".join(g.itertext()), float(g.find(SVG + "rect").get("x")), float(g.find(SVG + "rect").get("y")))
              for g in root.iter(SVG + "g") if g.get("class", "").startswith("event")]
    assert [e[0] for e in events] == ["read value == 0", "read value == 0", "stored value = 1",
                                      "stored value = 1"]
    assert [e[1] for e in events][::2] == [events[0][1]] * 2  # increment-0's column
    assert events[0][1] != events[1][1]  # increment-1's
    assert [e[2] for e in events] == sorted(e[2] for e in events)  # time downwards


@pytest.mark.parametrize("kind", ["hang", "leftover"])
def test_hang_and_leftover_show_each_threads_state_and_place(kind):
    shown = texts(ET.fromstring(render(parse(SAMPLES[kind]))))
    for t in SAMPLES[kind]["threads"]:
        assert t["state"] in shown
    if kind == "hang":
        assert "waits for q.get()" in shown and "line 7 of your" in shown
    else:
        assert "started at line 3 of your" in shown


def test_names_are_escaped():
    evil = "<script>alert('x')</script>&amp;\"quoted\""
    data = {**DEADLOCK, "call": evil, "summary": evil, "text": evil,
            "threads": [thread(evil, holds=[evil + "lock"], waits_for=evil + "lock", where=evil)]}
    svg = render(parse(data))
    assert "<script" not in svg
    assert evil in texts(ET.fromstring(svg))  # shown as text (a node's title holds it whole)
    race = {**RACE, "events": [{"thread": evil, "op": evil, "name": evil, "value": evil}]}
    assert "<script" not in render(parse(race))
    ET.fromstring(render(parse(race)))
    page = page_of(explained(data))
    assert "<script" not in page
    assert evil in html.unescape(re.sub(r"<[^>]+>", "", page))


# -- the feedback page ------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", list(SAMPLES))
def test_feedback_shows_the_explanation(kind):
    page = page_of(explained(SAMPLES[kind], ENAME[kind], "the call failed"))
    divs = explain_divs(page)
    assert [cls for cls, _ in divs] == [f"explain-{kind}"]
    inner = divs[0][1]
    assert html.escape(SAMPLES[kind]["summary"]) in inner
    for line in SAMPLES[kind]["text"].splitlines():
        assert html.escape(line, quote=False) in inner
    (svg,) = svgs(inner)
    assert svg.tag == SVG + "svg"
    assert f"{ENAME[kind]}: the call failed" in page  # the message is still there
    assert page_of(explained(SAMPLES[kind], ENAME[kind], "the call failed")) == page


@pytest.mark.parametrize("data", MALFORMED[:8], ids=range(8))
def test_feedback_without_a_good_explanation_is_todays(data):
    assert page_of(explained(data)) == page_of(plain_failure())
    assert "explain-" not in page_of(plain_failure())


def test_a_passed_test_shows_no_explanation():
    page = page_of(explained(RACE)[:1])
    assert "explain-" not in page and "<svg" not in page


def test_written_feedback_of_the_class_shows_an_injected_explanation(pipeline_course, tmp_path):
    """The sample class's hanging student, its cells' explanations taken out, then one put
    into a failing cell as a hidden test would: its feedback page gets that explain-hang
    element, and nothing else changes."""
    course = tmp_path / "course"
    shutil.copytree(pipeline_course[0], course)
    path = course / "autograded" / "hangs" / C.ASSIGNMENT / f"{NB1}.ipynb"
    page = course / "feedback" / "hangs" / C.ASSIGNMENT / f"{NB1}.html"
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs if MIME not in o.get("data", {})]
    nbformat.write(nb, path)
    write_feedback(course, "hangs", sqlite_url(course))
    plain = page.read_text()
    assert "explain-" not in plain
    failing = [c for c in nb.cells if C.is_test(c)
               and any(o.get("output_type") == "error" for o in c.outputs)]
    assert failing
    cell = failing[0]
    index = next(i for i, o in enumerate(cell.outputs) if o.get("output_type") == "error")
    cell.outputs.insert(index, explained(HANG)[0])
    nbformat.write(nb, path)
    write_feedback(course, "hangs", sqlite_url(course))
    text = page.read_text()
    assert [cls for cls, _ in explain_divs(text)] == ["explain-hang"]
    assert svgs(text)
    assert re.sub(r'<div class="explain explain-hang">.*?</div>\s*(?=<div class="msg")', "",
                  text, flags=re.S) == plain


def test_the_hidden_tests_explanations_are_read_and_drawn(pipeline_course):
    """Whatever explanations the hidden tests left in the sample class's autograded notebooks
    follow the schema: each is read (not dropped as malformed) and drawn as valid SVG, and
    its text is not repeated in the failure's message."""
    course, _ = pipeline_course
    for path in sorted((course / "autograded").glob(f"*/{C.ASSIGNMENT}/*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            for out in cell.get("outputs", []) if C.is_graded_code(cell) else []:
                if MIME in out.get("data", {}):
                    expl = parse(out["data"][MIME])
                    assert expl is not None, (path, out["data"][MIME])
                    assert outcome_of(cell.outputs).explanation == expl
                    # shown once: as the display's text/plain, not again in the error message
                    assert not [o for o in cell.outputs if o.get("output_type") == "error"
                                and expl.text.strip() in str(o.get("evalue", ""))], path
                    svg = render(expl)
                    if svg:
                        ET.fromstring(svg)


# -- nbgrader's own feedback --------------------------------------------------------------------

def test_nbgrader_feedback_keeps_the_explanation_text_and_hides_the_test():
    from nbconvert import HTMLExporter

    from threads101.grading.release import hidden_test_lines
    from threads101.outputs.nbgrader_feedback import HIDDEN, HideHiddenTests

    nb2 = "02_race_conditions_and_locks"
    source = C.source_notebook(nb2)
    test = next(c for c in source.cells if C.nbgrader_meta(c).get("grade_id") == "transfer_opposite")
    hidden = "\n".join(C.region(test.source, C.HIDDEN_BEGIN, C.HIDDEN_END))
    secret = sorted(line for line in hidden_test_lines(C.REPO) if line in hidden and len(line) > 30)
    assert secret
    leaky = {**DEADLOCK, "text": DEADLOCK["text"] + "\n" + secret[0]}
    cell = nbformat.v4.new_code_cell(test.source, metadata=copy.deepcopy(test.metadata),
                                     execution_count=5)
    cell.outputs = [nbformat.v4.new_output("display_data",
                                           data={MIME: leaky, "text/plain": leaky["text"]}),
                    *plain_failure()]
    student = nbformat.v4.new_code_cell("def transfer(source, target, amount): ...", execution_count=4)
    nb = nbformat.v4.new_notebook(cells=[student, cell])
    nb, _ = HideHiddenTests(course_root=str(C.REPO)).preprocess(nb, {})
    data = nb.cells[1].outputs[0]["data"]
    assert secret[0] not in data["text/plain"] and HIDDEN in data["text/plain"]
    assert secret[0] not in json.dumps(data[MIME]) and HIDDEN in data[MIME]["text"]
    assert parse(data[MIME]).kind == "deadlock"  # still an explanation
    body, _ = HTMLExporter().from_notebook_node(nb)
    text = html.unescape(re.sub(r"<[^>]+>", "", body))
    for line in DEADLOCK["text"].splitlines():
        assert line in text  # nbconvert shows the text/plain
    assert not [line for line in secret if line in text]


# -- the class report ------------------------------------------------------------------------------

def test_by_kind_counts_students_per_exercise_and_kind():
    rows = []
    for i in range(14):
        row = StudentRow(f"s{i:02}")
        if i < 5:
            row.kinds |= {("transfer", Kind.DEADLOCK)}
        if i in (0, 7):
            row.kinds |= {("counter", Kind.RACE), ("transfer", Kind.WRONG)}
        rows.append(row)
    table = by_kind(rows)
    assert table.exercises == ["counter", "transfer"]  # the course's order
    assert table.kinds == [Kind.WRONG, Kind.RACE, Kind.DEADLOCK]  # Kind's order
    assert table.count("transfer", Kind.DEADLOCK) == 5
    assert table.students[("counter", Kind.RACE)] == ["s00", "s07"]
    assert table.count("counter", Kind.DEADLOCK) == 0


def test_report_shows_what_went_wrong_by_kind_and_exercise(pipeline_course, tmp_path):
    course, results = pipeline_course
    page = write_report(course, sqlite_url(course), tmp_path / "report.html", results).read_text()
    assert "What went wrong, by kind and by exercise" in page
    table = page.split('<table id="by-kind">')[1].split("</table>")[0]
    cells = {(e, k): (int(v) if v else 0, title) for e, k, title, v in re.findall(
        r'<td class="n[^"]*" data-exercise="([^"]+)" data-kind="([^"]+)"(?: title="([^"]*)")?>(\d*)</td>',
        table)}
    assert cells
    # the expected counts, from the autograded notebooks' typed outcomes
    expected = {}
    for student in results:
        path = course / "autograded" / student / C.ASSIGNMENT / f"{NB1}.ipynb"
        if not path.exists():
            continue
        nb = nbformat.read(path, as_version=4)
        seen = set()
        for cell in nb.cells:
            if C.is_test(cell):  # the report counts tests, not the 0-point self-checks
                kind = outcome_of(cell.outputs).kind
                if kind is not Kind.PASSED:
                    seen.add((C.exercise_of(C.nbgrader_meta(cell)["grade_id"]), kind.value))
        for pair in seen:
            expected.setdefault(pair, set()).add(student)
    got = {pair: v for pair, (v, _) in cells.items() if v}
    assert got == {pair: len(s) for pair, s in expected.items()}
    blank = cells[("threaded_count", Kind.NOT_IMPLEMENTED.value)]
    assert "blank" in blank[1].split(", ")
    assert any(k in (Kind.HANG.value, Kind.DEADLOCK.value) and "hangs" in (title or "").split(", ")
               for (e, k), (_, title) in cells.items() if e == "run_in_threads")


def test_a_message_quoting_the_explanation_shows_it_once():
    evalue = "transfer(a, b, 10) is deadlocked (seen after 0.1 s).\n\n" + DEADLOCK["text"]
    page = page_of(explained(DEADLOCK, "Deadlock", evalue))
    first = DEADLOCK["text"].splitlines()[0]
    assert page.count(html.escape(first, quote=False)) == 1
    assert "Deadlock: transfer(a, b, 10) is deadlocked (seen after 0.1 s).</div>" in page
    # without an explanation the message is shown whole, as before
    assert page_of(plain_failure(evalue=evalue)).count(html.escape(first, quote=False)) == 1


def test_failure_causes_of_typed_failures():
    from threads101.outputs.report import classify

    def err(ename):
        return plain_failure(ename, "msg")

    assert classify("x", err("NotImplementedYet")) == "not attempted"
    assert classify("x", err("Deadlock")) == classify("x", err("Hang")) == "hang"
    assert classify("x", err("RaceLost")) == "race"
    assert classify("counter_atomic", err("WrongResult")) == "wrong result"
    assert classify("x", err("LeftoverThreads")) == "wrong result"
    assert classify("x", err("NotRun")) == classify("x", err("ValueError")) == "crash"


def test_svg_is_the_same_in_another_process():
    import os
    import subprocess
    import sys

    code = ("import json, sys\nfrom threads101.outputs.explain import parse\n"
            "from threads101.outputs.diagrams import render\n"
            "print(json.dumps([render(parse(d)) for d in json.load(sys.stdin)]))")
    samples = json.dumps(list(SAMPLES.values()))
    out = subprocess.run([sys.executable, "-c", code], input=samples, capture_output=True, text=True,
                         check=True, env={**os.environ, "PYTHONHASHSEED": "12345"}).stdout
    assert json.loads(out) == [render(parse(d)) for d in SAMPLES.values()]
