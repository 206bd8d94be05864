"""The engine, the unit of work and the migrations: the only place that opens connections.

Services open their work with `session_scope(actor)`. A scope opened inside another one joins
it, so several service calls (the demo generator, an import) commit or roll back together.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.access import Actor
from core.config import PROJECT_ROOT, get_settings
from core.private_files import private_file

T = TypeVar("T")
_current_session: ContextVar[Session | None] = ContextVar("ancrage_session", default=None)


_ENGINES: dict[str, Engine] = {}
CONNECT_TIMEOUT_S = 5
RETRY_DELAYS_S = (0.2, 0.6, 1.5)
# PostgreSQL states meaning "not now" rather than "wrong": connection lost or refused (class 08),
# server shutting down or starting, too many connections, lock or statement timeout, deadlock.
_TRANSIENT_SQLSTATES = {"57P01", "57P02", "57P03", "53300", "55P03", "57014", "40P01", "40001"}
_SQLITE_TRANSIENT = ("database is locked", "database table is locked", "unable to open database", "disk i/o error")


def _engine_for(url: str) -> Engine:
    if url not in _ENGINES:
        _ENGINES[url] = _create_engine(url)
    return _ENGINES[url]


def ensure_sqlite_dir(url: str) -> None:
    """Create the folder (0700) and the file (0600) of a SQLite file URL before SQLite does (see
    core.private_files); the default lives under data/, which git ignores."""
    path = url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else ""
    if path and path != ":memory:":
        private_file(Path(path))


def _create_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        ensure_sqlite_dir(url)
        eng = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(eng, "connect", _sqlite_pragmas)
        return eng
    # A server that does not answer is reported within seconds rather than hanging every page.
    return sa.create_engine(
        url, pool_pre_ping=True, pool_size=5, max_overflow=10, connect_args={"connect_timeout": CONNECT_TIMEOUT_S}
    )


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def engine() -> Engine:
    """The engine for the configured DATABASE_URL (one per URL and process)."""
    return _engine_for(get_settings().database_url)


def dispose_engines() -> None:
    """Close every pooled connection (tests switching databases)."""
    while _ENGINES:
        _ENGINES.popitem()[1].dispose()


def database_unavailable(error: BaseException) -> bool:
    """True when `error` says the database cannot answer right now (down, restarting, busy, locked),
    as opposed to a fault in the query or the data.

    >>> database_unavailable(sa.exc.OperationalError("SELECT 1", {}, Exception("database is locked")))
    True
    """
    if isinstance(error, (sa.exc.InterfaceError, sa.exc.TimeoutError)):
        return True
    if isinstance(error, sa.exc.DBAPIError) and error.connection_invalidated:
        return True
    if not isinstance(error, sa.exc.OperationalError):
        return False
    sqlstate = getattr(error.orig, "sqlstate", None)
    if sqlstate is not None:
        return sqlstate.startswith("08") or sqlstate in _TRANSIENT_SQLSTATES
    text = str(error.orig).lower()
    if "sqlite" in type(error.orig).__module__:
        return any(fault in text for fault in _SQLITE_TRANSIENT)
    return True  # a driver error without a state: the connection itself failed


def with_retries(call: Callable[[], T]) -> T:
    """`call()`, tried again after short pauses while the database is only busy or briefly away.

    Only for reads: a write is never replayed behind the user's back.

    >>> with_retries(lambda: 42)
    42
    """
    for delay in RETRY_DELAYS_S:
        try:
            return call()
        except Exception as error:  # noqa: BLE001 - anything else is re-raised at once
            if not database_unavailable(error):
                raise
            time.sleep(delay)
    return call()


def database_answers() -> bool:
    """Whether the database answers a trivial query now (the outage page polls it)."""
    try:
        with engine().connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        return True
    except sa.exc.SQLAlchemyError:
        return False


@contextmanager
def session_scope(actor: Actor | None = None) -> Iterator[Session]:
    """A session that commits on success and rolls back on error; nested scopes share it.

    >>> # with session_scope(actor) as session:
    >>> #     session.add(row)          # audited with `actor` as author
    """
    outer = _current_session.get()
    if outer is not None:
        if actor is not None and outer.info.get("actor") is None:
            outer.info["actor"] = actor
        yield outer
        return
    session = Session(engine(), expire_on_commit=False)
    session.info["actor"] = actor
    token = _current_session.set(session)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        _current_session.reset(token)
        session.close()


def alembic_config(url: str | None = None):
    from alembic.config import Config

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", (url or get_settings().database_url).replace("%", "%%"))
    return config


def upgrade_to_head(url: str | None = None) -> None:
    """Bring the schema to the latest migration."""
    from alembic import command

    command.upgrade(alembic_config(url), "head")


import core.audit  # noqa: E402,F401  (registers the audit hooks on every session)
import core.bounds  # noqa: E402,F401  (registers the guard on typed values)
import core.summaries  # noqa: E402,F401  (registers the recount of the summary tables)
