"""Reading signalements: one signalement with its events, the lists, the coordination's board of
pending steps, the open counts and the home items, and what pages show of them (public shapes).

A partner reads its own structure's signalements only (`scope_structure`); another structure's is
not revealed, not even by its absence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import func, select

from core.access import Action, Actor, require, scope_structure
from core.clock import paris_today
from core.db import session_scope
from core.errors import NotFound
from core.formatting import to_paris
from models.base import utcnow
from models.child import Child, Placement
from models.signalement import (
    Severity,
    Signalement,
    SignalementEvent,
    SignalementStatus,
)
from models.structure import Structure

# How long after a placement ended its child may still be named in a signalement of the
# structure (a runaway is often declared once the placement has been closed).
CHILD_RECENT_DAYS = 30


NOT_FOUND = "Signalement introuvable."


@dataclass(frozen=True)
class DueState:
    """The next deadline of an open signalement: which step, when, and whether it has passed."""

    step: str  # "prise en compte" | "transmission"
    due_at: datetime
    overdue: bool
    remaining: timedelta  # negative when overdue


@dataclass(frozen=True)
class SignalementSummary:
    id: int
    reference: str
    structure_id: int
    structure_name: str
    departement_code: str
    child_code: str | None
    occurred_at: datetime
    declared_at: datetime
    declared_by_name: str
    category: str
    severity: str
    status: str
    ack_due_at: datetime | None
    pass_due_at: datetime | None
    acknowledged_at: datetime | None
    passed_on_at: datetime | None
    closed_at: datetime | None
    outcome: str | None
    last_event_at: datetime
    version: int

    @property
    def is_open(self) -> bool:
        return self.status != SignalementStatus.CLOSED.value

    def due(self, now: datetime | None = None) -> DueState | None:
        """The pending deadline (acknowledgement, then transmission), or None."""
        now = now or utcnow()
        if self.closed_at is not None:
            return None
        if self.acknowledged_at is None and self.ack_due_at is not None:
            step, due_at = "prise en compte", self.ack_due_at
        elif self.acknowledged_at is not None and self.passed_on_at is None and self.pass_due_at is not None:
            step, due_at = "transmission", self.pass_due_at
        elif self.acknowledged_at is None and self.pass_due_at is not None:
            step, due_at = "transmission", self.pass_due_at
        else:
            return None
        return DueState(step, due_at, now > due_at, due_at - now)

    def is_overdue(self, now: datetime | None = None) -> bool:
        """Late for the acknowledgement, or (not closed) for the transmission."""
        now = now or utcnow()
        if self.closed_at is not None:
            return False
        late_ack = self.acknowledged_at is None and self.ack_due_at is not None and now > self.ack_due_at
        late_pass = self.passed_on_at is None and self.pass_due_at is not None and now > self.pass_due_at
        return late_ack or late_pass


@dataclass(frozen=True)
class EventPublic:
    id: int
    kind: str
    at: datetime
    recorded_at: datetime
    author_name: str
    author_role: str
    note: str | None
    severity: str | None
    category: str | None
    recipient_kind: str | None
    recipient_detail: str | None
    channel: str | None
    outcome: str | None
    voids_event_id: int | None
    voided_by: int | None  # the correction that cancelled this step


@dataclass(frozen=True)
class SignalementDetail:
    summary: SignalementSummary
    declared_category: str
    declared_severity: str
    facts: str
    actions_taken: list[str]
    actions_detail: str | None
    child_age: int | None
    child_sex: str | None
    events: list[EventPublic]


@dataclass(frozen=True)
class SignalementPage:
    rows: list[SignalementSummary]
    total: int


@dataclass(frozen=True)
class OpenCounts:
    open: int
    overdue: int
    awaiting_ack: int
    awaiting_pass: int


def reference_of(signalement_id: int, declared_at: datetime) -> str:
    """>>> from datetime import UTC
    >>> reference_of(42, datetime(2025, 3, 1, tzinfo=UTC))
    'SIG-2025-0042'
    """
    return f"SIG-{to_paris(declared_at).year}-{signalement_id:04d}"


def _eligible_children(actor: Actor, on: date):
    """SELECT of the children of the actor's structure that may be named in a signalement."""
    return (
        select(Child.id, Child.code)
        .join(Placement, Placement.child_id == Child.id)
        .where(
            Placement.structure_id == actor.structure_id,
            Placement.arrival_date <= on,
            sa.or_(Placement.end_date.is_(None), Placement.end_date >= on - timedelta(days=CHILD_RECENT_DAYS)),
        )
    )


def _summary_select():
    return (
        select(Signalement, Structure.name, Structure.departement_code, Child.code)
        .join(Structure, Structure.id == Signalement.structure_id)
        .outerjoin(Child, Child.id == Signalement.child_id)
    )


def _summary(row) -> SignalementSummary:
    s, structure_name, departement_code, child_code = row
    return SignalementSummary(
        id=s.id,
        reference=reference_of(s.id, s.declared_at),
        structure_id=s.structure_id,
        structure_name=structure_name,
        departement_code=departement_code,
        child_code=child_code,
        occurred_at=s.occurred_at,
        declared_at=s.declared_at,
        declared_by_name=s.declared_by_name,
        category=s.current_category,
        severity=s.current_severity,
        status=s.status,
        ack_due_at=s.ack_due_at,
        pass_due_at=s.pass_due_at,
        acknowledged_at=s.acknowledged_at,
        passed_on_at=s.passed_on_at,
        closed_at=s.closed_at,
        outcome=s.outcome,
        last_event_at=s.last_event_at,
        version=s.version,
    )


def _summary_of(session, signalement_id: int) -> SignalementSummary:
    return _summary(session.exec(_summary_select().where(Signalement.id == signalement_id)).one())


# --- reads ----------------------------------------------------------------------------------------


def signalement_get(*, actor: Actor, signalement_id: int) -> SignalementDetail:
    """Coordination, and partner staff for their own structure: a signalement with its full history."""
    require(actor, Action.SIGNALEMENT_READ)
    with session_scope(actor) as session:
        statement = scope_structure(
            _summary_select().where(Signalement.id == signalement_id), actor, Signalement.structure_id
        )
        row = session.exec(statement).first()
        if row is None:
            raise NotFound(NOT_FOUND)
        s = row[0]
        child = session.get(Child, s.child_id) if s.child_id else None
        events = session.exec(
            select(SignalementEvent).where(SignalementEvent.signalement_id == s.id).order_by(SignalementEvent.id)
        ).all()
        voided_by = {e.voids_event_id: e.id for e in events if e.voids_event_id}
        return SignalementDetail(
            summary=_summary(row),
            declared_category=s.category,
            declared_severity=s.severity,
            facts=s.facts,
            actions_taken=list(s.actions_taken),
            actions_detail=s.actions_detail,
            child_age=child.age if child else None,
            child_sex=child.sex if child else None,
            events=[
                EventPublic(
                    id=e.id,
                    kind=e.kind,
                    at=e.at,
                    recorded_at=e.recorded_at,
                    author_name=e.author_name,
                    author_role=e.author_role,
                    note=e.note,
                    severity=e.severity,
                    category=e.category,
                    recipient_kind=e.recipient_kind,
                    recipient_detail=e.recipient_detail,
                    channel=e.channel,
                    outcome=e.outcome,
                    voids_event_id=e.voids_event_id,
                    voided_by=voided_by.get(e.id),
                )
                for e in events
            ],
        )


def signalement_list(
    *,
    actor: Actor,
    open_only: bool | None = None,
    structure_id: int | None = None,
    severity: str | None = None,
    category: str | None = None,
    start: date | None = None,
    end: date | None = None,
    limit: int = 50,
    offset: int = 0,
) -> SignalementPage:
    """Coordination (all), partner staff (own structure): signalements newest first, filtered and paged."""
    require(actor, Action.SIGNALEMENT_READ)
    conditions = []
    if open_only is True:
        conditions.append(_is_open())
    elif open_only is False:
        conditions.append(Signalement.status == SignalementStatus.CLOSED.value)
    if structure_id is not None:
        conditions.append(Signalement.structure_id == structure_id)
    if severity:
        conditions.append(Signalement.current_severity == severity)
    if category:
        conditions.append(Signalement.current_category == category)
    if start:
        conditions.append(Signalement.declared_on >= start)
    if end:
        conditions.append(Signalement.declared_on <= end)
    with session_scope(actor) as session:
        count = scope_structure(
            select(func.count()).select_from(Signalement).where(*conditions), actor, Signalement.structure_id
        )
        total = session.exec(count).one()
        statement = scope_structure(_summary_select().where(*conditions), actor, Signalement.structure_id)
        rows = session.exec(
            statement.order_by(Signalement.declared_at.desc(), Signalement.id.desc()).limit(limit).offset(offset)
        ).all()
        return SignalementPage(rows=[_summary(r) for r in rows], total=total)


def _is_open():
    """SQL: not closed, spelt as the open statuses so that the index on status finds them (few, recent)."""
    return Signalement.status.in_([s.value for s in SignalementStatus if s != SignalementStatus.CLOSED])


def _pending_conditions(now: datetime):
    not_ack = Signalement.acknowledged_at.is_(None)
    pass_pending = sa.and_(
        Signalement.passed_on_at.is_(None), Signalement.closed_at.is_(None), Signalement.pass_due_at.is_not(None)
    )
    open_ = _is_open()
    late_ack = sa.and_(open_, not_ack, Signalement.ack_due_at.is_not(None), Signalement.ack_due_at < now)
    late_pass = sa.and_(open_, pass_pending, Signalement.pass_due_at < now)
    return not_ack, pass_pending, sa.or_(late_ack, late_pass)


def signalement_board(
    *, actor: Actor, now: datetime | None = None, limit: int = 50, offset: int = 0
) -> SignalementPage:
    """Coordination only: open signalements, overdue first, then awaiting a step, by severity and deadline."""
    require(actor, Action.SIGNALEMENT_HANDLE)
    now = now or utcnow()
    not_ack, pass_pending, overdue = _pending_conditions(now)
    next_due = sa.case((not_ack, Signalement.ack_due_at), (pass_pending, Signalement.pass_due_at), else_=None)
    group = sa.case((overdue, 0), (sa.or_(not_ack, pass_pending), 1), else_=2)
    rank = sa.case({s.value: s.rank for s in Severity}, value=Signalement.current_severity, else_=9)
    open_ = _is_open()
    with session_scope(actor) as session:
        total = session.exec(select(func.count()).select_from(Signalement).where(open_)).one()
        rows = session.exec(
            _summary_select()
            .where(open_)
            .order_by(group, rank, sa.nulls_last(next_due.asc()), Signalement.declared_at)
            .limit(limit)
            .offset(offset)
        ).all()
        return SignalementPage(rows=[_summary(r) for r in rows], total=total)


def signalement_open_counts(*, actor: Actor, now: datetime | None = None) -> OpenCounts:
    """Coordination (all), partner staff (own structure): open, overdue and awaiting signalements."""
    require(actor, Action.SIGNALEMENT_READ)
    now = now or utcnow()
    not_ack, pass_pending, overdue = _pending_conditions(now)
    open_ = _is_open()

    def flag(condition):
        return func.coalesce(func.sum(sa.case((condition, 1), else_=0)), 0)

    statement = (
        select(
            flag(open_),
            flag(overdue),
            flag(sa.and_(open_, not_ack)),
            flag(sa.and_(open_, sa.not_(not_ack), pass_pending)),
        )
        .select_from(Signalement)
        .where(open_)
    )
    with session_scope(actor) as session:
        row = session.exec(scope_structure(statement, actor, Signalement.structure_id)).one()
    return OpenCounts(*(int(v) for v in row))


def signalement_child_codes(*, actor: Actor) -> list[str]:
    """Partner staff: the codes of the children their structure may name in a declaration."""
    require(actor, Action.SIGNALEMENT_DECLARE)
    today = paris_today()
    with session_scope(actor) as session:
        return sorted({code for _, code in session.exec(_eligible_children(actor, today))})


def signalement_home_items(actor: Actor) -> list:
    """Home provider: coordination — overdue, then new signalements; partner — its open ones awaiting."""
    from services.home.todo import TodoItem

    if actor.is_coordination:
        counts = signalement_open_counts(actor=actor)
        items = []
        if counts.overdue:
            items.append(
                TodoItem(
                    _plural(
                        counts.overdue, "signalement en retard sur son délai", "signalements en retard sur leur délai"
                    ),
                    counts.overdue,
                    "error",
                    "signalements",
                )
            )
        if counts.awaiting_ack:
            items.append(
                TodoItem(
                    _plural(
                        counts.awaiting_ack,
                        "nouveau signalement à prendre en compte",
                        "nouveaux signalements à prendre en compte",
                    ),
                    counts.awaiting_ack,
                    "warning",
                    "signalements",
                )
            )
        return items
    if actor.is_partner and actor.structure_id is not None:
        counts = signalement_open_counts(actor=actor)
        if counts.awaiting_ack:
            return [
                TodoItem(
                    _plural(
                        counts.awaiting_ack,
                        "signalement de votre structure en attente de prise en compte par la coordination",
                        "signalements de votre structure en attente de prise en compte par la coordination",
                    ),
                    counts.awaiting_ack,
                    "info",
                    "signalements",
                )
            ]
    return []


def _plural(count: int, one: str, many: str) -> str:
    return one if count == 1 else many
