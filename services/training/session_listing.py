"""Lists of training sessions for the coordination: filtered and paged in SQL, and what still needs entering."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import exists, func, or_
from sqlmodel import select

from core.access import Action, Actor, require
from core.clock import paris_today
from core.db import session_scope
from models.referential import Departement
from models.training import SessionStatus, TrainingAttendance, TrainingModule, TrainingParticipants, TrainingSession


@dataclass(frozen=True)
class SessionRow:
    id: int
    module_id: int
    module_title: str
    start_date: date
    end_date: date
    place: str
    hours: float
    status: str
    participants: int
    structures: int
    satisfaction: int | None
    trainer_organisation: str


@dataclass(frozen=True)
class SessionPage:
    rows: list[SessionRow]
    total: int


def _participants_total():
    return (
        select(func.coalesce(func.sum(TrainingParticipants.headcount), 0))
        .where(TrainingParticipants.session_id == TrainingSession.id)
        .correlate(TrainingSession)
        .scalar_subquery()
    )


def place_label(remote: bool, departement_code: str | None, departement_name: str | None) -> str:
    return "À distance" if remote else f"{departement_code} — {departement_name or ''}".strip(" —")


def training_session_list(
    *,
    actor: Actor,
    year: int | None = None,
    module_id: int | None = None,
    status: str | None = None,
    structure_id: int | None = None,
    pending_only: bool = False,
    limit: int = 50,
    offset: int = 0,
    today: date | None = None,
) -> SessionPage:
    """Coordination only: sessions, newest first, filtered and paged in SQL, with the total.

    `pending_only` keeps what still needs entering: past sessions not yet marked delivered, and
    delivered ones without an evaluation.
    """
    require(actor, Action.TRAINING_MANAGE)
    conditions = []
    if year is not None:
        conditions += [TrainingSession.start_date >= date(year, 1, 1), TrainingSession.start_date <= date(year, 12, 31)]
    if module_id is not None:
        conditions.append(TrainingSession.module_id == module_id)
    if status:
        conditions.append(TrainingSession.status == status)
    if structure_id is not None:
        conditions.append(
            exists().where(
                TrainingAttendance.session_id == TrainingSession.id, TrainingAttendance.structure_id == structure_id
            )
        )
    if pending_only:
        conditions.append(_pending_condition(today or paris_today()))
    structures = (
        select(func.count())
        .select_from(TrainingAttendance)
        .where(TrainingAttendance.session_id == TrainingSession.id)
        .correlate(TrainingSession)
        .scalar_subquery()
    )
    newest_first = (TrainingSession.start_date.desc(), TrainingSession.id.desc())
    # The page's ids first: the per-session sums then run for the page only, not for every match.
    page = select(TrainingSession.id).where(*conditions).order_by(*newest_first).limit(limit).offset(offset).subquery()
    with session_scope(actor) as session:
        total = session.exec(select(func.count()).select_from(TrainingSession).where(*conditions)).one()
        rows = session.exec(
            select(TrainingSession, TrainingModule.title, Departement.name, _participants_total(), structures)
            .join(page, page.c.id == TrainingSession.id)
            .join(TrainingModule, TrainingModule.id == TrainingSession.module_id)
            .join(Departement, Departement.code == TrainingSession.departement_code, isouter=True)
            .order_by(*newest_first)
        ).all()
    return SessionPage(
        total=total,
        rows=[
            SessionRow(
                id=s.id,
                module_id=s.module_id,
                module_title=title,
                start_date=s.start_date,
                end_date=s.end_date,
                place=place_label(s.remote, s.departement_code, dep_name),
                hours=s.hours,
                status=s.status,
                participants=int(count or 0),
                structures=int(n_structures or 0),
                satisfaction=s.satisfaction,
                trainer_organisation=s.trainer_organisation,
            )
            for s, title, dep_name, count, n_structures in rows
        ],
    )


def _pending_condition(today: date):
    overdue = (TrainingSession.status == SessionStatus.PLANNED.value) & (TrainingSession.end_date < today)
    unevaluated = (TrainingSession.status == SessionStatus.DELIVERED.value) & (TrainingSession.satisfaction.is_(None))
    return or_(overdue, unevaluated)


@dataclass(frozen=True)
class PendingCounts:
    overdue: int  # past sessions still planned: participants not entered
    unevaluated: int  # delivered sessions without a satisfaction score


def training_pending_counts(*, actor: Actor, today: date | None = None) -> PendingCounts:
    """Coordination only: what still needs entering about past sessions."""
    require(actor, Action.TRAINING_MANAGE)
    today = today or paris_today()
    with session_scope(actor) as session:
        overdue = session.exec(
            select(func.count())
            .select_from(TrainingSession)
            .where(TrainingSession.status == SessionStatus.PLANNED.value, TrainingSession.end_date < today)
        ).one()
        unevaluated = session.exec(
            select(func.count())
            .select_from(TrainingSession)
            .where(TrainingSession.status == SessionStatus.DELIVERED.value, TrainingSession.satisfaction.is_(None))
        ).one()
    return PendingCounts(overdue=overdue, unevaluated=unevaluated)
