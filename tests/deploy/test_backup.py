"""Back up with scripts/backup.sh, restore into a new database with scripts/restore.sh, start the app on it."""

from __future__ import annotations

import os
import subprocess

import pytest

from core.access import SYSTEM
from core.config import PROJECT_ROOT, reset_settings
from core.db import dispose_engines
from services.admin.users import actor_for_username
from services.directory.structure_listing import structure_list
from startup.bootstrap import init_database
from tests import pg_server
from tests.conftest import use_database
from tests.deploy.test_start_modes import ENV_NAMES
from tests.factories import make_structure, make_user


def _script(name: str, *args: str, url: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ENV_NAMES}
    env.update(DATABASE_URL=url, PG_BINDIR=pg_server._bindir())
    return subprocess.run(
        [str(PROJECT_ROOT / "scripts" / name), *args], env=env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def own_databases(monkeypatch):
    """The test switches databases; the settings of the next tests come back afterwards."""
    monkeypatch.setenv("DATABASE_URL", os.environ.get("DATABASE_URL", ""))
    yield
    monkeypatch.undo()
    reset_settings()
    dispose_engines()


def test_backup_restores_into_a_new_database_the_app_starts_on(pg_url, tmp_path, own_databases):
    source = pg_server.create_database(pg_url, "ancrage_backup_source")
    use_database(source)
    init_database()
    make_structure(name="Maison sauvegardée")
    make_user(username="coord.sauvegarde")
    backup = _script("backup.sh", str(tmp_path / "sauvegardes"), url=source)
    assert backup.returncode == 0, backup.stderr
    dump = backup.stdout.strip()
    assert dump.endswith(".dump") and os.path.getsize(dump) > 0
    assert oct(os.stat(dump).st_mode & 0o777) == "0o600"

    target = pg_server.create_database(pg_url, "ancrage_backup_restored")
    restore = _script("restore.sh", dump, url=target)
    assert restore.returncode == 0, restore.stderr
    use_database(target)
    init_database()  # what the app does at start: nothing to migrate, nothing lost
    assert [s.name for s in structure_list(actor=SYSTEM).rows] == ["Maison sauvegardée"]
    assert actor_for_username(username="coord.sauvegarde") is not None


def test_backup_refuses_a_sqlite_url(tmp_path):
    result = _script("backup.sh", str(tmp_path), url="sqlite:////tmp/x.db")
    assert result.returncode == 2
    assert "PostgreSQL" in result.stderr
