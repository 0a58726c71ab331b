"""A real Dask cluster on this machine for the tests: `dask scheduler` and `dask worker` processes."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


class Cluster:
    def __init__(self, root: Path, workers: int):
        self.root = root
        self.scheduler_file = root / "scheduler.json"
        env = dict(os.environ, DASK_DISTRIBUTED__WORKER__DAEMON="False")
        self.scheduler = subprocess.Popen(
            [sys.executable, "-m", "dask", "scheduler", "--host", "127.0.0.1", "--port", "0",
             "--no-dashboard", "--scheduler-file", str(self.scheduler_file)],
            cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=open(root / "scheduler.log", "w"))
        deadline = time.monotonic() + 60
        while not self.scheduler_file.exists():
            if time.monotonic() > deadline or self.scheduler.poll() is not None:
                raise RuntimeError("the dask scheduler did not start: "
                                   + (root / "scheduler.log").read_text()[-2000:])
            time.sleep(0.1)
        time.sleep(0.2)
        self.address = json.loads(self.scheduler_file.read_text())["address"]
        self.workers = [self._worker(i, env) for i in range(workers)]
        self._wait_for_workers(workers)

    def _worker(self, i: int, env: dict) -> subprocess.Popen:
        # --no-nanny: killing a worker's process removes it (a nanny would restart it).
        # Workers run in their own empty folder: they need no course directory.
        folder = self.root / f"worker{i}"
        folder.mkdir()
        return subprocess.Popen(
            [sys.executable, "-m", "dask", "worker", self.address, "--nthreads", "1",
             "--no-nanny", "--no-dashboard", "--host", "127.0.0.1", "--name", f"w{i}"],
            cwd=folder, env=env, stdout=subprocess.DEVNULL,
            stderr=open(self.root / f"worker{i}.log", "w"))

    def _wait_for_workers(self, n: int) -> None:
        from distributed import Client

        with Client(self.address, timeout=30) as client:
            client.wait_for_workers(n, timeout=60)

    def kill_worker(self, i: int) -> None:
        self.workers[i].kill()
        self.workers[i].wait()

    def stop(self) -> None:
        for p in self.workers + [self.scheduler]:
            if p.poll() is None:
                p.terminate()
        for p in self.workers + [self.scheduler]:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()


@contextlib.contextmanager
def dask_cluster(workers: int = 2):
    root = Path(tempfile.mkdtemp(prefix="threads101-dask-"))
    cluster = Cluster(root, workers)
    try:
        yield cluster
    finally:
        cluster.stop()
