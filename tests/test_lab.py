"""`threads101 lab`: stopping it stops its JupyterLab and frees the port."""

import signal
import socket
import subprocess
import sys
import time

import psutil
import pytest

from threads101 import course as C


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def port_free(port: int) -> bool:
    """Nobody listens on the port: a new server could bind it."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return not listening(port)


def wait_until(predicate, timeout: float, what: str, proc=None, log=None) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if proc is not None and proc.poll() is not None:
            pytest.fail(f"threads101 lab exited ({proc.returncode}) before {what}:\n"
                        f"{log.read_text()[-3000:] if log else ''}")
        if time.monotonic() > deadline:
            pytest.fail(f"not within {timeout} s: {what}\n{log.read_text()[-3000:] if log else ''}")
        time.sleep(0.1)


def gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


@pytest.mark.parametrize("signum", [signal.SIGTERM, pytest.param(signal.SIGINT, marks=pytest.mark.slow)],
                         ids=["SIGTERM", "SIGINT"])
def test_stopping_lab_stops_jupyter_and_frees_the_port(tmp_path, signum):
    course = C.copy_course(tmp_path / "course")
    port = free_port()
    log = tmp_path / "lab.log"
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "threads101", "--course", str(course), "lab",
                                 "--port", str(port)], cwd=course, env=C.tool_env(),
                                stdout=out, stderr=subprocess.STDOUT)
    children: list[psutil.Process] = []
    try:
        wait_until(lambda: listening(port), 90, f"JupyterLab listens on port {port}", proc, log)
        children = psutil.Process(proc.pid).children(recursive=True)
        servers = [p for p in children if "jupyter" in " ".join(p.cmdline())]
        assert servers, f"no jupyter process under threads101 lab: {[p.cmdline() for p in children]}"
        assert (course / "student-work" / C.ASSIGNMENT / f"{C.NOTEBOOKS[0]}.ipynb").is_file()
        assert (course / "student-work" / "nbgrader_config.py").is_file()

        proc.send_signal(signum)  # to threads101 lab alone, as `kill PID` or a service manager does
        assert proc.wait(timeout=60) == 0, log.read_text()[-3000:]
        wait_until(lambda: all(gone(p.pid) for p in children), 30,
                   "every process threads101 lab started is gone", log=log)
        assert port_free(port), f"port {port} still taken after threads101 lab stopped"
    finally:  # whatever the test leaves running, by process id
        if proc.poll() is None:
            children += psutil.Process(proc.pid).children(recursive=True)
            proc.kill()
            proc.wait()
        for p in children:
            if not gone(p.pid):
                p.kill()
