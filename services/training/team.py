"""A structure's team and training: the sessions its staff attended and the modules it still misses.

Partner staff see their own structure only, and nothing about which other structures attended.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlmodel import select

from core.access import Action, Actor, require, require_structure
from core.clock import paris_today
from core.db import session_scope
from models.referential import Departement
from models.training import SessionStatus, TrainingAttendance, TrainingModule, TrainingSession
from services.training.modules import modules_public
from services.training.session_listing import place_label


@dataclass(frozen=True)
class TeamSession:
    """A session the structure's staff attended (or is registered for): nothing about other structures."""

    session_id: int
    module_id: int
    module_title: str
    start_date: date
    end_date: date
    place: str
    hours: float
    status: str
    trainer_organisation: str


@dataclass(frozen=True)
class TeamModule:
    module_id: int
    title: str
    objectives: str
    format: str
    duration_label: str
    target_profiles: list[str]
    prerequisite_titles: list[str]
    followed_sessions: int
    last_followed: date | None
    prerequisites_met: bool
    next_session_date: date | None
    next_session_place: str | None

    @property
    def missing(self) -> bool:
        return self.followed_sessions == 0


def _team_structure(actor: Actor, structure_id: int | None) -> int:
    require(actor, Action.TRAINING_SESSION_READ)
    structure_id = actor.structure_id if structure_id is None and actor.is_partner else structure_id
    require_structure(actor, structure_id)
    return structure_id


def training_team_history(*, actor: Actor, structure_id: int | None = None) -> list[TeamSession]:
    """Coordination, or partner staff for their own structure: the sessions its staff attended."""
    structure_id = _team_structure(actor, structure_id)
    with session_scope(actor) as session:
        rows = session.exec(
            select(TrainingSession, TrainingModule.title, Departement.name)
            .join(TrainingAttendance, TrainingAttendance.session_id == TrainingSession.id)
            .join(TrainingModule, TrainingModule.id == TrainingSession.module_id)
            .join(Departement, Departement.code == TrainingSession.departement_code, isouter=True)
            .where(TrainingAttendance.structure_id == structure_id)
            .order_by(TrainingSession.start_date.desc())
        ).all()
    return [
        TeamSession(
            session_id=s.id,
            module_id=s.module_id,
            module_title=title,
            start_date=s.start_date,
            end_date=s.end_date,
            place=place_label(s.remote, s.departement_code, dep),
            hours=s.hours,
            status=s.status,
            trainer_organisation=s.trainer_organisation,
        )
        for s, title, dep in rows
    ]


def training_team_modules(
    *, actor: Actor, structure_id: int | None = None, today: date | None = None
) -> list[TeamModule]:
    """Coordination, or partner staff for their own structure: each active module, followed or not.

    A module is followed once the structure's staff attended a delivered session of it. For a
    missing module the next planned session of the network (date, place) is given.
    """
    structure_id = _team_structure(actor, structure_id)
    today = today or paris_today()
    with session_scope(actor) as session:
        followed = {
            module_id: (count, last)
            for module_id, count, last in session.exec(
                select(TrainingSession.module_id, func.count(TrainingSession.id), func.max(TrainingSession.end_date))
                .join(TrainingAttendance, TrainingAttendance.session_id == TrainingSession.id)
                .where(
                    TrainingAttendance.structure_id == structure_id,
                    TrainingSession.status == SessionStatus.DELIVERED.value,
                )
                .group_by(TrainingSession.module_id)
            )
        }
        next_dates = (
            select(TrainingSession.module_id, func.min(TrainingSession.start_date).label("first"))
            .where(TrainingSession.status == SessionStatus.PLANNED.value, TrainingSession.start_date >= today)
            .group_by(TrainingSession.module_id)
            .subquery()
        )
        upcoming = {}
        for module_id, start, remote, dep_code, dep_name in session.exec(
            select(
                TrainingSession.module_id,
                TrainingSession.start_date,
                TrainingSession.remote,
                TrainingSession.departement_code,
                Departement.name,
            )
            .join(
                next_dates,
                (next_dates.c.module_id == TrainingSession.module_id)
                & (next_dates.c.first == TrainingSession.start_date),
            )
            .join(Departement, Departement.code == TrainingSession.departement_code, isouter=True)
            .where(TrainingSession.status == SessionStatus.PLANNED.value)
            .order_by(TrainingSession.id)
        ):
            upcoming.setdefault(module_id, (start, place_label(remote, dep_code, dep_name)))
        modules = modules_public(
            session,
            session.exec(
                select(TrainingModule).where(TrainingModule.active == True).order_by(TrainingModule.title)
            ).all(),
        )
    result = []
    for m in modules:
        count, last = followed.get(m.id, (0, None))
        nxt = upcoming.get(m.id, (None, None))
        result.append(
            TeamModule(
                module_id=m.id,
                title=m.title,
                objectives=m.objectives,
                format=m.format,
                duration_label=m.duration_label,
                target_profiles=m.target_profiles,
                prerequisite_titles=m.prerequisite_titles,
                followed_sessions=count,
                last_followed=last,
                prerequisites_met=all(p in followed for p in m.prerequisite_ids),
                next_session_date=nxt[0],
                next_session_place=nxt[1],
            )
        )
    return result


def training_team_missing_count(*, actor: Actor, structure_id: int | None = None) -> int:
    """Coordination, or partner staff for their own structure: active modules its staff never followed."""
    structure_id = _team_structure(actor, structure_id)
    followed = (
        select(TrainingSession.module_id)
        .join(TrainingAttendance, TrainingAttendance.session_id == TrainingSession.id)
        .where(TrainingAttendance.structure_id == structure_id, TrainingSession.status == SessionStatus.DELIVERED.value)
    )
    with session_scope(actor) as session:
        return session.exec(
            select(func.count())
            .select_from(TrainingModule)
            .where(TrainingModule.active == True, TrainingModule.id.not_in(followed))
        ).one()
