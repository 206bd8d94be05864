"""Reading the audit log (writes are recorded by core.audit on every flush)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlmodel import func, select

from core.access import Action, Actor, require
from core.db import session_scope
from core.formatting import PARIS
from models.audit import AuditEntry
from models.data_version import DataVersion
from models.user import User
from services.people import author_name


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditEntry]
    total: int
    authors: list[str] = field(default_factory=list)  # each row's author by name, in the same order


def audit_list(
    *,
    actor: Actor,
    entity: str | None = None,
    username: str | None = None,
    start: date | None = None,
    end: date | None = None,
    limit: int = 50,
    offset: int = 0,
) -> AuditPage:
    """Coordination only: audit entries, newest first, filtered and paged in SQL, with the total."""
    require(actor, Action.AUDIT_VIEW)
    conditions = []
    if entity:
        conditions.append(AuditEntry.entity == entity)
    if username:
        conditions.append(AuditEntry.username == username)
    if start:
        conditions.append(AuditEntry.at >= datetime.combine(start, time(), PARIS))
    if end:
        conditions.append(AuditEntry.at < datetime.combine(end + timedelta(days=1), time(), PARIS))
    with session_scope(actor) as session:
        total = session.exec(select(func.count()).select_from(AuditEntry).where(*conditions)).one()
        found = session.exec(
            select(AuditEntry, author_name(AuditEntry.username))
            .join(User, User.username == AuditEntry.username, isouter=True)
            .where(*conditions)
            .order_by(AuditEntry.id.desc())
            .limit(limit)
            .offset(offset)
        ).all()
    return AuditPage(rows=[row for row, _ in found], total=total, authors=[name for _, name in found])


def audit_entities(*, actor: Actor) -> list[str]:
    """Coordination only: the entity names present in the log, for a filter."""
    require(actor, Action.AUDIT_VIEW)
    with session_scope(actor) as session:
        return list(session.exec(select(AuditEntry.entity).distinct().order_by(AuditEntry.entity)))


def data_version() -> int:
    """Any caller: a number that grows with every committed write anywhere (a counter row each writing
    transaction increments, see core.audit).

    Cached reads take it as an argument, so a write in any process invalidates them at once.
    """
    with session_scope() as session:
        return session.exec(select(DataVersion.n)).first() or 0
