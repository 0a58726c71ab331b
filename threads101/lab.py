"""JupyterLab on a working copy of the student release, with nbgrader's Validate button.

`threads101 lab` (`make lab`) is an instructor's preview of what students see:
release/ is copied once to student-work/ (work done there is kept), an
nbgrader_config.py for the Validate button is written next to it, and
JupyterLab is started in that folder.

JupyterLab runs as a child process in a process group of its own. When
`threads101 lab` gets SIGTERM or SIGINT (Ctrl-C), it asks the whole group to
stop (SIGTERM: the server shuts its kernels down and frees its port), waits
for it, and kills the group if it has not stopped within a grace period.
Without this, stopping `threads101 lab` with SIGTERM left JupyterLab running
and its port taken.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

from threads101 import course as C

WORKDIR = "student-work"
#: Seconds JupyterLab gets to stop after SIGTERM before its process group is killed.
GRACE = 15.0

#: The student's nbgrader_config.py: what nbgrader's Validate button reads (it looks for the
#: file in the folder JupyterLab was started in).
STUDENT_CONFIG = """\
# nbgrader settings for your own copy of the notebooks: Validate runs the whole
# notebook, and a cell may take up to 120 seconds.
c = get_config()  # noqa: F821
c.Execute.timeout = 120
"""


def student_config(folder: Path) -> Path:
    """Write the Validate button's nbgrader_config.py in `folder` unless one is there."""
    config = Path(folder) / "nbgrader_config.py"
    if not config.exists():
        config.write_text(STUDENT_CONFIG)
    return config


def prepare(course: Path = C.REPO) -> Path:
    """The student folder of the preview: student-work/ with a copy of the release (made
    once; work done in it is kept) and the Validate button's config. Returns the folder."""
    work = Path(course) / WORKDIR / C.ASSIGNMENT
    if not work.exists():
        shutil.copytree(Path(course) / "release" / C.ASSIGNMENT, work,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        print(f"copied the student release to {work}")
    student_config(work.parent)
    return work.parent


def lab_command(folder: Path, port: int, *extra: str) -> list[str]:
    """The `jupyter lab` command serving `folder` on `port` (nbgrader's extensions are
    enabled by its installation; nothing opens a browser)."""
    cmd = [sys.executable, "-m", "jupyter", "lab", f"--ServerApp.root_dir={Path(folder)}",
           f"--port={port}", "--no-browser", "--ServerApp.open_browser=False"]
    if os.getuid() == 0:  # e.g. in a container
        cmd.append("--allow-root")
    return cmd + list(extra)


def _signal_group(proc: subprocess.Popen, signum: int) -> None:
    try:
        os.killpg(proc.pid, signum)
    except (ProcessLookupError, PermissionError):
        pass  # the group is gone already


def serve(cmd: list[str], cwd: Path, env: dict | None = None, grace: float = GRACE) -> int:
    """Run `cmd` (a server) in a process group of its own until it exits.

    SIGTERM or SIGINT to this process stops the group: SIGTERM to every process in it,
    SIGKILL to what is left after `grace` seconds (at once on a second signal). Returns
    the server's exit status, or 0 when it stopped because it was asked to."""
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, start_new_session=True)
    asked: list[int] = []
    killer = threading.Timer(grace, _signal_group, (proc, signal.SIGKILL))
    killer.daemon = True

    def stop(signum, frame):
        if asked:  # asked twice: do not wait any longer
            _signal_group(proc, signal.SIGKILL)
            return
        asked.append(signum)
        _signal_group(proc, signal.SIGTERM)
        killer.start()

    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        status = proc.wait()
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        killer.cancel()
        if proc.poll() is None:  # left by an exception in this process: stop the server too
            _signal_group(proc, signal.SIGTERM)
            try:
                proc.wait(grace)
            except subprocess.TimeoutExpired:
                _signal_group(proc, signal.SIGKILL)
                proc.wait()
        _signal_group(proc, signal.SIGKILL)  # whatever of the group outlived the server
    return 0 if asked else status


def lab(course: Path = C.REPO, port: int = 8888) -> int:
    """Copy release/ to student-work/ (once; your work is kept) and open JupyterLab there."""
    folder = prepare(course)
    print("Open the notebooks, solve the exercises, run the self-checks, then press Validate.")
    # cwd: nbgrader's Validate button reads nbgrader_config.py from the server's folder.
    return serve(lab_command(folder, port), cwd=folder, env=C.tool_env())
