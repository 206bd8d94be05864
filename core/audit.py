"""Every flushed insert, update and delete leaves an audit row: who, when, what, before, after.

The hook sits on the ORM session, so no service can forget it. A write without an acting user
is refused: services are only ever called on behalf of someone (or of the system, for seeding).
Tables that are themselves logs set `__audit__ = False`.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from enum import Enum

import sqlalchemy as sa
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from core.access import LOGIN_REQUIRED
from core.errors import AccessDenied
from models.audit import AuditEntry
from models.base import utcnow
from models.data_version import DataVersion

_PENDING = "_audit_pending"
_NEW = "_audit_new"
_WROTE = "_audit_wrote"
_written = 0  # audit entries this process has inserted (read by write_count)


def write_count() -> int:
    """How many audit entries this process has written so far: it moves with every audited write, so a
    caller can tell whether a block of code wrote anything (and only then refresh its cached reads)."""
    return _written


def _table(model):  # SQLModel gives every table model its Table, which the type checker does not see
    return model.__table__


def _count(entries: int) -> None:
    global _written
    _written += entries


def _jsonable(value):
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    return value


def _dump(values: dict) -> str:
    return json.dumps({k: _jsonable(v) for k, v in values.items()}, ensure_ascii=False, default=str)


def _audited(obj) -> bool:
    return getattr(type(obj), "__audit__", True) and hasattr(type(obj), "__table__")


def _row(obj) -> dict:
    mapper = inspect(obj).mapper
    return {attr.key: getattr(obj, attr.key) for attr in mapper.column_attrs if attr.key != "password_hash"}


def _entity_id(obj) -> str | None:
    identity = inspect(obj).identity or tuple(getattr(obj, c.key) for c in inspect(obj).mapper.primary_key)
    return ",".join(str(v) for v in identity) if identity else None


def _diff(obj) -> tuple[dict, dict]:
    before, after = {}, {}
    for attr in inspect(obj).mapper.column_attrs:
        if attr.key in ("version", "updated_at"):
            continue
        history = inspect(obj).attrs[attr.key].history
        if history.has_changes():
            shown = "***" if attr.key == "password_hash" else None
            before[attr.key] = shown or (history.deleted[0] if history.deleted else None)
            after[attr.key] = shown or (history.added[0] if history.added else None)
    return before, after


@event.listens_for(Session, "before_flush")
def _collect(session: Session, _context, _instances) -> None:
    changed = [o for o in (*session.new, *session.dirty, *session.deleted) if _audited(o)]
    if not changed:
        return
    actor = session.info.get("actor")
    if actor is None:
        raise AccessDenied(LOGIN_REQUIRED)
    pending = session.info.setdefault(_PENDING, [])
    session.info.setdefault(_NEW, []).extend(o for o in session.new if _audited(o))
    for obj in session.dirty:
        if _audited(obj) and session.is_modified(obj, include_collections=False):
            before, after = _diff(obj)
            if after:
                pending.append(_entry(actor, "update", obj, before, after))
    for obj in session.deleted:
        if _audited(obj):
            pending.append(_entry(actor, "delete", obj, _row(obj), None))


@event.listens_for(Session, "after_flush")
def _write(session: Session, _context) -> None:
    pending = session.info.pop(_PENDING, [])
    actor = session.info.get("actor")
    for obj in session.info.pop(_NEW, []):
        pending.append(_entry(actor, "create", obj, None, _row(obj)))
    if pending:
        session.connection().execute(sa.insert(_table(AuditEntry)), pending)
        _count(len(pending))
        session.info[_WROTE] = True


def _entry(actor, action: str, obj, before: dict | None, after: dict | None) -> dict:
    return {
        "at": utcnow(),
        "user_id": actor.user_id,
        "username": actor.username,
        "action": action,
        "entity": obj.__table__.name,
        "entity_id": _entity_id(obj),
        "before": None if before is None else _dump(before),
        "after": None if after is None else _dump(after),
    }


def audit_record(session: Session, entries: list[tuple[str, str, str | None, dict | None, dict | None]]) -> None:
    """Write explicit audit entries for rows a service writes in bulk, outside the ORM hook.

    Each entry is (action, entity, entity_id, before, after); the author is the session's actor.

    >>> # audit_record(session, [("update", "weekly_values", "12", {"arrivees": 1}, {"arrivees": 2})])
    """
    actor = session.info.get("actor")
    if actor is None:
        raise AccessDenied(LOGIN_REQUIRED)
    if not entries:
        return
    now = utcnow()
    rows = [
        {
            "at": now,
            "user_id": actor.user_id,
            "username": actor.username,
            "action": action,
            "entity": entity,
            "entity_id": entity_id,
            "before": None if before is None else _dump(before),
            "after": None if after is None else _dump(after),
        }
        for action, entity, entity_id, before, after in entries
    ]
    session.connection().execute(sa.insert(_table(AuditEntry)), rows)
    _count(len(rows))
    session.info[_WROTE] = True


@event.listens_for(Session, "before_commit")
def _bump_data_version(session: Session) -> None:
    """A transaction that wrote increments the data version as its very last statement.

    Last, so the counter row is locked only for the commit itself: no other lock is taken after it,
    hence no deadlock between writers, and each writer's commit moves the version (the newest audit id
    would not move when an earlier transaction commits after a later one).
    """
    session.flush()
    if session.info.pop(_WROTE, False):
        table = _table(DataVersion)
        session.connection().execute(sa.update(table).values(n=table.c.n + 1))


@event.listens_for(Session, "after_rollback")
def _forget_writes(session: Session) -> None:
    session.info.pop(_WROTE, None)
