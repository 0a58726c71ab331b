"""Sandboxed kernels: each graded kernel runs in its own bubblewrap namespaces.

What a kernel started by `SandboxedKernelManager` can and cannot do:
- files: it sees a read-only system (/usr, /etc, the Python installation, the
  virtualenv and the threads101 package) and two small private tmpfs
  (/tmp for its working copy, /run/threads101 for its sockets). Nothing of
  the course directory: not source/, not the gradebook, not other students;
- network: its own network namespace, with only its own loopback;
- processes: its own PID namespace, killed entirely when the kernel stops;
  it runs as a throw-away user id with resource limits (address space,
  processes and threads, CPU time, file size, open files);
- environment: a clean one (no secrets of the grader's environment).

The kernel's sockets live in the sandbox; the grader reaches them through
/proc/<pid>/root, so no directory of the host is writable from inside.

Configure it for plain `nbgrader autograde` in nbgrader_config.py:

    c.Execute.kernel_manager_class = "threads101.grading.sandbox.SandboxedKernelManager"

Where bubblewrap cannot run, starting a kernel fails and says why, unless the
instructor allows unsafe grading (`threads101 grade --unsafe`, or
THREADS101_UNSAFE=1 for plain nbgrader).
"""

from __future__ import annotations

import argparse
import functools
import os
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import Bool, Integer, Unicode

#: The threads101 package this process imported: the kernel must import exactly this one.
PACKAGE_DIR = Path(__file__).resolve().parent.parent
SOCKETS = "/run/threads101"
UNSAFE_ENV = "THREADS101_UNSAFE"
MiB = 1024 * 1024


class SandboxUnavailable(RuntimeError):
    pass


@functools.lru_cache(maxsize=1)
def sandbox_problem(bwrap: str = "bwrap") -> str | None:
    """Why sandboxing cannot work on this machine (None: it works)."""
    path = shutil.which(bwrap)
    if path is None:
        return ("bubblewrap (bwrap) is not installed: install the Debian package "
                "'bubblewrap' (make system, as root)")
    try:
        proc = subprocess.run([path, "--ro-bind", "/", "/", "--unshare-all", "--proc", "/proc",
                               "--dev", "/dev", "--die-with-parent", "true"],
                              capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"bubblewrap could not run: {exc}"
    if proc.returncode != 0:
        return (f"bubblewrap cannot create namespaces here ({proc.stderr.strip()}); "
                f"run as root or allow unprivileged user namespaces")
    return None


def _ro_bind(path: str, made: set[str]) -> list[str]:
    """Bind `path` read-only at the same place, its parents made traversable (bwrap would
    create them mode 0700, closed to the kernel's throw-away user)."""
    args = []
    parent = os.path.dirname(path)
    ancestors = []
    while parent not in ("/", ""):
        ancestors.append(parent)
        parent = os.path.dirname(parent)
    for directory in reversed(ancestors):
        if directory not in made:
            made.add(directory)
            args += ["--perms", "0755", "--dir", directory]
    return args + ["--ro-bind", path, path]


def _system_binds() -> list[str]:
    args = []
    for top in ("/usr", "/etc", "/bin", "/sbin", "/lib", "/lib64", "/lib32"):
        if os.path.islink(top):
            args += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            args += ["--ro-bind", top, top]
    return args


def _python_binds(made: set[str]) -> list[str]:
    """The Python installation, the virtualenv and this package, read-only, at their paths."""
    paths = {os.path.realpath(sys.base_prefix), os.path.realpath(sys.prefix), str(PACKAGE_DIR)}
    args = []
    for path in sorted(paths):
        if not path.startswith(("/usr/", "/etc/")) and path != "/usr":
            args += _ro_bind(path, made)
    return args


def bwrap_command(command: list[str], connection_file: str, *, memory: int, processes: int,
                  cpu_seconds: int, file_size: int, tmp_size: int,
                  env: dict[str, str] | None = None) -> list[str]:
    """`command` wrapped in bubblewrap and the limits launcher."""
    # Every namespace but the user one: as root, the kernel then drops to a user of its own.
    args = ["bwrap", "--die-with-parent", "--new-session", "--unshare-pid", "--unshare-net",
            "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"]
    # Mounts apply in order, and a tmpfs hides what was bound below it before: the
    # tmpfs come first, then the binds (the virtualenv or the connection file may be in /tmp).
    args += _system_binds()
    args += ["--proc", "/proc", "--dev", "/dev",
             "--size", str(tmp_size), "--perms", "1777", "--tmpfs", "/tmp",
             "--size", str(4 * MiB), "--perms", "1777", "--tmpfs", SOCKETS]
    made: set[str] = set()
    args += _python_binds(made) + _ro_bind(connection_file, made)
    args += ["--chdir", "/tmp", "--clearenv"]
    clean = {"PATH": f"{os.path.dirname(sys.executable)}:/usr/local/bin:/usr/bin:/bin",
             "HOME": "/tmp", "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1",
             "MPLBACKEND": "Agg"}
    for name in ("NBGRADER_EXECUTION", "NBGRADER_VALIDATING", "THREADS101_SANDBOX_DEBUG",
                 "THREADS101_EXPLAIN"):
        if name in os.environ:
            clean[name] = os.environ[name]
    # The kernel imports exactly the threads101 the grader runs (an editable checkout, a
    # wheel in site-packages, or a copy next to the course): its folder is bound read-only
    # above, and its parent comes first on the kernel's path.
    clean["PYTHONPATH"] = str(PACKAGE_DIR.parent)
    clean.update(env or {})
    for name, value in clean.items():
        args += ["--setenv", name, value]
    launcher = [sys.executable, "-m", "threads101.grading.sandbox", "--memory", str(memory),
                "--processes", str(processes), "--cpu", str(cpu_seconds),
                "--file-size", str(file_size), "--package", str(PACKAGE_DIR), "--"]
    return args + ["--"] + launcher + command


def _sandbox_pid(outer: int, timeout: float = 10.0) -> int:
    """The pid, seen from here, of the first process inside the sandbox bwrap started."""
    deadline = time.monotonic() + timeout
    path = f"/proc/{outer}/task/{outer}/children"
    while time.monotonic() < deadline:
        try:
            children = Path(path).read_text().split()
        except OSError:
            children = []
        if children:
            return int(children[0])
        time.sleep(0.005)
    raise SandboxUnavailable("the sandboxed kernel did not start (bubblewrap made no process)")


class SandboxedKernelManager(AsyncKernelManager):
    """An AsyncKernelManager whose kernels run in a bubblewrap sandbox (see module doc)."""

    memory_limit = Integer(2048 * MiB, help="Address space of the kernel, in bytes.").tag(config=True)
    max_processes = Integer(512, help="Processes and threads the kernel may have.").tag(config=True)
    cpu_seconds = Integer(900, help="CPU seconds the kernel may use.").tag(config=True)
    max_file_size = Integer(64 * MiB, help="Largest file the kernel may write.").tag(config=True)
    tmp_size = Integer(256 * MiB, help="Size of the kernel's private /tmp.").tag(config=True)
    allow_unsafe = Bool(False, help="Run kernels without a sandbox where bubblewrap cannot "
                        "(or set THREADS101_UNSAFE=1).").tag(config=True)
    bwrap = Unicode("bwrap").tag(config=True)

    def _unsafe(self) -> bool:
        return self.allow_unsafe or os.environ.get(UNSAFE_ENV) == "1"

    async def _async_pre_start_kernel(self, **kw):
        problem = sandbox_problem(self.bwrap)
        self._sandboxed = problem is None
        if not self._sandboxed:
            if not self._unsafe():
                raise SandboxUnavailable(
                    f"refusing to run untrusted code without a sandbox: {problem}. "
                    f"Pass --unsafe (threads101 grade) or set {UNSAFE_ENV}=1 to grade anyway.")
            self.log.warning("grading WITHOUT a sandbox: %s", problem)
            return await super()._async_pre_start_kernel(**kw)
        self.transport = "ipc"
        self._private_dir = tempfile.mkdtemp(prefix="threads101-kernel-")
        self.connection_file = os.path.join(self._private_dir, "kernel.json")
        self.ip = f"{SOCKETS}/kernel"
        kw.pop("env", None)  # the sandbox gets a clean environment of its own
        cmd, kw = await super()._async_pre_start_kernel(**kw)
        os.chmod(self.connection_file, 0o644)  # readable by the kernel's throw-away user
        cmd = bwrap_command(cmd, self.connection_file, memory=self.memory_limit,
                            processes=self.max_processes, cpu_seconds=self.cpu_seconds,
                            file_size=self.max_file_size, tmp_size=self.tmp_size)
        cmd[0] = shutil.which(self.bwrap) or self.bwrap
        return cmd, kw

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        await super()._async_launch_kernel(kernel_cmd, **kw)
        if getattr(self, "_sandboxed", False):
            pid = _sandbox_pid(self.provisioner.process.pid)
            self.ip = f"/proc/{pid}/root{SOCKETS}/kernel"
            self._sandbox_init = pid
            self._kernel_pid = _sandbox_pid(pid)  # the kernel: the child of the sandbox's init

    async def _async_signal_kernel(self, signum: int) -> None:
        # jupyter_client signals the process group of what it started: here bubblewrap
        # outside the sandbox, which a SIGINT kills, sandbox and all. An interrupt (a cell
        # over nbgrader's timeout) must reach the kernel itself, as without a sandbox.
        pid = getattr(self, "_kernel_pid", None)
        if pid is None or not self.has_kernel:
            return await super()._async_signal_kernel(signum)
        init = self._sandbox_init
        try:  # still the kernel (a pid is reused once its process is gone)
            alive = str(pid) in Path(f"/proc/{init}/task/{init}/children").read_text().split()
        except OSError:
            alive = False
        if alive:
            try:
                os.kill(pid, signum)
            except ProcessLookupError:
                pass

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart)
        private = getattr(self, "_private_dir", None)
        if private and not restart:
            shutil.rmtree(private, ignore_errors=True)

    # AsyncKernelManager binds these names to KernelManager's functions; nbclient calls
    # `cleanup_resources` directly when the kernel is already dead.
    cleanup_resources = _async_cleanup_resources


# ---------------------------------------------------------------------------
# Inside the sandbox: set the limits, become a throw-away user, start the kernel.
# ---------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m threads101.grading.sandbox")
    parser.add_argument("--memory", type=int, required=True)
    parser.add_argument("--processes", type=int, required=True)
    parser.add_argument("--cpu", type=int, required=True)
    parser.add_argument("--file-size", type=int, required=True)
    parser.add_argument("--package", help="the threads101 folder the kernel must import")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if args.package and Path(args.package) != PACKAGE_DIR:
        sys.stderr.write(f"threads101 sandbox: the kernel would import threads101 from {PACKAGE_DIR}, "
                         f"not {args.package} as the grader does; refusing to start.\n")
        sys.exit(3)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    limits = {resource.RLIMIT_AS: args.memory, resource.RLIMIT_NPROC: args.processes,
              resource.RLIMIT_CPU: args.cpu, resource.RLIMIT_FSIZE: args.file_size,
              resource.RLIMIT_NOFILE: 1024, resource.RLIMIT_CORE: 0}
    for which, value in limits.items():
        resource.setrlimit(which, (value, value))
    if os.environ.get("THREADS101_SANDBOX_DEBUG") != "1":
        # The kernel's own stdout/stderr are not cell output (that goes over ZeroMQ): keep
        # banners and whatever student code writes there out of the grader's terminal.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
    if os.getuid() == 0:  # a user of its own: process limits count for this kernel alone
        uid = 200_000 + secrets.randbelow(100_000)
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
    os.execv(command[0], command)


if __name__ == "__main__":
    main()
