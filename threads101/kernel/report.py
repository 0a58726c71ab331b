"""Reports of where a call's threads are, and whose code each frame is.

A stack report lists each thread with the student's lines (and the library's);
the tests' own frames, the kit's and those of hidden test cells (recognised by
nbgrader's "### BEGIN HIDDEN TESTS" marker in the cell's source, or named with
`register_test_file`), show as "(test code)" without their source, so that no
line of a hidden test is ever shown to a student.

- `_is_library_file`, `_is_test_cell`, `_is_test_code`: whose a file is (the
  standard library's or the kit's; a hidden test's; the student's otherwise);
- `format_stack`, `thread_report`: a thread's stack, and a paragraph per thread
  with its Linux state (threads101.kernel.linux) and its stack;
- `_caller_site`: where the code under test made a call (file, line, function),
  taken cheaply while it runs and judged only if a test fails;
- `_plain_name`, `_thread_name`, `describe_call`, `_short_repr`: how threads and
  calls are named in messages;
- `recompile_surface`: the functions a failing test raises through, compiled
  under SURFACE_FILE, a file name of their own (see its docstring).
"""

from __future__ import annotations

import functools
import linecache
import os
import re
import sysconfig
import threading
import traceback
from collections.abc import Callable
from typing import Any

from .linux import _STATE_TEXT, _syscall_state
from .originals import _current_frames

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
_LIBRARY_DIRS = tuple(
    sorted(
        {os.path.realpath(p) for k, p in sysconfig.get_paths().items() if k.endswith("lib")}
        | {os.path.dirname(os.__file__)},
        key=len,
        reverse=True,
    )
)


@functools.lru_cache(maxsize=4096)
def _is_library_file(filename: str) -> bool:
    if filename.startswith("<frozen"):
        return True
    real = os.path.realpath(filename)
    return real.startswith(_PACKAGE_DIR) or any(real.startswith(d) for d in _LIBRARY_DIRS)


def _short_file(filename: str) -> str:
    if _is_library_file(filename):
        return os.path.basename(filename)
    if "ipykernel_" in filename or filename.startswith("<ipython-input"):
        return "your notebook"
    return os.path.basename(filename)


#: A cell holding these lines is a hidden test cell (nbgrader's markers), whatever else it holds.
_TEST_MARKERS = ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")
_test_files: set[str] = set()


def register_test_file(filename: str) -> None:
    """Count code compiled from `filename` as the tests' own (shown as "(test code)")."""
    _test_files.add(filename)


@functools.lru_cache(maxsize=4096)
def _is_test_cell(filename: str) -> bool:
    if filename in _test_files:
        return True
    lines = linecache.getlines(filename)
    return any(line.strip() in _TEST_MARKERS for line in lines)


def _is_test_code(filename: str) -> bool:
    """The kit's own code, or a hidden test cell of the notebook."""
    if filename in _test_files:
        return True
    if filename.startswith("<frozen"):
        return False
    if os.path.realpath(filename).startswith(_PACKAGE_DIR):
        return True
    return not _is_library_file(filename) and _is_test_cell(filename)


_HIDDEN_FRAMES = {("threading.py", "_bootstrap"), ("threading.py", "_bootstrap_inner"),
                  ("threading.py", "run"), ("calls.py", "_runner"),
                  ("tracking.py", "_run_and_report")}
TEST_CODE = "(test code)"


def format_stack(frame, limit: int = 8) -> list[str]:
    """The interesting part of a thread's stack, innermost last.

    The student's frames and the library's come with their line of code; the
    tests' own frames (the kit, hidden test cells) only as "(test code)", one
    line for each run of them, so that no line of a hidden test is shown.
    """
    lines = []
    for fs in traceback.extract_stack(frame):
        short = _short_file(fs.filename)
        if (short, fs.name) in _HIDDEN_FRAMES:
            continue
        if _is_test_code(fs.filename):
            if not lines or lines[-1] != TEST_CODE:
                lines.append(TEST_CODE)
            continue
        code = (fs.line or linecache.getline(fs.filename, fs.lineno)).strip()
        lines.append(f"{short}, line {fs.lineno}, in {fs.name}: {code}")
    return lines[-limit:]


def thread_report(threads: list[tuple[str, int | None, int | None]]) -> str:
    """One paragraph per (name, ident, native_id): its state and where it is."""
    frames = _current_frames()
    out = []
    for name, ident, native in threads:
        frame = frames.get(ident) if ident is not None else None
        if frame is None:
            continue
        state = _STATE_TEXT[_syscall_state(native)]
        out.append(f"  - {name}: {state}")
        out.extend(f"      {line}" for line in format_stack(frame))
    return "\n".join(out) if out else "  (no thread of this call is still running)"


def _caller_site(frame, depth: int = 12) -> tuple | None:
    """(filename, line, function) of the first frame, from `frame` outwards, that is neither
    the standard library's nor the kit's: where the code under test (or a test) made the call.
    Cheap: a few frames, their file names looked up in a cache; judged only on failure."""
    while frame is not None and depth > 0:
        code = frame.f_code
        if code.co_filename not in _test_files and not _is_library_file(code.co_filename):
            return (code.co_filename, frame.f_lineno, code.co_name)
        frame, depth = frame.f_back, depth - 1
    return None


_DEFAULT_NAME = re.compile(r"Thread-\d+(?: \((.*)\))?")


def _plain_name(thread: threading.Thread, index: int | None = None) -> str:
    """The thread's name; a name threading made up (Thread-<n>, numbered across the whole
    process, so different from run to run) becomes "the call's thread <index>"."""
    try:
        name = str(thread.name)
    except Exception:
        return "a thread" if index is None else f"the call's thread {index}"
    made_up = _DEFAULT_NAME.fullmatch(name)
    if made_up and index is not None:
        target = made_up.group(1)
        return f"the call's thread {index}" + (f" ({target})" if target else "")
    return name


def _thread_name(thread: threading.Thread) -> str:
    try:
        return f"thread {thread.name!r}"
    except Exception:
        return "a thread"


def _short_repr(value: Any, limit: int = 60) -> str:
    try:
        text = repr(value)
    except Exception:
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def describe_call(fn: Callable, args: tuple, kwargs: dict) -> str:
    parts = [_short_repr(a) for a in args] + [f"{k}={_short_repr(v)}" for k, v in kwargs.items()]
    return f"{getattr(fn, '__name__', 'call')}({', '.join(parts)})"


# --------------------------------------------------------------------------
# The functions a failing test raises through, compiled under a file name of
# their own.
# --------------------------------------------------------------------------
# IPython formats a traceback with the source of every file it passes through:
# reading, tokenising and highlighting the kit's long files took about a second,
# on the first failure of every graded notebook. The same functions compiled
# from their own source under a name that has no file on disk cost nothing
# there (and are shown as "(test code)" in stuck-thread reports).
SURFACE_FILE = "<threads101.kernel>"
register_test_file(SURFACE_FILE)


def recompile_surface(namespace: dict, targets: list[tuple[type | None, str]]) -> None:
    """Replace each (class or None, name) of the module whose globals are `namespace` by
    the same function compiled from its source under SURFACE_FILE, in that module's
    globals. Each module of the kit calls it at its end, for its own functions."""
    import __future__
    import inspect
    import textwrap

    flags = __future__.annotations.compiler_flag
    for owner, name in targets:
        original = getattr(owner, name) if owner is not None else namespace[name]
        try:
            source = textwrap.dedent(inspect.getsource(original))
            compiled: dict = {}
            exec(compile(source, SURFACE_FILE, "exec", flags=flags, dont_inherit=True),
                 namespace, compiled)
        except (OSError, TypeError, SyntaxError):
            continue  # no source at hand: keep the original
        function = compiled[name]
        if owner is None:
            namespace[name] = function
        else:
            setattr(owner, name, function)
