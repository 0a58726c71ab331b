"""A throw-away PostgreSQL server on 127.0.0.1 for the tests (Debian's postgresql package)."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile


def _bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


def available() -> str | None:
    """Why PostgreSQL cannot run here (None: it can)."""
    if not (_bin("initdb") and _bin("pg_ctl")):
        return "PostgreSQL is not installed (Debian package postgresql; make system)"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def temporary_postgres():
    """Yields a function db_url(name) that creates a database and returns its URL."""
    root = tempfile.mkdtemp(prefix="threads101-pg-")
    data = os.path.join(root, "data")
    port = _free_port()
    as_user: list[str] = []
    if os.getuid() == 0:  # initdb refuses to run as root
        shutil.chown(root, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    subprocess.run(as_user + [_bin("initdb"), "-D", data, "-A", "trust", "-U", "postgres"],
                   check=True, capture_output=True)
    subprocess.run(as_user + [_bin("pg_ctl"), "-D", data, "-w", "-l", os.path.join(root, "log"),
                              "-o", f"-p {port} -h 127.0.0.1 -k {root}", "start"],
                   check=True, capture_output=True)
    try:
        import psycopg2

        def db_url(name: str) -> str:
            conn = psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres")
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute(f'CREATE DATABASE "{name}"')
            conn.close()
            return f"postgresql+psycopg2://postgres@127.0.0.1:{port}/{name}"

        yield db_url
    finally:
        subprocess.run(as_user + [_bin("pg_ctl"), "-D", data, "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(root, ignore_errors=True)
