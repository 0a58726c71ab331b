"""The student bundle (`threads101 bundle`), tried as a student gets it.

A bundle is built from a temporary course, unzipped, and its wheel installed
from the file into a fresh virtualenv. The other things a student installs
(ipykernel, requests, ...) are not downloaded here: the fresh environment
reads the kit's site-packages through a `.pth` line, which adds that folder to
sys.path without running its own `.pth` files, so the kit's editable
threads101 is not importable there. Every release notebook then runs, with
nbclient, in a kernel of that environment: the demo and setup cells run
without error, every exercise still raises NotImplementedError, and the
self-checks report the unsolved exercises. No file of the bundle may show a
solution or hidden-test line. The `slow` test does the real
`pip install -r requirements.txt` from PyPI.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient

import threads101
from threads101 import course as C
from threads101.grading import release
from threads101.grading.bundle import BundleError, bundle, common_lines, giveaways, kernel_sources

KIT_SITE = sysconfig.get_paths()["purelib"]
KERNEL_NAME = "threads101-student-venv"
TOP = "threads101-student"

#: Run in the fresh environment: where its packages come from.
WHERE = """
import json, sys
out = {"path": sys.path, "meta_path": [type(f).__module__ + "." + type(f).__qualname__ for f in sys.meta_path]}
import threads101.kernel, threads101.kernel.httpserver
out["kernel"] = threads101.kernel.__file__
try:
    import threads101.grading
    out["grading"] = threads101.grading.__file__
except ImportError as exc:
    out["grading"] = type(exc).__name__
import requests, ipykernel
out["requests"] = requests.__file__
print(json.dumps(out))
"""

#: Inserted after each exercise cell: call every stub with placeholder arguments.
PROBE = """
import inspect as _inspect, json as _json

def _threads101_probe(names):
    def attempt(fn):
        required = [p for p in _inspect.signature(fn).parameters.values()
                    if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        try:
            fn(*[None] * len(required))
        except BaseException as exc:
            return type(exc).__name__
        return "returned"

    out = {}
    for name in names:
        obj = globals()[name]
        if _inspect.isclass(obj):
            for attr, fn in vars(obj).items():
                if _inspect.isfunction(fn):
                    out[f"{name}.{attr}"] = attempt(fn)
        else:
            out[name] = attempt(obj)
    print("PROBE " + _json.dumps(out))

_threads101_probe(%r)
"""

#: Appended to each notebook: which Python and which threads101.kernel ran it.
LAST = """
import json as _json, sys as _sys, threads101.kernel as _kernel
print("RAN " + _json.dumps({"executable": _sys.executable, "kernel": _kernel.__file__}))
"""


def _run(cmd, **kwargs) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kwargs)
    assert proc.returncode == 0, f"{cmd} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


def _clean_env(venv: Path) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "NBGRADER_EXECUTION")
           and not k.startswith("THREADS101")}
    env["PATH"] = str(venv / "bin") + os.pathsep + env.get("PATH", "")
    return env


def _wheel(folder: Path) -> Path:
    wheels = sorted(folder.glob("*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """(course, zip, unzipped bundle folder) of a freshly released temporary course."""
    tmp = tmp_path_factory.mktemp("bundle")
    course = C.copy_course(tmp / "course")
    C.generate(course)
    path = bundle(course)
    assert path == course / "dist" / "threads101-student.zip"
    with zipfile.ZipFile(path) as archive:
        archive.extractall(tmp / "unzipped")
    return course, path, tmp / "unzipped" / TOP


@pytest.fixture(scope="module")
def student_venv(built, tmp_path_factory) -> Path:
    """A fresh virtualenv with the bundle's wheel installed from the file, and the kit's
    site-packages (not its threads101) for the other dependencies."""
    _, _, folder = built
    venv = tmp_path_factory.mktemp("student") / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv])
    python = venv / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index",
          "--disable-pip-version-check", "-q", _wheel(folder)], env=_clean_env(venv))
    site = _run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                env=_clean_env(venv)).stdout.strip()
    assert Path(site).is_relative_to(venv)
    (Path(site) / "zz_threads101_kit_dependencies.pth").write_text(KIT_SITE + "\n")
    return venv


async def run_notebook(nb, venv: Path, cwd: Path, tmp: Path, timeout: int = 120):
    """Execute nb in a kernel of `venv` (a kernelspec naming its python), errors allowed."""
    spec = tmp / "kernels" / KERNEL_NAME
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [str(venv / "bin" / "python"), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "threads101 student venv", "language": "python"}))
    km = AsyncKernelManager(kernel_name=KERNEL_NAME,
                            kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(tmp / "kernels")]))
    client = NotebookClient(nb, km=km, timeout=timeout, allow_errors=True,
                            resources={"metadata": {"path": str(cwd)}})
    return await client.async_execute(env=_clean_env(venv))


def _errors(cell) -> list:
    return [out for out in cell.get("outputs", []) if out.output_type == "error"]


def _printed(cell, prefix: str) -> dict:
    for out in cell.get("outputs", []):
        if out.output_type == "stream" and out.name == "stdout":
            for line in out.text.splitlines():
                if line.startswith(prefix + " "):
                    return json.loads(line[len(prefix) + 1:])
    raise AssertionError(f"no {prefix} line in {cell.get('outputs')}")


def _kind(cell) -> str:
    meta = C.nbgrader_meta(cell)
    gid = meta.get("grade_id", "")
    if meta.get("solution"):
        return "exercise"
    # before "graded": a self-check is a graded cell too (worth 0 points, for Validate)
    if gid.endswith("_selfcheck") or "@selfcheck" in cell.source:
        return "selfcheck"
    if meta.get("grade"):
        return "graded"
    return "demo"


# ---------------------------------------------------------------------------
# What is in it
# ---------------------------------------------------------------------------
def test_the_bundle_holds_the_release_a_kernel_wheel_and_the_student_texts(built, tmp_path):
    course, path, folder = built
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        infos = archive.infolist()
    wheel = _wheel(folder)
    assert wheel.name == f"threads101_kernel-{threads101.__version__}-py3-none-any.whl"
    assert sorted(names) == names
    assert set(names) == {f"{TOP}/{name}" for name in
                          ["README.txt", "requirements.txt", "nbgrader_config.py", wheel.name]
                          + [f"notebooks/{nb}.ipynb" for nb in C.NOTEBOOKS]}
    assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert (path.parent / wheel.name).read_bytes() == wheel.read_bytes()  # for a hub's image
    for nb in C.NOTEBOOKS:
        released = course / "release" / C.ASSIGNMENT / f"{nb}.ipynb"
        assert (folder / "notebooks" / f"{nb}.ipynb").read_bytes() == released.read_bytes()

    # The wheel: threads101/__init__.py and threads101/kernel/ of the kit, byte for byte.
    package = Path(threads101.__file__).resolve().parent
    expected = {"threads101/__init__.py": package / "__init__.py"}
    expected |= {f"threads101/kernel/{p.relative_to(package / 'kernel').as_posix()}": p
                 for p in (package / "kernel").rglob("*")
                 if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"}
    with zipfile.ZipFile(wheel) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    payload = {n for n in members if ".dist-info/" not in n}
    assert payload == set(expected)
    for name, source in expected.items():
        assert members[name] == source.read_bytes(), name
    assert not [n for n in members if any(part in n for part in ("grading", "outputs", "cli.py", "devtools"))]

    # requirements.txt: the kit's pins, then the wheel.
    pins = {}
    for line in (C.REPO / "requirements.txt").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("#")[0].strip().split("==")
            pins[name.lower().replace("_", "-")] = version
    lines = [line.split("#")[0].strip() for line in (folder / "requirements.txt").read_text().splitlines()]
    lines = [line for line in lines if line]
    assert lines[-1] == f"./{wheel.name}"
    wanted = dict(line.split("==") for line in lines[:-1])
    assert {"jupyterlab", "nbgrader", "requests"} <= set(wanted)
    assert wanted == {name: pins[name] for name in wanted}

    readme = (folder / "README.txt").read_text()
    for needed in ["python3 -m venv .venv", "pip install -r requirements.txt", "jupyter lab",
                   "Validate", "self-check", "Assignments tab", f"notebooks/{C.NOTEBOOKS[0]}.ipynb"]:
        assert needed in readme, needed

    # The same course gives the same bytes.
    again = bundle(course, tmp_path)
    assert again == tmp_path / "threads101-student.zip"
    assert again.read_bytes() == path.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([again.name, wheel.name])


def test_no_file_of_the_bundle_shows_a_solution_or_a_hidden_test(built):
    course, path, _ = built
    per_notebook = {nb: release.secret_lines(nb, course) for nb in C.NOTEBOOKS}
    assert all(per_notebook.values())  # something to look for in every notebook
    visible = set()
    for nb in C.NOTEBOOKS:
        for cell in C.source_notebook(nb, course).cells:
            outside = C.region(cell.source, C.SOLUTION_BEGIN, C.SOLUTION_END, inside_markers=False)
            outside = C.region("\n".join(outside), C.HIDDEN_BEGIN, C.HIDDEN_END, inside_markers=False)
            visible.update(line.strip() for line in outside)
    anywhere = (set().union(*per_notebook.values()) - visible) | release.hidden_test_lines(course)
    assert release.hidden_test_lines(course) <= anywhere

    def lines_of(name: str, data: bytes):
        if name.endswith(".whl"):
            with zipfile.ZipFile(io.BytesIO(data)) as wheel:
                for member in wheel.namelist():
                    yield from lines_of(f"{name}!{member}", wheel.read(member))
        elif name.endswith(".ipynb"):
            for cell in nbformat.reads(data.decode(), as_version=4).cells:
                for line in cell.source.splitlines():
                    yield name, line.strip()
        else:
            for line in data.decode().splitlines():
                yield name, line.strip()

    found = []
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            for where, line in lines_of(name, archive.read(name)):
                stem = Path(where).stem
                if where.endswith(".ipynb"):
                    if line in per_notebook[stem] or any(m in line for m in (C.SOLUTION_BEGIN, C.HIDDEN_BEGIN)):
                        found.append((where, line))
                if line in anywhere:
                    found.append((where, line))
    common = common_lines({line for where, line in found if not where.endswith(".ipynb")})
    # The wheel is the kernel runtime, byte for byte (test above): a hidden test that uses
    # one of its idioms shows nothing the runtime does not show every student anyway.
    runtime = {line.strip() for source in kernel_sources().values()
               for line in source.read_text().splitlines()}
    leaked = [(where, line) for where, line in found if where.endswith(".ipynb")
              or (line not in common and not (".whl!" in where and line in runtime))]
    assert leaked == []


def test_a_release_that_gives_answers_away_is_not_bundled(built, tmp_path):
    course, _, _ = built
    copy = C.copy_course(tmp_path / "course", course)
    nb = C.NOTEBOOKS[0]
    solution = next(iter(C.solutions(nb, copy).values()))
    leak = next(line for line in solution.splitlines()
                if line.strip() in release.secret_lines(nb, copy))
    path = copy / "release" / C.ASSIGNMENT / f"{nb}.ipynb"
    released = nbformat.read(path, as_version=4)
    released.cells[-1].source += "\n" + leak
    nbformat.write(released, path)
    with pytest.raises(BundleError, match="gives away the line"):
        bundle(copy)
    path.unlink()
    with pytest.raises(BundleError, match="missing from the release"):
        bundle(copy)
    assert not (copy / "dist").exists()

    # Any other file of a bundle is searched too: a hidden-test line in a text file is found.
    hidden = sorted(release.hidden_test_lines(course))[0]
    assert giveaways(course, {"notes.txt": f"hello\n    {hidden}\n".encode()})
    assert giveaways(course, {"notes.txt": b"hello\n"}) == []


# ---------------------------------------------------------------------------
# Installed in a fresh virtualenv, run there
# ---------------------------------------------------------------------------
@pytest.mark.slow  # a fresh virtualenv
def test_the_fresh_venv_imports_the_wheels_kernel_and_not_the_kit(student_venv):
    proc = _run([student_venv / "bin" / "python", "-c", WHERE], env=_clean_env(student_venv),
                cwd=student_venv)
    where = json.loads(proc.stdout)
    assert Path(where["kernel"]).is_relative_to(student_venv), where["kernel"]
    assert where["grading"] == "ModuleNotFoundError", where["grading"]
    assert not [f for f in where["meta_path"] if "editable" in f.lower()], where["meta_path"]
    assert str(C.REPO) not in where["path"]
    assert KIT_SITE in where["path"]  # what the kit lends the fresh venv: ipykernel, requests, ...


def _with_probes(notebook: str, nb):
    """nb with a probe cell after each exercise cell and a last cell saying what ran it;
    returns (nb, grade_id -> probe cell)."""
    names_of = {}
    for name, gid in C.EXERCISES[notebook].items():
        names_of.setdefault(gid, []).append(name)
    cells, probes = [], {}
    for cell in nb.cells:
        cells.append(cell)
        gid = C.nbgrader_meta(cell).get("grade_id")
        if cell.cell_type == "code" and gid in names_of:
            probes[gid] = nbformat.v4.new_code_cell(PROBE % (names_of[gid],))
            cells.append(probes[gid])
    cells.append(nbformat.v4.new_code_cell(LAST))
    nb.cells = cells
    assert set(probes) == set(names_of), "an exercise cell is missing from the release"
    return nb, probes


@pytest.fixture(scope="module")
def executed(built, student_venv, tmp_path_factory) -> dict:
    """notebook -> (executed notebook, probes) or the exception its run raised. The notebooks
    run four at a time (their demos mostly wait), each in a kernel of its own."""
    _, _, folder = built
    tmp = tmp_path_factory.mktemp("kernels")
    runs = {name: _with_probes(name, nbformat.read(folder / "notebooks" / f"{name}.ipynb", as_version=4))
            for name in C.NOTEBOOKS}
    limit = asyncio.Semaphore(4)

    async def one(name):
        async with limit:
            try:
                await run_notebook(runs[name][0], student_venv, folder / "notebooks", tmp)
            except Exception as exc:  # reported by that notebook's test
                return name, exc
            return name, runs[name]

    async def every():
        return dict(await asyncio.gather(*(one(name) for name in C.NOTEBOOKS)))

    return asyncio.run(every())


@pytest.mark.slow  # every release notebook in the fresh virtualenv
@pytest.mark.parametrize("notebook", C.NOTEBOOKS)
def test_every_release_notebook_runs_in_the_student_venv(executed, student_venv, notebook):
    result = executed[notebook]
    if isinstance(result, Exception):
        raise result
    nb, probes = result
    ran = _printed(nb.cells[-1], "RAN")
    assert Path(ran["executable"]).parent == student_venv / "bin"
    assert Path(ran["kernel"]).is_relative_to(student_venv)
    failed_demos, selfchecks = [], 0
    for cell in nb.cells[:-1]:
        if cell.cell_type != "code" or any(cell is probe for probe in probes.values()):
            continue
        kind, gid = _kind(cell), C.nbgrader_meta(cell).get("grade_id")
        errors = _errors(cell)
        if kind in ("demo", "exercise") and errors:
            failed_demos.append((gid, errors[0].ename, errors[0].evalue))
        elif kind == "selfcheck":
            selfchecks += 1
            # An unsolved exercise cannot pass its self-check, and what stops the check is the
            # stub, not a missing piece of the runtime.
            assert errors, f"{gid} passed on the unsolved release"
            assert errors[0].ename not in ("ModuleNotFoundError", "ImportError", "NameError"), \
                (gid, errors[0].ename, errors[0].evalue)
    assert failed_demos == []
    assert selfchecks >= len(probes)
    for gid, probe in probes.items():
        results = _printed(probe, "PROBE")
        assert results and set(results.values()) == {"NotImplementedError"}, (gid, results)


@pytest.mark.slow
@pytest.mark.timeout(1500)
def test_the_two_install_commands_of_the_readme_work(built, tmp_path):
    """The README's install, for real: a new venv, `pip install -r requirements.txt` from PyPI."""
    _, _, folder = built
    venv = tmp_path / ".venv"
    env = _clean_env(venv)
    _run([sys.executable, "-m", "venv", venv], cwd=folder, env=env, timeout=300)
    _run([venv / "bin" / "pip", "install", "--disable-pip-version-check", "-q", "-r", "requirements.txt"],
         cwd=folder, env=env, timeout=1200)
    proc = _run([venv / "bin" / "python", "-c", WHERE], cwd=tmp_path, env=env)
    where = json.loads(proc.stdout)
    assert Path(where["kernel"]).is_relative_to(venv) and Path(where["requests"]).is_relative_to(venv)
    assert where["grading"] == "ModuleNotFoundError"
    assert KIT_SITE not in where["path"]
    _run([venv / "bin" / "jupyter", "lab", "--version"], env=env)
    extensions = _run([venv / "bin" / "jupyter", "labextension", "list"], env=env)
    assert "nbgrader" in extensions.stdout + extensions.stderr
    nb = nbformat.read(folder / "notebooks" / f"{C.NOTEBOOKS[0]}.ipynb", as_version=4)
    asyncio.run(run_notebook(nb, venv, folder / "notebooks", tmp_path))
    assert not [c for c in nb.cells if c.cell_type == "code" and _kind(c) == "demo" and _errors(c)]
