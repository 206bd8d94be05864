"""Processes starting together on an empty database take turns to migrate; none fails."""

from __future__ import annotations

import os
import subprocess
import sys

import sqlalchemy as sa

from core.config import PROJECT_ROOT
from tests import pg_server
from tests.deploy.test_start_modes import ENV_NAMES

PROCESSES = 3


def test_processes_starting_together_on_an_empty_postgresql_all_succeed(pg_url):
    url = pg_server.create_database(pg_url, "ancrage_concurrent_start")
    env = {k: v for k, v in os.environ.items() if k not in ENV_NAMES}
    env["DATABASE_URL"] = url
    starts = [
        subprocess.Popen(
            [sys.executable, "-m", "startup.bootstrap"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(PROCESSES)
    ]
    results = [(p.wait(timeout=300), p.stderr.read()) for p in starts]
    assert [code for code, _ in results] == [0] * PROCESSES, "\n".join(err for _, err in results)
    probe = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with probe.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM departements")).scalar_one() == 101
        assert connection.execute(sa.text("SELECT count(*) FROM alembic_version")).scalar_one() == 1
    probe.dispose()
