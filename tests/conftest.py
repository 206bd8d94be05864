"""Fixtures: a fresh database per test, on SQLite and on a real PostgreSQL server.

The schema is built once per backend by the real migrations (so they are exercised too), then
each test starts from empty tables, the reference data (régions, départements) kept.
"""

from __future__ import annotations

import os
import tempfile

import pytest

os.environ.setdefault("ANCRAGE_BCRYPT_ROUNDS", "4")
os.environ.setdefault("ANCRAGE_VALIDATE_CHARTS", "1")  # the app skips Altair's schema check; the tests keep it
_TMP = tempfile.mkdtemp(prefix="ancrage-tests-")
os.environ["ANCRAGE_DATA_DIR"] = _TMP
os.environ["ANCRAGE_SECRET_DIR"] = os.path.join(_TMP, "secret")
os.environ.pop("DATABASE_URL", None)

import sqlalchemy as sa  # noqa: E402
from sqlmodel import SQLModel  # noqa: E402

from core.config import reset_settings  # noqa: E402
from core.db import dispose_engines, engine  # noqa: E402

KEEP = {"regions", "departements", "alembic_version", "data_version"}
_prepared: set[str] = set()


@pytest.fixture(scope="session")
def pg_url():
    """URL of a PostgreSQL server: ANCRAGE_TEST_PG_URL, or one started for this run."""
    if os.environ.get("ANCRAGE_TEST_PG_URL"):
        yield os.environ["ANCRAGE_TEST_PG_URL"]
        return
    from tests import pg_server

    try:
        server = pg_server.start()
    except (RuntimeError, OSError) as error:
        if os.environ.get("ANCRAGE_REQUIRE_PG") == "1":
            pytest.fail(f"PostgreSQL is required for this run: {error}")
        pytest.skip(f"no PostgreSQL server: {error}")
    yield server.url
    dispose_engines()
    server.stop()


def use_database(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    reset_settings()
    dispose_engines()


def _prepare(url: str) -> None:
    from startup.bootstrap import init_database

    if url not in _prepared:
        init_database()
        _prepared.add(url)


def _empty_tables() -> None:
    tables = [t for t in reversed(SQLModel.metadata.sorted_tables) if t.name not in KEEP]
    with engine().begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            connection.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            # Triggers that refuse DELETE (the signalement history guards; TRUNCATE, on PostgreSQL,
            # fires no row trigger) are lifted for the emptying and put back as they were.
            triggers = connection.execute(sa.text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")).all()
            for name, _ in triggers:
                connection.execute(sa.text(f'DROP TRIGGER "{name}"'))
            for table in tables:
                connection.execute(table.delete())
            connection.execute(sa.text("DELETE FROM sqlite_sequence")) if _has_sequence(connection) else None
            for _, sql in triggers:
                connection.execute(sa.text(sql))


def _has_sequence(connection) -> bool:
    return bool(connection.execute(sa.text("SELECT 1 FROM sqlite_master WHERE name='sqlite_sequence'")).first())


def _sqlite_url() -> str:
    return f"sqlite:///{os.path.join(_TMP, 'tests.db')}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request):
    """A fresh database on each backend; yields the backend's name."""
    url = _sqlite_url() if request.param == "sqlite" else request.getfixturevalue("pg_url")
    use_database(url)
    _prepare(url)
    _empty_tables()
    yield request.param


@pytest.fixture
def sqlite_db():
    """A fresh SQLite database only (page tests), with Streamlit's caches emptied.

    Emptying the tables leaves the data version (a counter kept across tests) where it was: a cached
    read of a previous test could otherwise answer for the same version number.
    """
    import streamlit as st

    use_database(_sqlite_url())
    _prepare(_sqlite_url())
    _empty_tables()
    st.cache_data.clear()
    yield "sqlite"


@pytest.fixture(scope="session")
def _demo_session():
    """The demo generated once per test session, on its own SQLite file: (url, context)."""
    from demo.generate import demo_generate

    url = f"sqlite:///{os.path.join(_TMP, 'demo.db')}"
    use_database(url)
    _prepare(url)
    return url, demo_generate()


@pytest.fixture
def demo_db(_demo_session):
    """The session's demo database (SQLite), with Streamlit's caches emptied; yields the demo's context.

    Tests read it; what they write (an account, say) stays for the next ones, so keep writes small."""
    import streamlit as st

    url, context = _demo_session
    use_database(url)
    st.cache_data.clear()
    yield context


def pytest_collection_modifyitems(config, items):
    """`pg` for every test that runs on PostgreSQL (the `db` fixture's second backend, or `pg_url`)."""
    for item in items:
        params = item.callspec.params if hasattr(item, "callspec") else {}
        if params.get("db") == "postgresql" or "pg_url" in item.fixturenames:
            item.add_marker(pytest.mark.pg)
