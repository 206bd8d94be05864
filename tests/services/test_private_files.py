"""The SQLite database, its WAL files and the generated cookie key are private from their creation."""

import os
import stat
from dataclasses import replace

import pytest
import sqlalchemy as sa

from core.config import get_settings
from core.db import _create_engine


@pytest.fixture
def open_umask():
    """A umask that lets every local user read new files, as on many servers."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_sqlite_folder_database_and_wal_files_are_private(tmp_path, open_umask):
    database = tmp_path / "new" / "data" / "ancrage.db"
    engine = _create_engine(f"sqlite:///{database}")
    try:
        with engine.begin() as connection:
            connection.execute(sa.text("CREATE TABLE t (x INTEGER)"))
            connection.execute(sa.text("INSERT INTO t VALUES (1)"))
        wal = [database.with_name(database.name + suffix) for suffix in ("-wal", "-shm")]
        assert all(path.exists() for path in wal)
        assert {_mode(p) for p in (database, *wal)} == {0o600}
        assert _mode(database.parent) == _mode(database.parent.parent) == 0o700
    finally:
        engine.dispose()


def test_generated_cookie_key_is_private_from_its_creation(tmp_path, open_umask):
    settings = replace(
        get_settings(),
        environment="development",
        cookie_key_configured=None,
        secret_dir=tmp_path / "config" / "ancrage",
    )
    key = settings.cookie_key()
    path = tmp_path / "config" / "ancrage" / "cookie_key"
    assert path.read_text() == key and settings.cookie_key() == key
    assert _mode(path) == 0o600
    assert _mode(path.parent) == _mode(path.parent.parent) == 0o700
