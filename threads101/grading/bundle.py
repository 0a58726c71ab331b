"""The student bundle: a zip a class can work from, with nothing of the answers in it.

`bundle(course)` writes `<course>/dist/threads101-student.zip`, holding one
folder, `threads101-student/`:

- `notebooks/*.ipynb`: the release of the course (release/threads101/), first
  checked with `release.leaks`: nothing is written if the release is missing or
  gives anything away (run `threads101 release` before);
- `threads101_kernel-<version>-py3-none-any.whl`: the code a student's kernel
  needs of the kit, and only that: `threads101/__init__.py` and
  `threads101/kernel/` (the self-checks' helpers, the download notebook's local
  HTTP server). It is built offline, with this environment's setuptools, from a
  temporary project that lists just those two packages: the grading pipeline,
  the outputs, the command line, the solutions, the hidden tests and the proof
  suites are not in it, and `import threads101.grading` fails where only it is
  installed. A copy is written next to the zip, for a JupyterHub's user image;
- `requirements.txt`: JupyterLab, nbgrader (its Validate button), ipykernel and
  requests, pinned to the versions of the kit's own requirements.txt, and the
  wheel;
- `nbgrader_config.py`: the settings of the Validate button (a longer cell
  timeout than nbgrader's default);
- `README.txt`: what a student does, in their words: install with two commands,
  open, run, self-check, validate, hand in.

Before the zip is written, every file of it (the notebooks' cells, each file in
the wheel, the texts) is searched for the solution and hidden-test lines of the
course's source notebooks (`release.secret_lines`, `release.hidden_test_lines`),
and for nbgrader's markers; any find stops the bundle. A line that is also in
Python's standard library (`with self._lock:`, `def __init__(self):`) is common
code, not a find, and so is a line of the kernel runtime itself (the wheel every
student gets: a hidden test that uses the same idiom gives nothing away).

The zip is deterministic: entries sorted, fixed timestamps and permissions, and
the wheel rewritten the same way, so two runs on the same course give the same
bytes.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import textwrap
import zipfile
from pathlib import Path

import nbformat

import threads101
from threads101 import course as C
from threads101.grading import release

BUNDLE_NAME = "threads101-student"
ZIP_NAME = f"{BUNDLE_NAME}.zip"
WHEEL_PROJECT = "threads101-kernel"
NOTEBOOK_DIR = "notebooks"
#: What a student installs besides the wheel: distribution -> why (pinned as requirements.txt pins it).
STUDENT_REQUIREMENTS = {
    "jupyterlab": "JupyterLab, where the notebooks open",
    "nbgrader": "nbgrader, for the Validate button",
    "ipykernel": "the Python kernel that runs the cells",
    "requests": "the notebooks' HTTP downloads",
}
#: 1980-01-01 00:00:00, the earliest time a zip entry can carry.
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_MARKERS = (C.SOLUTION_BEGIN, C.SOLUTION_END, C.HIDDEN_BEGIN, C.HIDDEN_END)


class BundleError(RuntimeError):
    """The bundle cannot be made (missing release, a leak, a failed wheel build)."""


def bundle(course: Path, dest: Path | None = None) -> Path:
    """Write the student bundle of the course at `course` and return the zip's path.

    `dest` is the zip file to write (default `<course>/dist/threads101-student.zip`);
    an existing directory gets `threads101-student.zip` inside it. The wheel is also
    written next to the zip (a hub's user image installs it). Raises BundleError, and
    writes nothing, if the release is missing or anything would give answers away."""
    course = Path(course)
    if dest is None:
        dest = course / "dist" / ZIP_NAME
    dest = Path(dest)
    if dest.is_dir():
        dest = dest / ZIP_NAME
    notebooks = _release_notebooks(course)
    wheel_name, wheel = build_wheel()
    files = {f"{NOTEBOOK_DIR}/{name}": data for name, data in notebooks.items()}
    files[wheel_name] = wheel
    files["requirements.txt"] = requirements_text(wheel_name).encode()
    files["nbgrader_config.py"] = NBGRADER_CONFIG.encode()
    files["README.txt"] = readme_text(wheel_name).encode()
    problems = giveaways(course, files)
    if problems:
        raise BundleError("the student bundle would give answers away, not written:\n  "
                          + "\n  ".join(problems))
    data = _deterministic_zip({f"{BUNDLE_NAME}/{name}": content for name, content in files.items()})
    dest.parent.mkdir(parents=True, exist_ok=True)
    _write(dest.parent / wheel_name, wheel)  # for a hub's user image (README: JupyterHub)
    _write(dest, data)
    return dest


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


# ---------------------------------------------------------------------------
# The parts
# ---------------------------------------------------------------------------
def _release_notebooks(course: Path) -> dict[str, bytes]:
    folder = course / "release" / C.ASSIGNMENT
    if not folder.is_dir():
        raise BundleError(f"no release in {folder}: run `threads101 release` first")
    problems = release.leaks(course)
    if problems:
        raise BundleError("the release is not fit for students, no bundle written "
                          "(run `threads101 release`):\n  " + "\n  ".join(problems))
    return {f"{name}.ipynb": (folder / f"{name}.ipynb").read_bytes() for name in C.NOTEBOOKS}


def kernel_sources() -> dict[str, Path]:
    """The files of the wheel, by their path in it: threads101/__init__.py and threads101/kernel/
    of the running kit (the package graded kernels import), caches left out."""
    package = Path(threads101.__file__).resolve().parent
    files = {"threads101/__init__.py": package / "__init__.py"}
    for path in sorted((package / "kernel").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix not in (".pyc", ".pyo"):
            files[path.relative_to(package.parent).as_posix()] = path
    return files


_BUILD = ("import sys\n"
          "from setuptools import build_meta\n"
          "print('WHEEL=' + build_meta.build_wheel(sys.argv[1]))\n")


def build_wheel() -> tuple[str, bytes]:
    """Build the kernel-side wheel offline; returns (file name, deterministic bytes)."""
    sources = kernel_sources()
    packages = sorted(str(Path(name).parent).replace("/", ".") for name in sources
                      if name.endswith("/__init__.py"))
    package_data = {}
    for name in sources:
        if not name.endswith(".py"):
            package_data.setdefault(str(Path(name).parent).replace("/", "."), []).append(Path(name).name)
    pyproject = textwrap.dedent(f"""\
        [build-system]
        requires = ["setuptools>=61"]
        build-backend = "setuptools.build_meta"

        [project]
        name = "{WHEEL_PROJECT}"
        version = "{threads101.__version__}"
        description = "threads101's kernel-side runtime: the self-checks' helpers and the local HTTP server"
        requires-python = ">=3.11"
        dependencies = ["requests"]

        [tool.setuptools]
        packages = {_toml_list(packages)}
        include-package-data = false
        """)
    if package_data:
        pyproject += "\n[tool.setuptools.package-data]\n" + "".join(
            f'"{pkg}" = {_toml_list(sorted(names))}\n' for pkg, names in sorted(package_data.items()))
    with tempfile.TemporaryDirectory(prefix="threads101-wheel-") as tmp:
        project, out = Path(tmp) / "project", Path(tmp) / "dist"
        for name, path in sources.items():
            (project / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, project / name)
        (project / "pyproject.toml").write_text(pyproject)
        out.mkdir()
        env = dict(os.environ, SOURCE_DATE_EPOCH="315532800")  # 1980-01-01
        env.pop("PYTHONPATH", None)
        proc = subprocess.run([sys.executable, "-c", _BUILD, str(out)], cwd=project, env=env,
                              capture_output=True, text=True, timeout=300)
        wheels = sorted(out.glob("*.whl"))
        if proc.returncode != 0 or len(wheels) != 1:
            raise BundleError(f"building the kernel wheel failed ({proc.returncode}):\n"
                              f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
        with zipfile.ZipFile(wheels[0]) as wheel:
            members = {info.filename: wheel.read(info) for info in wheel.infolist()
                       if not info.is_dir()}
        return wheels[0].name, _deterministic_zip(members, dist_info_last=True)


def _toml_list(items: list[str]) -> str:
    return "[" + ", ".join(f'"{item}"' for item in items) + "]"


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned_versions(path: Path | None = None) -> dict[str, str]:
    """Normalized name -> version of each `name==version` line of the kit's requirements.txt."""
    path = path or C.REPO / "requirements.txt"
    pins = {}
    if path.exists():
        for line in path.read_text().splitlines():
            line = line.split("#", 1)[0].strip()
            match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)\s*==\s*([^\s;]+)", line)
            if match:
                pins[_normalize(match[1])] = match[2]
    return pins


def requirements_text(wheel_name: str) -> str:
    """The student's requirements.txt: the notebooks' dependencies pinned as the kit pins them
    (the installed version where requirements.txt has none), then the wheel."""
    from importlib import metadata

    pins = pinned_versions()
    lines = ["# What the threads101 notebooks need. Install, from this folder:",
             "#     pip install -r requirements.txt"]
    for name, why in STUDENT_REQUIREMENTS.items():
        version = pins.get(_normalize(name))
        if version is None:
            try:
                version = metadata.version(name)
            except metadata.PackageNotFoundError:
                raise BundleError(f"no version of {name} for the student's requirements.txt: "
                                  f"not pinned in {C.REPO / 'requirements.txt'}, not installed") from None
        lines.append(f"{name}=={version}  # {why}")
    lines.append(f"./{wheel_name}  # the helpers the self-checks use (threads101.kernel)")
    return "\n".join(lines) + "\n"


NBGRADER_CONFIG = """\
# Settings of nbgrader's Validate button for your copy of the notebooks.
# Validate runs the whole notebook; a cell may take up to 120 seconds.
c = get_config()  # noqa: F821
c.Execute.timeout = 120
"""


def readme_text(wheel_name: str) -> str:
    first, last = C.NOTEBOOKS[0], C.NOTEBOOKS[-1]
    title = f"threads101: Python threads, in {len(C.NOTEBOOKS)} notebooks"
    return f"""\
{title}
{"=" * len(title)}

In this folder:
  {NOTEBOOK_DIR}/            the notebooks, {first} to {last}
  requirements.txt      what they need: JupyterLab, nbgrader (the Validate button),
                        requests, and {wheel_name}
                        (the helpers the self-checks use)
  nbgrader_config.py    settings of the Validate button


1. Install (once)

You need Python 3.11 or newer. Open a terminal in this folder (the one that
holds this file) and run these two commands:

    python3 -m venv .venv
    .venv/bin/pip install -r requirements.txt

On Windows: "py -m venv .venv", then ".venv\\Scripts\\pip install -r requirements.txt".


2. Open

In the same folder, run

    .venv/bin/jupyter lab

(on Windows ".venv\\Scripts\\jupyter lab"). JupyterLab opens in your browser.
Open {NOTEBOOK_DIR}/{first}.ipynb and work through the notebooks in order.


3. Work

Run the cells from the top, one after the other (Shift+Enter). Each part
explains an idea and shows it in a read-only demo cell. In each exercise cell,
replace "raise NotImplementedError()" with your code: the docstring says what
it must do. Your code may use Python's standard library and requests.

Below each exercise is a self-check cell. Run it after your exercise cell: it
says "passed", or it stops with a message saying what went wrong. If a cell
hangs, use Kernel > Interrupt Kernel, or Kernel > Restart Kernel and run the
cells again from the top.

Passing the self-checks does not mean full marks: the graded tests are hidden
and check more, in particular that your code always finishes. A call that
hangs or deadlocks loses that test's points.


4. Validate

Save the notebook and press Validate in its toolbar. It runs the whole
notebook from a fresh start, the way the grader will, and tells you which
cells fail: the self-checks that do not pass, and written questions left
unanswered.


5. Hand in

Hand in the .ipynb files of {NOTEBOOK_DIR}/ the way your course asks:
upload them, names unchanged, to the assignment on the course's website,
or, if your course runs on JupyterHub, submit from its Assignments tab.
"""


# ---------------------------------------------------------------------------
# Nothing given away
# ---------------------------------------------------------------------------
def secret_text(course: Path) -> set[str]:
    """Every distinctive solution and hidden-test line of the course's source notebooks that no
    visible part of any of them shows (`release.secret_lines` is per notebook: a line one
    notebook hides may be another one's demo)."""
    secrets, public = release.hidden_test_lines(course), set()
    for name in C.NOTEBOOKS:
        secrets |= release.secret_lines(name, course)
        for cell in C.source_notebook(name, course).cells:
            visible = C.region(cell.source, C.SOLUTION_BEGIN, C.SOLUTION_END, inside_markers=False)
            visible = C.region("\n".join(visible), C.HIDDEN_BEGIN, C.HIDDEN_END, inside_markers=False)
            public.update(line.strip() for line in visible)
    for source in kernel_sources().values():  # shipped to every student anyway
        public.update(line.strip() for line in source.read_text().splitlines())
    return secrets - public


_COMMON: dict[str, bool] = {}  # line -> found in the standard library (a scan is seconds)


def common_lines(candidates: set[str]) -> set[str]:
    """Those of `candidates` that Python's standard library also holds (stripped lines; its
    test suite left out, which not every installation has): common code such as
    `with self._lock:`, not anybody's answer."""
    left = {line for line in candidates if line not in _COMMON}
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    for path in sorted(stdlib.rglob("*.py")) if left else []:
        if {"site-packages", "test", "tests", "idlelib"} & set(path.relative_to(stdlib).parts):
            continue
        try:
            lines = {line.strip() for line in path.read_text(errors="replace").splitlines()}
        except OSError:
            continue
        for line in left & lines:
            _COMMON[line] = True
        left -= lines
        if not left:
            break
    for line in left:
        _COMMON[line] = False
    return {line for line in candidates if _COMMON[line]}


def _text_lines(name: str, data: bytes) -> list[tuple[str, str]]:
    """(where, line) for the text a bundle file shows: a notebook's cells, a wheel's files."""
    if name.endswith(".whl"):
        out = []
        with zipfile.ZipFile(io.BytesIO(data)) as wheel:
            for info in wheel.infolist():
                out += _text_lines(f"{name}!{info.filename}", wheel.read(info))
        return out
    if name.endswith(".ipynb"):
        nb = nbformat.reads(data.decode(), as_version=4)
        return [(f"{name} cell {i}", line) for i, cell in enumerate(nb.cells)
                for line in cell.source.splitlines()]
    return [(name, line) for line in data.decode(errors="replace").splitlines()]


def giveaways(course: Path, files: dict[str, bytes]) -> list[str]:
    """What the files (name -> bytes) show of the course's solutions and hidden tests:
    one message per find, empty when they show nothing."""
    secrets = secret_text(course)
    found = []
    for name, data in sorted(files.items()):
        for where, line in _text_lines(name, data):
            text = line.strip()
            if name.endswith(".ipynb") and any(marker in line for marker in _MARKERS):
                found.append((where, text, "an nbgrader marker"))
            elif text in secrets:
                found.append((where, text, "a solution or hidden-test line"))
    common = common_lines({text for _, text, why in found if why != "an nbgrader marker"})
    return [f"{where}: {why}: {text!r}" for where, text, why in found if text not in common]


def _deterministic_zip(members: dict[str, bytes], dist_info_last: bool = False) -> bytes:
    """A zip of the members, sorted, with fixed times and permissions: the same bytes every time."""
    def order(name: str):
        return (dist_info_last and ".dist-info/" in name, name)

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for name in sorted(members, key=order):
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, so that the permissions below are read
            info.external_attr = 0o100644 << 16
            out.writestr(info, members[name], compresslevel=9)
    return buffer.getvalue()
