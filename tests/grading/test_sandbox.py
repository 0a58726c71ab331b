"""Grading untrusted code is safe: hostile submissions, each graded by real
`nbgrader autograde` and by `threads101 grade` (README.md, "Threat model").

Every file of tests/hostile/ is one attack: the code of one solution cell of
notebook 1 (`run_in_threads` or `threaded_count`), whose module-level code does
the damage it can and prints what it managed ("HOSTILE ..." lines), then defines
its function; tamper_notebook.json describes edits of the notebook itself. All
hostile students sit in ONE course per grading path, each graded once, both at
the same time (module-scoped fixtures); the tests then check, threat by threat
and on both paths, that the attack was contained: nothing leaked, nothing
written, no connection, no process left, limits hit, score not inflated, the
batch went on. The hostile courses use a cell timeout of CELL_TIMEOUT seconds.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import psutil
import pytest

from threads101 import course as C
from threads101.grading import sandbox
from threads101.grading.gradebook import cell_scores, sqlite_url
from threads101.kernel import outcomes as failures

pytestmark = [pytest.mark.slow]  # the hostile class, graded on both paths (two minutes): make test-full

NB1 = "01_threads_and_join"
HOSTILE = Path(__file__).parents[1] / "hostile"
SUBMISSIONS = Path(__file__).parents[1] / "submissions" / NB1
TOKEN = secrets.token_hex(5)
SECRET_ENV = "THREADS101_HOSTILE_SECRET"
#: nbgrader's cell timeout for the hostile courses (60 s in nbgrader_config.py): the
#: kernel that ignores interrupts costs this much (plus nbgrader's 4 s wait after it).
CELL_TIMEOUT = 10
MiB = 1024 * 1024
RIT = ["run_in_threads_results", "run_in_threads_concurrent", "run_in_threads_waits",
       "run_in_threads_empty"]
TC = ["threaded_count_result", "threaded_count_threads", "threaded_count_shares",
      "threaded_count_no_shared_total"]

#: student -> (code of the run_in_threads cell, of the threaded_count cell): a file of
#: tests/hostile/, "submissions:<file>" under tests/submissions/, None for the instructor's.
#: Plain nbgrader grades them in this order, the victim first; then the tampered notebooks
#: (tamper_notebook.json), those nbgrader refuses first, and "u_restored" last of all.
STUDENTS = {
    "a_victim": (None, None),
    "b_broken": ("submissions:run_in_threads/bad_join_last_only.py",
                 "submissions:threaded_count/bad_unlocked_global_each_step.py"),
    "h_cpu_procs": ("cpu_spin", "leave_processes"),
    "h_flood_disk": ("output_flood", "disk_fill"),
    "h_memory_forks": ("memory", "fork_bomb"),
    "h_network_hide": ("network", "hide_threads"),
    "h_patched": ("patch_run_in_threads", "patch_threaded_count"),
    "h_read_write": ("read_files", "write_files"),
    "k_exit": (None, "kill_os_exit"),
    "k_interrupt": (None, "kill_swallow_interrupt"),
    "k_grader": (None, "kill_grader_messages"),
    "k_system_exit": (None, "kill_system_exit"),
}
TAMPER = json.loads((HOSTILE / "tamper_notebook.json").read_text())
TAMPERED = {("u_" if spec["expect"] == "restored" else "t_") + name: spec
            for name, spec in TAMPER["variants"].items()}
REFUSED = sorted(s for s, spec in TAMPERED.items() if spec["expect"] == "refused")


# ---------------------------------------------------------------------------
# Building the hostile class
# ---------------------------------------------------------------------------
def hostile_code(name: str, course: Path, port: int = 0) -> str:
    """An attack's cell code, with what it needs to know about the host written in."""
    if name.startswith("submissions:"):
        return (SUBMISSIONS / name.split(":", 1)[1]).read_text()
    code = (HOSTILE / f"{name}.py").read_text()
    return (code.replace("@COURSE@", str(course)).replace("@TOKEN@", TOKEN)
            .replace("@VICTIM@", "a_victim").replace("@PORT@", str(port)))


def tampered_notebook(spec: dict, course: Path) -> nbformat.NotebookNode:
    base = {gid: (SUBMISSIONS / path).read_text() for gid, path in TAMPER["base"].items()}
    nb = C.filled_release(NB1, base, root=course)

    def find(gid):
        return next(c for c in nb.cells if C.nbgrader_meta(c).get("grade_id") == gid)

    for edit in spec.get("edits", []):
        cell = find(edit["cell"])
        if edit.get("delete"):
            nb.cells.remove(cell)
            continue
        if "source" in edit:
            cell.source = edit["source"]
        cell.metadata.nbgrader.update(edit.get("metadata", {}))
        if edit.get("cell_type") == "markdown":
            cell.cell_type = "markdown"
            cell.pop("outputs", None)
            cell.pop("execution_count", None)
    for add in spec.get("add", []):
        new = nbformat.v4.new_code_cell(add["source"])
        new.metadata["nbgrader"] = dict(add["metadata"])
        nb.cells.insert(nb.cells.index(find(add["after"])) + 1, new)
    return nb


def build_class(course: Path, port: int) -> None:
    """Plant what the attacks look for, then submit every hostile student."""
    (course / "source" / C.ASSIGNMENT / f"secret-{TOKEN}.txt").write_text(f"SOLUTION-SECRET-{TOKEN}")
    for student, (rit, tc) in STUDENTS.items():
        overrides = {gid: hostile_code(name, course, port)
                     for gid, name in [("run_in_threads", rit), ("threaded_count", tc)] if name}
        C.submit(course, student, {NB1: C.filled_release(NB1, overrides, root=course)})
    marker = course / "submitted" / "a_victim" / C.ASSIGNMENT / f"marker-{TOKEN}.txt"
    marker.write_text(f"VICTIM-SECRET-{TOKEN}")
    for student, spec in TAMPERED.items():
        C.submit(course, student, {NB1: tampered_notebook(spec, course)})
    config = course / "nbgrader_config.py"
    config.write_text(config.read_text() + f"\nc.Execute.timeout = {CELL_TIMEOUT}\n")


# ---------------------------------------------------------------------------
# Watching the host
# ---------------------------------------------------------------------------
class HostListeners:
    """A TCP and a UDP listener on the host's 127.0.0.1:<port>, and an abstract unix
    socket; they note whatever reaches them."""

    def __init__(self):
        self.received: list[str] = []
        self.tcp = socket.create_server(("127.0.0.1", 0))
        self.port = self.tcp.getsockname()[1]
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", self.port))
        self.unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.unix.bind(f"\0threads101-hostile-{TOKEN}")
        self.unix.listen()
        self._stop = False
        self._threads = [threading.Thread(target=self._accept, args=(s, k), daemon=True)
                         for s, k in [(self.tcp, "tcp"), (self.unix, "unix")]]
        self._threads.append(threading.Thread(target=self._datagrams, daemon=True))
        for t in self._threads:
            t.start()

    def _accept(self, server, kind):
        server.settimeout(0.2)
        while not self._stop:
            try:
                conn, _ = server.accept()
            except (TimeoutError, OSError):
                continue
            self.received.append(f"{kind} connection")
            conn.close()

    def _datagrams(self):
        self.udp.settimeout(0.2)
        while not self._stop:
            try:
                data, peer = self.udp.recvfrom(1000)
            except (TimeoutError, OSError):
                continue
            self.received.append(f"udp datagram {data!r}")
            self.udp.sendto(b"got it", peer)

    def close(self):
        self._stop = True
        for t in self._threads:
            t.join(2)
        for s in (self.tcp, self.udp, self.unix):
            s.close()


def token_processes() -> list[str]:
    """Processes on the host that an attack started (they carry the token) and still live."""
    name = f"t101h{TOKEN}"[:15]
    found = []
    for proc in psutil.process_iter(["pid", "cmdline", "uids", "status"]):
        try:
            if proc.info["status"] == psutil.STATUS_ZOMBIE:
                continue
            cmdline = proc.info["cmdline"] or []
            comm = Path(f"/proc/{proc.info['pid']}/comm").read_text().strip()
            sandbox_uid = 200_000 <= proc.info["uids"].real < 300_000
            if (TOKEN in " ".join(cmdline) or comm == name
                    or (cmdline == ["sleep", "4242"] and sandbox_uid)):
                found.append(f"{proc.info['pid']} {comm} {cmdline}")
        except (psutil.Error, OSError):
            continue
    return found


def kill_token_processes() -> None:
    for proc in psutil.process_iter(["cmdline"]):
        with contextlib.suppress(psutil.Error):
            if TOKEN in " ".join(proc.info["cmdline"] or []):
                proc.kill()


def tree_digest(*paths: Path) -> dict[str, str]:
    out = {}
    for root in paths:
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in files:
            out[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def token_files(course: Path) -> list[str]:
    """Files named with the token outside the sandbox, except the ones the test planted."""
    planted = {f"secret-{TOKEN}.txt", f"marker-{TOKEN}.txt"}
    places = [course, Path("/etc"), Path("/usr"), Path("/root"), Path(sys.prefix),
              Path(os.__file__).parent, Path(sandbox.PACKAGE_DIR)]
    found = [str(p) for place in places for p in place.glob("*") if TOKEN in p.name]
    found += [str(p) for p in course.rglob(f"*{TOKEN}*") if p.name not in planted]
    found += [str(p) for p in Path("/tmp").glob(f"*{TOKEN}*")]
    return sorted(set(found))


# ---------------------------------------------------------------------------
# One graded course per grading path
# ---------------------------------------------------------------------------
@dataclass
class Run:
    course: Path
    path: str  # "plain" (nbgrader autograde) or "pipeline" (threads101 grade)
    seconds: float = 0.0
    log: str = ""
    results: dict = field(default_factory=dict)  # student -> StudentResult (pipeline)
    untouched_before: dict = field(default_factory=dict)
    untouched_after: dict = field(default_factory=dict)
    free_drop: int = 0
    left_processes: list = field(default_factory=list)
    left_files: list = field(default_factory=list)
    received: list = field(default_factory=list)

    def scores(self, student: str) -> dict[str, tuple[float | None, float]]:
        return {s.grade_id: (s.score, s.max_score) for s in cell_scores(sqlite_url(self.course), student)
                or [] if s.notebook == NB1}

    def points(self, student: str, gids: list[str]) -> float:
        scores = self.scores(student)
        return sum(scores[g][0] or 0 for g in gids)

    def notebook(self, student: str) -> nbformat.NotebookNode:
        return nbformat.read(self.course / "autograded" / student / C.ASSIGNMENT / f"{NB1}.ipynb", 4)

    def outputs(self, student: str, gid: str) -> str:
        """All the text a cell of the student's autograded notebook shows."""
        for cell in self.notebook(student).cells:
            if C.nbgrader_meta(cell).get("grade_id") == gid:
                return "".join(_output_text(o) for o in cell.get("outputs", []))
        raise KeyError(gid)

    def hostile_lines(self, student: str, gid: str, prefix: str) -> list[str]:
        return [line for line in self.outputs(student, gid).splitlines()
                if line.startswith(f"HOSTILE {prefix}")]

    def all_outputs(self, student: str) -> str:
        return "".join(_output_text(o) for cell in self.notebook(student).cells
                       for o in cell.get("outputs", []))

    def problems(self, student: str) -> str:
        """What the grader said about the student: the summary's problems (pipeline) or
        the student's part of nbgrader's log (plain)."""
        if self.path == "pipeline":
            return "\n".join(self.results[student].all_problems)
        parts = re.split(r"(?=\[AutogradeApp \| INFO\] Creating/updating student with ID )",
                         self.log)
        return "".join(p for p in parts if p.split("\n", 1)[0].endswith(f"'{student}': {{}}"))


def _output_text(output) -> str:
    if output.get("output_type") == "stream":
        return output.get("text", "")
    if output.get("output_type") == "error":
        return f"{output.get('ename')}: {output.get('evalue')}\n"
    return "".join(str(v) for v in output.get("data", {}).values())


@pytest.fixture(scope="module")
def listeners():
    host = HostListeners()
    yield host
    host.close()


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    course = C.generated_copy(tmp_path_factory.mktemp("hostile") / "generated")
    return course


def grade_hostile_classes(generated: Path, where: Path, listeners) -> dict[str, Run]:
    """Grade the hostile class twice at the same time, each in its own course copy:
    with plain `nbgrader autograde` (in a thread) and with `threads101 grade` (here)."""
    runs = {}
    for path in ("plain", "pipeline"):
        course = where / path / "course"
        shutil.copytree(generated, course)
        build_class(course, listeners.port)
        runs[path] = Run(course, path)
        runs[path].untouched_before = tree_digest(*untouched_files(course))
    free = shutil.disk_usage(where).free
    saved = os.environ.get(SECRET_ENV)
    os.environ[SECRET_ENV] = f"grader-secret-{TOKEN}"  # in the graders' environment

    def plain():
        start = time.monotonic()
        proc = C.nbgrader(runs["plain"].course, "autograde", C.ASSIGNMENT, "--force",
                          check=False, timeout=900)
        runs["plain"].log = proc.stdout + proc.stderr
        (where / "plain" / "autograde.log").write_text(runs["plain"].log)  # for a post-mortem
        runs["plain"].seconds = time.monotonic() - start

    thread = threading.Thread(target=plain)
    try:
        thread.start()
        from threads101.grading.grader import Grader

        start = time.monotonic()
        runs["pipeline"].results = {r.student: r for r in
                                    Grader(runs["pipeline"].course, jobs=2).run()}
        runs["pipeline"].seconds = time.monotonic() - start
    finally:
        thread.join()
        if saved is None:
            os.environ.pop(SECRET_ENV, None)
        else:
            os.environ[SECRET_ENV] = saved
    left = token_processes()
    kill_token_processes()  # whatever the verdict, leave the machine clean
    for run in runs.values():
        run.left_processes = left
        run.free_drop = free - shutil.disk_usage(where).free
        run.left_files = token_files(run.course)
        run.untouched_after = tree_digest(*untouched_files(run.course))
        run.received = list(listeners.received)
    return runs


def untouched_files(course: Path) -> list[Path]:
    """What grading never writes to (nbgrader writes the gradebook and autograded/)."""
    return [course / "source", course / "release", course / "submitted",
            course / "nbgrader_config.py"]


@pytest.fixture(scope="module")
def graded(generated, tmp_path_factory, listeners) -> dict[str, Run]:
    return grade_hostile_classes(generated, tmp_path_factory.mktemp("graded"), listeners)


@pytest.fixture(scope="module")
def plain(graded) -> Run:
    """The hostile class graded by real `nbgrader autograde` (the course's nbgrader_config.py)."""
    return graded["plain"]


@pytest.fixture(scope="module")
def pipeline(graded) -> Run:
    """The hostile class graded by `threads101 grade` (threads101.grade.Grader, 2 workers)."""
    return graded["pipeline"]


@pytest.fixture(params=["plain", "pipeline"])
def run(request) -> Run:
    return request.getfixturevalue(request.param)


def secrets_of(run: Run) -> list[str]:
    """Text that must never show in a graded notebook's outputs: the planted secrets, the
    grader's environment, the first bytes of a gradebook or of a notebook file, and lines
    of the other notebooks' hidden tests and solutions (those not also in notebook 1)."""
    found = [f"SOLUTION-SECRET-{TOKEN}", f"VICTIM-SECRET-{TOKEN}", f"grader-secret-{TOKEN}",
             "SQLite format 3", '"nbformat"', '"cells"']
    own = nbformat.writes(C.source_notebook(NB1, run.course))
    for notebook in C.NOTEBOOKS[1:]:
        for cell in C.source_notebook(notebook, run.course).cells:
            code = C.hidden_code(cell.source) if C.is_graded_code(cell) else ""
            if C.nbgrader_meta(cell).get("solution") and cell.cell_type == "code":
                code = C.strip_markers(cell.source)
            lines = [line.strip() for line in code.splitlines() if len(line.strip()) > 40]
            found += [line for line in lines if line not in own][:3]
    return found


# ---------------------------------------------------------------------------
# Threat 1: read outside its working copy
# ---------------------------------------------------------------------------
def test_reads_nothing_outside_its_working_copy(run):
    lines = run.hostile_lines("h_read_write", "run_in_threads", "read")
    assert len(lines) >= 20, "the attack did not run: " + run.outputs("h_read_write", "run_in_threads")
    leaks = [line for line in lines if ": READ" in line]
    assert leaks == []
    assert any("search: looked at" in line and "nothing found" in line for line in lines)


def test_no_secret_in_any_graded_notebook(run):
    texts = {s: run.all_outputs(s) for s in list(STUDENTS) + ["u_restored"]}
    assert len(secrets_of(run)) > 20
    for secret in secrets_of(run):
        leaked = [s for s, text in texts.items() if secret in text]
        assert leaked == [], f"{secret!r} shows in the graded notebook of {leaked}"


# ---------------------------------------------------------------------------
# Threat 2: write outside its working copy
# ---------------------------------------------------------------------------
def test_writes_nothing_outside_its_working_copy(run):
    lines = run.hostile_lines("h_read_write", "threaded_count", "write")
    assert len(lines) >= 15, "the attack did not run: " + run.outputs("h_read_write", "threaded_count")
    written = [line for line in lines if "WROTE" in line and "write private" not in line]
    assert written == []
    private = [line for line in lines if "write private" in line]
    assert len(private) == 2 and all("WROTE" in line for line in private)  # its own /tmp, $HOME
    assert run.left_files == []  # not on the host: course, /tmp, /etc, /usr, ~, venv, package


def test_course_files_and_gradebook_intact(run):
    assert run.untouched_after == run.untouched_before  # source/, release/, submitted/, config
    with contextlib.closing(sqlite3.connect(run.course / "gradebook.db")) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("SELECT COUNT(*) FROM grade WHERE manual_score >= 1000").fetchone()[0] == 0
    victim = run.scores("a_victim")
    assert all(score == max_score for gid, (score, max_score) in victim.items() if gid in RIT + TC)


# ---------------------------------------------------------------------------
# Threat 3: network beyond loopback
# ---------------------------------------------------------------------------
def test_no_network_beyond_its_own_loopback(run):
    assert run.received == []  # the host's listeners heard nothing
    lines = run.hostile_lines("h_network_hide", "run_in_threads", "net")
    attempts = [line for line in lines if "host " in line or "outside " in line or "dns " in line]
    assert len(attempts) == 6, "the attack did not run: " + "\n".join(lines)
    assert all("BLOCKED" in line for line in attempts), "\n".join(attempts)
    assert "HOSTILE net interfaces: ['lo']" in lines
    assert "HOSTILE net own loopback: WORKS" in lines


# ---------------------------------------------------------------------------
# Threat 4: processes and threads left running
# ---------------------------------------------------------------------------
def test_no_process_left_behind(run):
    started = run.hostile_lines("h_cpu_procs", "threaded_count", "procs")
    assert started and started[0].count(";") == 4, started  # it did start them all
    assert run.left_processes == []


# ---------------------------------------------------------------------------
# Threat 5: exhausting the machine
# ---------------------------------------------------------------------------
def test_memory_capped_and_grading_goes_on(run):
    lines = "\n".join(run.hostile_lines("h_memory_forks", "run_in_threads", "memory"))
    assert f"RLIMIT_AS={2048 * MiB}" in lines
    assert "raise the cap: BLOCKED" in lines
    assert "4 GiB at once: BLOCKED (MemoryError)" in lines
    assert "mmap 4 GiB: BLOCKED" in lines
    got = re.search(r"blocks: BLOCKED \(MemoryError after ([\d.]+) GiB\)", lines)
    assert got and float(got.group(1)) < 2.0, lines
    assert run.points("h_memory_forks", RIT) == run.points("a_victim", RIT)  # kernel lived on


def test_processes_and_threads_capped(run):
    lines = run.hostile_lines("h_memory_forks", "threaded_count", "")
    forks = next(line for line in lines if line.startswith("HOSTILE forks"))
    threads = next(line for line in lines if line.startswith("HOSTILE threads"))
    assert "BLOCKED" in forks and int(forks.split()[2]) < 512, forks
    assert "BLOCKED" in threads and int(threads.split()[2]) < 600, threads
    assert run.points("h_memory_forks", TC) == run.points("a_victim", TC)


def test_spinning_threads_cost_only_their_kernel(run):
    lines = "\n".join(run.hostile_lines("h_cpu_procs", "run_in_threads", "cpu"))
    assert "spinning; RLIMIT_CPU=(900, 900)" in lines
    assert "raise the limit: BLOCKED" in lines
    assert run.scores("h_cpu_procs"), "not graded"
    if run.path == "pipeline":
        assert run.results["h_cpu_procs"].notebooks[NB1].seconds < 120
    assert run.left_processes == []  # the spinners died with the kernel


def test_disk_filling_stays_in_its_tmpfs(run):
    lines = "\n".join(run.hostile_lines("h_flood_disk", "threaded_count", "disk"))
    assert "one 80 MiB file: BLOCKED (OSError: File too large)" in lines
    tmp = re.search(r"disk /tmp: wrote (\d+) MiB, then BLOCKED \(OSError: No space left", lines)
    assert tmp and int(tmp.group(1)) <= 256, lines
    assert re.search(r"disk /run/threads101: wrote \d MiB, then BLOCKED", lines), lines
    assert "disk /dev/shm: wrote 0 MiB, then BLOCKED (PermissionError" in lines
    assert run.free_drop < 200 * MiB  # the host's disk: the attack tried to write 2 GiB
    assert run.points("h_flood_disk", TC) == run.points("a_victim", TC)


def test_output_flood_is_cut(run):
    for student in ("h_flood_disk", "k_grader"):  # prints, a display updated with 20 MB
        path = run.course / "autograded" / student / C.ASSIGNMENT / f"{NB1}.ipynb"
        assert path.stat().st_size < 2 * MiB, student
    assert "[output cut" in run.outputs("h_flood_disk", "run_in_threads")
    assert run.points("h_flood_disk", RIT) == run.points("a_victim", RIT)
    if run.path == "pipeline":
        assert "output of cell" in run.problems("h_flood_disk")


# ---------------------------------------------------------------------------
# Threat 6: changing its score
# ---------------------------------------------------------------------------
def test_restored_test_cells_are_graded_as_released(run):
    tampered, broken, victim = (run.scores(s) for s in ("u_restored", "b_broken", "a_victim"))
    assert {g: m for g, (_, m) in tampered.items()} == {g: m for g, (_, m) in victim.items()}
    for gid in RIT + TC:  # the same broken code: no more points, test by test
        assert tampered[gid][0] <= broken[gid][0], gid
    assert tampered["run_in_threads_waits"][0] == 0  # the blanked test ran and failed
    assert tampered["threaded_count_no_shared_total"][0] == 0  # the deleted one too
    # it failed as a test fails (a plain or a typed AssertionError), not as a crash
    failed_as = run.outputs("u_restored", "run_in_threads_waits")
    assert any(f"{name}:" in failed_as for name in ("AssertionError", *failures.__all__)), failed_as


@pytest.mark.parametrize("student", REFUSED)
def test_notebooks_nbgrader_cannot_trust_are_not_graded(run, student):
    scores = run.scores(student)
    assert all(not score for score, _ in scores.values()), scores  # nothing, or zero
    assert sum(m for _, m in scores.values()) == sum(m for _, m in run.scores("a_victim").values())
    if run.path == "plain":
        assert f"error processing assignment 'threads101' for student '{student}'" in run.log
    else:  # refused before it runs, or (another metadata version) when its grades are stored
        assert re.search("could not be (prepared for grading|stored: invalid nbgrader metadata)",
                         run.problems(student)), run.problems(student)


def test_replaced_functions_do_not_raise_the_score(run):
    lines = run.hostile_lines("h_patched", "run_in_threads", "patch")
    lines += run.hostile_lines("h_patched", "threaded_count", "patch")
    assert len(lines) == 2, "the patches did not run: " + run.problems("h_patched")[-3000:]
    for gids in (RIT, TC):
        assert run.points("h_patched", gids) <= run.points("b_broken", gids)


def test_hidden_threads_lose_points(run):
    assert run.hostile_lines("h_network_hide", "threaded_count", "hide")
    scores = run.scores("h_network_hide")
    assert scores["threaded_count_threads"][0] == 0
    assert run.points("h_network_hide", TC) < run.points("a_victim", TC)


# ---------------------------------------------------------------------------
# Threat 7: killing its own kernel
# ---------------------------------------------------------------------------
KILLED = {
    "k_exit": "the kernel died while running threaded_count",
    "k_interrupt": "the kernel was stopped: it ran threaded_count past the cell timeout",
    "k_system_exit": "threaded_count raised SystemExit",
    "k_grader": "while running threaded_count it sent what the grader could not handle",
}


@pytest.mark.parametrize("student", sorted(KILLED))
def test_killed_kernel_costs_only_the_tests_that_could_not_run(run, student):
    scores = run.scores(student)
    assert run.points(student, RIT) == run.points("a_victim", RIT) > 0  # ran before: kept
    assert all(scores[g][0] == 0 for g in TC)  # could not run: zero
    assert KILLED[student] in run.problems(student)


def test_the_batch_goes_on(run):
    everyone = [*STUDENTS, "u_restored"]  # u_restored: the last one plain nbgrader grades
    graded = [s for s in everyone if any(v[0] is not None for v in run.scores(s).values())]
    assert graded == everyone
    if run.path == "pipeline":
        assert all(r.graded for r in run.results.values())
    assert run.seconds < 300


# ---------------------------------------------------------------------------
# Threat 8: no isolation, no grading
# ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def unsandboxed(generated, tmp_path_factory) -> Path:
    """A course whose kernels cannot be sandboxed (no such bubblewrap), with one student
    whose code writes into the course directory if it runs at all."""
    course = tmp_path_factory.mktemp("nosandbox") / "course"
    shutil.copytree(generated, course)
    config = course / "nbgrader_config.py"
    config.write_text(config.read_text() + '\nc.SandboxedKernelManager.bwrap = "no-such-bwrap"\n')
    code = hostile_code("canary_unsandboxed", course)
    C.submit(course, "canary", {NB1: C.filled_release(NB1, {"run_in_threads": code}, root=course)})
    return course


def test_without_sandbox_grading_refuses(unsandboxed):
    canary = unsandboxed / f"ran-unsandboxed-{TOKEN}"
    proc = C.nbgrader(unsandboxed, "autograde", C.ASSIGNMENT, "--force", check=False, timeout=300)
    assert "refusing to run untrusted code without a sandbox" in proc.stderr
    assert not canary.exists()
    assert not any(s.score for s in cell_scores(sqlite_url(unsandboxed), "canary") or [])

    cli = [sys.executable, "-m", "threads101", "--course", str(unsandboxed), "grade", "--jobs", "1"]
    proc = subprocess.run(cli, check=False, capture_output=True, text=True, env=C.tool_env(), timeout=300)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "NOT GRADED: the grader failed" in proc.stdout
    assert not canary.exists()

    proc = subprocess.run(cli + ["--unsafe"], check=False, capture_output=True, text=True,
                          env=C.tool_env(), timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert canary.exists()  # --unsafe really runs the code, with the instructor's rights
    scores = [s for s in cell_scores(sqlite_url(unsandboxed), "canary") if s.notebook == NB1]
    assert sum(s.score or 0 for s in scores if s.grade_id in RIT) == 7


# ---------------------------------------------------------------------------
# The sandbox's command line
# ---------------------------------------------------------------------------
def test_bwrap_command_mounts_every_tmpfs_before_the_binds_under_tmp(monkeypatch):
    # A course (so the package) and the connection file under /tmp: a tmpfs mounted on
    # /tmp after them would hide them from the kernel.
    monkeypatch.setattr(sandbox, "PACKAGE_DIR", Path("/tmp/somewhere/course/threads101"))
    args = sandbox.bwrap_command(["python"], "/tmp/threads101-kernel-x/kernel.json",
                                 memory=1, processes=1, cpu_seconds=1, file_size=1, tmp_size=1)
    args = args[:args.index("--")]
    tmpfs = [i for i, a in enumerate(args) if a == "--tmpfs"]
    under_tmp = [i for i, a in enumerate(args[:-2])
                 if (a in ("--ro-bind", "--bind") and args[i + 2].startswith("/tmp/"))
                 or (a == "--dir" and args[i + 1].startswith("/tmp/"))]
    assert len(tmpfs) == 2 and len(under_tmp) >= 4  # two binds, and their parent folders
    assert max(tmpfs) < min(under_tmp)
