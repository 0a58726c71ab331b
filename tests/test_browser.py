"""The student's and the instructor's pages, driven in a real browser.

Debian's Chromium (`/usr/bin/chromium`, installed by `make system`) is driven by
Playwright; nothing downloads a browser. A student's JupyterLab serves the
unzipped student bundle (`threads101 bundle`) the way its README.txt says to
open it (`jupyter lab` in the bundle's folder, where its nbgrader_config.py
configures the Validate button); the instructor's serves a graded course with
nbgrader's formgrader.

Every test saves screenshots under its tmp_path; when one fails, the report
lists them (tests/conftest.py), with one more taken at the moment of failure.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import threading
import time
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

import nbformat
import pytest

from threads101 import course as C
from threads101.lab import lab_command

playwright_api = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
NB1 = C.NOTEBOOKS[0]  # 01_threads_and_join
#: Two students of the sample class (samples/class.toml) handed in and graded: one solved
#: notebook 1, one handed it in unchanged.
GRADED = {"ada": "solved", "lena": "unchanged"}
#: Waits, in ms: generous, because the machine may be busy; a wait ends as soon as its
#: condition holds.
PAGE_LOAD = 120_000
KERNEL = 120_000
VALIDATE = 240_000

if not Path(CHROMIUM).exists():
    pytest.skip(f"no {CHROMIUM}: run `make system` as root (Debian packages chromium, "
                f"chromium-driver)", allow_module_level=True)


# ---------------------------------------------------------------------------
# Servers
# ---------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    """A `jupyter lab` serving `folder` (started there: nbgrader reads nbgrader_config.py
    from the server's folder), on a free port of 127.0.0.1 with a token, isolated from the
    user's Jupyter settings, in a process group of its own."""

    def __init__(self, folder: Path, state: Path):
        self.folder, self.port, self.token = Path(folder), free_port(), secrets.token_hex(16)
        self.log = state / "jupyter.log"
        settings = state / "lab-settings"
        # No news or update checks (no internet; no toasts over the page), and every cell kept
        # in the page so that locators see the whole notebook.
        for plugin, text in {"apputils-extension/notification":
                             '{"fetchNews": "false", "checkForUpdates": false}',
                             "notebook-extension/tracker": '{"windowingMode": "none"}'}.items():
            path = settings / "@jupyterlab" / f"{plugin}.jupyterlab-settings"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        env = C.tool_env({"JUPYTER_CONFIG_DIR": str(state / "config"),
                          "JUPYTER_DATA_DIR": str(state / "data"),
                          "JUPYTER_RUNTIME_DIR": str(state / "runtime"),
                          "JUPYTERLAB_SETTINGS_DIR": str(settings),
                          "JUPYTERLAB_WORKSPACES_DIR": str(state / "workspaces")})
        cmd = lab_command(self.folder, self.port, "--ServerApp.ip=127.0.0.1",
                          f"--IdentityProvider.token={self.token}", "--ServerApp.port_retries=0",
                          "--LabApp.news_url=", "--ServerApp.jpserver_extensions=jupyter_lsp=False")
        with self.log.open("w") as out:
            self.proc = subprocess.Popen(cmd, cwd=self.folder, env=env, stdout=out,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        try:
            self._wait_ready(timeout=180)
        except BaseException:
            self.stop()
            raise

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return f"{self.base}/{path.lstrip('/')}?token={self.token}"

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyter lab exited ({self.proc.returncode}):\n{self.tail()}")
            try:
                with urllib.request.urlopen(self.url("api/status"), timeout=5) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"jupyter lab not up within {timeout} s:\n{self.tail()}")
            time.sleep(0.2)

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        """SIGTERM to the server's process group (it shuts its kernels down), SIGKILL if it
        has not stopped within 30 s."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


# ---------------------------------------------------------------------------
# Fixtures: the student's folder and lab, the instructor's graded course and lab
# ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    """A course directory whose release was generated from its source."""
    return C.generated_copy(tmp_path_factory.mktemp("browser") / "course")


@pytest.fixture(scope="module")
def student_folder(course, tmp_path_factory) -> Path:
    """The student bundle of the course, unzipped as a student would: its one folder."""
    from threads101.grading.bundle import bundle

    archive = bundle(course, tmp_path_factory.mktemp("dist"))
    dest = tmp_path_factory.mktemp("student")
    with zipfile.ZipFile(archive) as z:
        z.extractall(dest)
    (folder,) = [p for p in dest.iterdir() if p.is_dir()]
    assert (folder / "nbgrader_config.py").is_file(), "the bundle has no config for Validate"
    assert (folder / "notebooks" / f"{NB1}.ipynb").is_file(), sorted(folder.rglob("*"))
    return folder


@pytest.fixture(scope="module")
def student_lab(student_folder, tmp_path_factory):
    lab = Lab(student_folder, tmp_path_factory.mktemp("student-lab"))
    yield lab
    lab.stop()


def _grade_demo_course(course: Path) -> None:
    """The sample class on the gradebook (samples/roster.csv), two of its students' notebook 1
    handed in and autograded by nbgrader (the sandboxed kernels of the course's config)."""
    C.nbgrader(course, "db", "student", "import", str(C.REPO / "samples" / "roster.csv"))
    for student, what in GRADED.items():
        nb = C.filled_release(NB1, root=course) if what == "solved" else C.release_notebook(NB1, course)
        C.submit(course, student, {NB1: nb})
    C.nbgrader(course, "autograde", C.ASSIGNMENT, timeout=600)


@pytest.fixture(scope="module")
def instructor_lab(tmp_path_factory):
    """JupyterLab with the formgrader on a graded course (`_grade_demo_course`). Grading and
    starting it happen in a thread of their own, from the start of the module, while the
    student's tests use the browser: this is a function that waits for it."""
    root = C.generated_copy(tmp_path_factory.mktemp("demo") / "course")
    state = tmp_path_factory.mktemp("instructor-lab")
    labs: list[Lab] = []
    failure: list[BaseException] = []

    def work():
        try:
            _grade_demo_course(root)
            labs.append(Lab(root, state))
        except BaseException as exc:  # reported by the test that needs the lab
            failure.append(exc)

    worker = threading.Thread(target=work, name="instructor-lab", daemon=True)
    worker.start()

    def ready() -> Lab:
        worker.join(900)
        assert not worker.is_alive(), "grading the demo course took over 900 s"
        if failure:
            raise failure[0]
        return labs[0]

    yield ready
    worker.join(900)
    for lab in labs:
        lab.stop()


@pytest.fixture(scope="module", autouse=True)
def _start_instructor_lab_early(request):
    """Start grading the demo course before the first test, so that it overlaps the others."""
    if any("formgrader" in item.name for item in request.session.items
           if item.module is request.module):
        request.getfixturevalue("instructor_lab")


# ---------------------------------------------------------------------------
# Browser
# ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


class Screenshots:
    """Screenshots of one test, numbered in order, under its tmp_path."""

    def __init__(self, folder: Path):
        self.folder, self.paths, self.page = folder, [], None

    def take(self, name: str, page=None) -> Path:
        path = self.folder / f"{len(self.paths) + 1:02d}-{name}.png"
        (page or self.page).screenshot(path=path)
        self.paths.append(path)
        return path

    def at_failure(self) -> str:
        """For the test report (tests/conftest.py): the paths, one taken now among them."""
        if self.page is not None:
            try:
                self.take("at-failure")
            except Exception as exc:  # a closed page: the others still help
                return "\n".join(map(str, self.paths)) + f"\n(no screenshot at failure: {exc})"
        return "\n".join(map(str, self.paths))


@pytest.fixture
def shots(request, tmp_path) -> Screenshots:
    shots = Screenshots(tmp_path)
    request.node.screenshots = shots
    return shots


@pytest.fixture
def page(browser, shots):
    """A fresh browser page (its own context) that reaches nothing but 127.0.0.1."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.route(re.compile(r"^(?!https?://127\.0\.0\.1:\d+/|data:|blob:)"),
                  lambda route: route.abort())
    page = context.new_page()
    page.set_default_timeout(PAGE_LOAD)
    shots.page = page
    yield page
    context.close()


expect = playwright_api.expect
# Every check waits as long as a page may take to load on a busy machine (Playwright's default is
# 5 s); it returns as soon as its condition holds.
expect.set_options(timeout=PAGE_LOAD)


# ---------------------------------------------------------------------------
# JupyterLab, as a student uses it
# ---------------------------------------------------------------------------
def open_notebook(page, lab: Lab, path: str, kernel: bool = True):
    """Open a notebook of the lab's folder in a workspace of its own (nothing else open) and
    return its panel; with `kernel`, once its kernel is idle (Validate needs none: it runs
    the saved notebook in a kernel of its own)."""
    page.goto(lab.url(f"lab/workspaces/{secrets.token_hex(6)}/tree/{path}"))
    panel = page.locator(".jp-NotebookPanel")
    expect(panel).to_have_count(1, timeout=PAGE_LOAD)
    expect(panel.locator(".jp-Notebook .jp-Cell").first).to_be_visible(timeout=PAGE_LOAD)
    if kernel:
        wait_idle(panel)
    return panel


def wait_idle(panel) -> None:
    """Wait until the notebook's kernel is connected and idle. (The toolbar's execution
    indicator alone says "idle" while no kernel is there yet: the status bar says both.)"""
    status = panel.page.get_by_role("contentinfo").get_by_role(
        "button", name=re.compile(r"^Python 3 \(ipykernel\) \| Idle$"))
    expect(status).to_have_count(1, timeout=KERNEL)
    expect(panel.locator(".jp-NotebookPanel-toolbar .jp-KernelName")).to_have_text(
        "Python 3 (ipykernel)")
    expect(panel.locator('.jp-NotebookPanel-toolbar .jp-Notebook-ExecutionIndicator[data-status="idle"]')
           ).to_have_count(1, timeout=KERNEL)


def menu(page, top: str, item: str) -> None:
    """Choose an item of JupyterLab's menu bar: menu `top`, then `item` (their labels)."""
    page.locator(".lm-MenuBar-item", has_text=re.compile(f"^{re.escape(top)}$")).click()
    page.locator(".lm-Menu-item").filter(
        has=page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{re.escape(item)}$"))).click()


def code_cell(panel, text: str):
    """The code cell of the notebook whose source contains `text`."""
    return panel.locator(".jp-Notebook .jp-CodeCell").filter(
        has=panel.page.locator(".jp-InputArea", has_text=text))


def validate(panel):
    """Press nbgrader's Validate button; returns its message once the result is in."""
    button = panel.locator(".jp-NotebookPanel-toolbar .validate-button")
    expect(button).to_have_count(1)
    button.click()
    message = panel.page.locator(".jp-Dialog #validation-message")
    expect(message).to_be_visible(timeout=VALIDATE)
    return message


NOT_IMPLEMENTED = re.compile(r"NotImplementedError|not implemented yet")


def test_a_failing_selfcheck_shows_its_message(student_lab, page, shots):
    """A student opens notebook 1 and runs every cell: the demos run, and the self-check of
    the unsolved first exercise stops there, saying that run_in_threads is not implemented."""
    panel = open_notebook(page, student_lab, f"notebooks/{NB1}.ipynb")
    shots.take("notebook-open")
    menu(page, "Run", "Run All Cells")

    check = code_cell(panel, "def check_run_in_threads")
    expect(check).to_have_count(1)
    error = check.locator(".jp-OutputArea-output").filter(has_text=NOT_IMPLEMENTED)
    expect(error).to_be_visible(timeout=KERNEL)
    wait_idle(panel)
    expect(error).to_contain_text("run_in_threads")
    error.evaluate("node => node.scrollIntoView({block: 'end'})")  # the message ends the traceback
    shots.take("selfcheck-fails")

    # Every code cell above the self-check ran (it has an execution count) without an error.
    cells = panel.locator(".jp-Notebook .jp-CodeCell")
    sources = [cells.nth(i).locator(".jp-InputArea").inner_text() for i in range(cells.count())]
    index = next(i for i, s in enumerate(sources) if "def check_run_in_threads" in s)
    assert index >= 3, "the self-check of run_in_threads comes after the setup and demo cells"
    for i in range(index):
        prompt = cells.nth(i).locator(".jp-InputPrompt").inner_text()
        assert re.search(r"\[\d+\]", prompt), f"code cell {i} did not run (prompt {prompt!r})"
        output = cells.nth(i).locator(".jp-OutputArea").inner_text()
        assert "Traceback" not in output, f"code cell {i}, before the self-check, failed:\n{output}"
    # Run All stops at the failing self-check: the cell after it did not run.
    prompt = cells.nth(index + 1).locator(".jp-InputPrompt").inner_text()
    assert not re.search(r"\d", prompt), f"a cell after the failed self-check ran ({prompt!r})"


def write_student_copy(folder: Path, name: str, nb) -> str:
    """Save a notebook into the student's folder as <name>/<notebook>.ipynb; returns its path
    relative to the folder."""
    path = folder / name / f"{NB1}.ipynb"
    path.parent.mkdir(exist_ok=True)
    nbformat.write(nb, path)
    return path.relative_to(folder).as_posix()


@pytest.mark.slow
def test_validate_reports_the_failure(student_lab, page, shots):
    """The student presses Validate on notebook 1 as released: nbgrader's dialog says it
    fails, and lists the failing cells (the unanswered written question, and the self-checks
    of the unsolved exercises: see the next test)."""
    panel = open_notebook(page, student_lab, f"notebooks/{NB1}.ipynb", kernel=False)
    message = validate(panel)
    shots.take("validate-unsolved")
    expect(message).to_have_class(re.compile(r"\bvalidation-failed\b"))
    expect(message).to_contain_text("The following cell failed")
    expect(message).not_to_contain_text("Success")
    page.locator(".jp-Dialog .jp-Dialog-button.jp-mod-accept").click()
    expect(message).to_have_count(0)


def test_validate_reports_an_unsolved_exercise(student_lab, course):  # 3 s: in the quick run
    """The student answered the written question but left the exercises unsolved: Validate
    must not say "Success", and must name what is not implemented. (Asked of the server
    endpoint the Validate button posts to, as the button does, without a page: the two
    tests around this one show the button and its dialog.) nbgrader's Validate judges only
    graded cells, and the release's test cells hold nothing but a comment: it is the
    self-checks, graded cells worth 0 points, that it runs and reports."""
    nb = C.release_notebook(NB1, course)
    for cell in nb.cells:
        if cell.cell_type == "markdown" and C.nbgrader_meta(cell).get("solution"):
            cell.source = "Only one thread runs Python code at a time, so counting does not speed up."
    path = write_student_copy(student_lab.folder, "answered", nb)
    request = urllib.request.Request(
        f"{student_lab.base}/assignments/validate", data=urllib.parse.urlencode({"path": path}).encode(),
        headers={"Authorization": f"token {student_lab.token}"}, method="POST")
    with urllib.request.urlopen(request, timeout=VALIDATE / 1000) as response:
        answer = json.load(response)
    if not answer["success"]:  # the validator did not run: not the failure expected above
        raise RuntimeError(f"Validate could not run: {answer}")
    result = answer["value"] if isinstance(answer["value"], dict) else json.loads(answer["value"])
    failed = result.get("failed", [])
    assert failed, f"Validate found nothing wrong: {result}"
    assert any(NOT_IMPLEMENTED.search(cell["raw_error"]) for cell in failed), failed
    # what fails is each exercise's self-check, and nothing else (the question is answered)
    checks = [cell for cell in failed if "@selfcheck" in cell["source"]]
    assert len(checks) == len(failed) == len(C.EXERCISES[NB1]), failed
    assert all(NOT_IMPLEMENTED.search(cell["raw_error"]) for cell in checks), failed


def test_a_solved_notebook_validates(student_lab, course, page, shots):
    """Notebook 1 solved (the instructor's answers typed into the student's copy) and saved
    in the student's folder: Validate says "Success"."""
    path = write_student_copy(student_lab.folder, "solved", C.filled_release(NB1, root=course))
    panel = open_notebook(page, student_lab, path, kernel=False)
    message = validate(panel)
    shots.take("validate-solved")
    expect(message).to_have_class(re.compile(r"\bvalidation-success\b"))
    expect(message).to_contain_text("Success! Your notebook passes all the tests.")


# ---------------------------------------------------------------------------
# The formgrader, as an instructor uses it
# ---------------------------------------------------------------------------
@pytest.mark.slow
def test_formgrader_lists_the_sample_class(instructor_lab, page, shots):
    """On a course where the sample class is enrolled and two of its students were graded,
    the formgrader's Manage Students page lists every student of the class, and the graded
    ones with their scores."""
    lab = instructor_lab()
    roster = (C.REPO / "samples" / "roster.csv").read_text().splitlines()[1:]
    students = {line.split(",")[0]: line.split(",")[2] for line in roster if line.strip()}
    page.goto(lab.url("formgrader/manage_students"))
    rows = page.locator("table tbody tr").filter(has=page.locator("td.id"))
    expect(rows).to_have_count(len(students), timeout=PAGE_LOAD)
    shots.take("formgrader-students")
    listed = {}
    for i in range(rows.count()):
        row = rows.nth(i)
        got, total = row.locator("td.score").inner_text().split("/")
        listed[row.locator("td.id").inner_text().strip()] = (
            row.locator("td.name").inner_text().strip(), float(got), float(total))
    assert set(listed) == set(students), listed
    for student, last_name in students.items():
        assert listed[student][0].startswith(f"{last_name},"), listed[student]
    total = listed["ada"][2]
    assert total > 0 and all(row[2] == total for row in listed.values()), listed
    assert listed["ada"][1] > 0, f"the solved notebook 1 scored nothing: {listed['ada']}"
    assert listed["lena"][1] == 0, f"the unchanged release scored points: {listed['lena']}"
    assert all(listed[s][1] == 0 for s in students if s not in GRADED), listed
