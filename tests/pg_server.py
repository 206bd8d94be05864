"""A throw-away PostgreSQL server for the test run, started from Debian's server binaries.

As root, the server runs as the `postgres` user (PostgreSQL refuses root). It listens on a free
loopback port, with durability off (tests do not need it), and is stopped at the end of the run.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass


def _bindir() -> str | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
    return candidates[-1] if candidates else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class PgServer:
    url: str
    datadir: str
    bindir: str
    as_postgres: bool
    options: str = ""

    def pause(self) -> None:
        """Stop the server as an outage would, keeping its data (`resume` starts it again)."""
        _run(self, "pg_ctl", "-D", self.datadir, "-m", "fast", "-w", "stop")

    def resume(self) -> None:
        log = os.path.join(os.path.dirname(self.datadir), "log")
        _run(self, "pg_ctl", "-D", self.datadir, "-o", self.options, "-l", log, "-w", "start")

    def stop(self) -> None:
        _run(self, "pg_ctl", "-D", self.datadir, "-m", "immediate", "stop", check=False)
        shutil.rmtree(os.path.dirname(self.datadir), ignore_errors=True)


def _run(server_or_flag, tool: str, *args: str, bindir: str | None = None, check: bool = True):
    as_postgres = server_or_flag.as_postgres if isinstance(server_or_flag, PgServer) else server_or_flag
    bindir = bindir or server_or_flag.bindir
    command = [os.path.join(bindir, tool), *args]
    if as_postgres:
        command = ["runuser", "-u", "postgres", "--", *command]
    return subprocess.run(command, check=check, capture_output=True, text=True)


def start() -> PgServer:
    """Start a fresh server and return it; raises RuntimeError when no server binaries exist."""
    bindir = _bindir()
    if bindir is None:
        raise RuntimeError("PostgreSQL server binaries not found under /usr/lib/postgresql")
    as_postgres = os.geteuid() == 0
    root = tempfile.mkdtemp(prefix="ancrage-pg-")
    datadir = os.path.join(root, "data")
    if as_postgres:
        entry = pwd.getpwnam("postgres")
        os.chown(root, entry.pw_uid, entry.pw_gid)
    _run(
        as_postgres,
        "initdb",
        "-D",
        datadir,
        "-U",
        "ancrage",
        "--auth=trust",
        "-E",
        "UTF8",
        "--locale=C.UTF-8",
        bindir=bindir,
    )
    port = _free_port()
    options = (
        f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=50"
    )
    server = PgServer(url="", datadir=datadir, bindir=bindir, as_postgres=as_postgres, options=options)
    _run(server, "pg_ctl", "-D", datadir, "-o", options, "-l", os.path.join(root, "log"), "-w", "start")
    _run(server, "createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "ancrage", "ancrage_test")
    server.url = f"postgresql+psycopg://ancrage@127.0.0.1:{port}/ancrage_test"
    return server


def create_database(url: str, name: str) -> str:
    """A new empty database `name` on the server of `url` (dropped first if left by an earlier run)."""
    import sqlalchemy as sa

    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.rsplit("/", 1)[0] + "/" + name
