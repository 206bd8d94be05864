"""The access log of children's records: who opened which record, and when (read by the coordination).

Every service that hands out one child's record calls `child_access_record` in the same session. A page
re-running with the same record open is not a new opening: the same person opening the same record in
the same context again within `REPEAT_MINUTES` is written once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlmodel import func, select

from core.access import Action, Actor, require
from core.db import session_scope
from core.formatting import PARIS
from models.base import utcnow
from models.child import Child, ChildAccess
from models.structure import Structure
from models.user import User
from services.people import author_name

REPEAT_MINUTES = 10
CONTEXT_REQUEST = "Fiche sollicitation"
CONTEXT_STRUCTURE = "Fiche enfant (structure)"


def child_access_record(session, actor: Actor, *, child_id: int, request_id: int | None, context: str) -> None:
    """Write one opening of a child's record (inside the caller's session; never audited as a write)."""
    since = utcnow() - timedelta(minutes=REPEAT_MINUTES)
    recent = session.exec(
        select(ChildAccess.id)
        .where(
            ChildAccess.staff_login == actor.username,
            ChildAccess.child_id == child_id,
            ChildAccess.context == context,
            ChildAccess.at >= since,
        )
        .limit(1)
    ).first()
    if recent is not None:
        return
    session.add(
        ChildAccess(
            user_id=actor.user_id,
            staff_login=actor.username,
            staff_role=actor.role,
            staff_structure_id=actor.structure_id,
            child_id=child_id,
            request_id=request_id,
            context=context,
        )
    )
    session.flush()


@dataclass(frozen=True)
class AccessRow:
    at: datetime
    staff_login: str
    staff_name: str  # the person's name (their log-in when the account is gone)
    staff_role: str
    structure_name: str | None
    child_code: str
    context: str


@dataclass(frozen=True)
class AccessPage:
    rows: list[AccessRow]
    total: int


def child_access_list(
    *,
    actor: Actor,
    child_code: str | None = None,
    staff_login: str | None = None,
    start: date | None = None,
    end: date | None = None,
    limit: int = 50,
    offset: int = 0,
) -> AccessPage:
    """Coordination only: openings of children's records, newest first, filtered and paged in SQL."""
    require(actor, Action.PATH_ACCESS_LOG_READ)
    conditions = []
    if child_code:
        conditions.append(Child.code == child_code.strip().upper())
    if staff_login:
        conditions.append(ChildAccess.staff_login == staff_login.strip().lower())
    if start:
        conditions.append(ChildAccess.at >= datetime.combine(start, time(), PARIS))
    if end:
        conditions.append(ChildAccess.at < datetime.combine(end + timedelta(days=1), time(), PARIS))
    with session_scope(actor) as session:
        total = session.exec(
            select(func.count())
            .select_from(ChildAccess)
            .join(Child, Child.id == ChildAccess.child_id)
            .where(*conditions)
        ).one()
        rows = session.exec(
            select(
                ChildAccess.at,
                ChildAccess.staff_login,
                author_name(ChildAccess.staff_login),
                ChildAccess.staff_role,
                Structure.name,
                Child.code,
                ChildAccess.context,
            )
            .join(Child, Child.id == ChildAccess.child_id)
            .join(Structure, Structure.id == ChildAccess.staff_structure_id, isouter=True)
            .join(User, User.username == ChildAccess.staff_login, isouter=True)
            .where(*conditions)
            .order_by(ChildAccess.id.desc())
            .limit(limit)
            .offset(offset)
        ).all()
    return AccessPage(rows=[AccessRow(*row) for row in rows], total=total)
