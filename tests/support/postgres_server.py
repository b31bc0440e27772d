"""A throwaway PostgreSQL server on 127.0.0.1 for tests: initdb into a fresh folder, pg_ctl start on a
free port (no Unix socket, fsync off, trust for local connections), stopped and deleted afterwards.
PostgreSQL refuses to run as root: as root the server runs as the `postgres` user (else `nobody`).
`missing()` names what is absent (the binaries or the driver) for a one-line skip."""

from __future__ import annotations

import importlib.util
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _bin_dir() -> Path | None:
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return Path(found).resolve().parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    return versions[-1].parent if versions else None


def _run_as() -> list[str]:
    if os.geteuid() != 0:
        return []
    for user in ("postgres", "nobody"):
        try:
            pwd.getpwnam(user)
        except KeyError:
            continue
        return ["runuser", "-u", user, "--"]
    return []


def missing() -> str | None:
    if _bin_dir() is None:
        return "PostgreSQL's initdb/pg_ctl not found (apt-get install postgresql)"
    if importlib.util.find_spec("psycopg") is None:
        return 'the PostgreSQL driver psycopg is not installed (pip install -e ".[cluster]")'
    if os.geteuid() == 0 and not _run_as():
        return "running as root with neither a postgres nor a nobody user to run PostgreSQL as"
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def postgres_server(database: str = "lab") -> Iterator[str]:
    """Yields the SQLAlchemy URL of a new database on a new server."""
    bins, as_user = _bin_dir(), _run_as()
    assert bins is not None, missing()
    folder = Path(tempfile.mkdtemp(prefix="cryptoscalper-pg-"))  # not under pytest's root-only tmp
    data, port = folder / "data", _free_port()
    if as_user:
        user = pwd.getpwnam(as_user[2])
        os.chown(folder, user.pw_uid, user.pw_gid)

    def run(*argv: str) -> None:
        subprocess.run([*as_user, *argv], check=True, cwd=folder, capture_output=True, timeout=120)

    try:
        run(str(bins / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "--no-sync",
            "-E", "UTF8", "--locale=C")
        with (data / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write(f"listen_addresses = '127.0.0.1'\nport = {port}\nunix_socket_directories = ''\n"
                       "fsync = off\nsynchronous_commit = off\nmax_connections = 50\n")
        run(str(bins / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"), "-w", "-t", "60",
            "start")
        try:
            run(str(bins / "psql"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", "postgres",
                "-c", f"create database {database}")
            yield f"postgresql://postgres@127.0.0.1:{port}/{database}"
        finally:
            run(str(bins / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
