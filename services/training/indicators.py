"""Training indicators for the funder (indicator 6: professionals trained; 7: the training strategy).

Rules, the same for every figure:
- Only delivered sessions count; a session belongs to the period of its END date.
- A professional trained is one participant of one delivered session: someone who attends two
  sessions counts twice (sessions record headcounts by profile, never persons).
- Région: the région of the session's PLACE. Remote sessions have none and are shown as
  « À distance ». (The attending structures may lie in several régions and the headcounts are
  not split by structure, so the place is the only région a headcount belongs to.)
- A territorial scope (services.periods.Scope; a funder limited to a territory cannot widen his)
  keeps the sessions held there, and the remote sessions attended by at least one structure of
  that territory; coverage counts the structures of that territory. The plan itself is national.
- A period is given as `start` / `end` (both included) or as a services.periods.Period.
- Coordination and partner staff read network-wide figures (totals only: no structure named).
Everything is grouped and summed in SQL; the results are a few dozen rows at most.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy import and_, exists, func, or_
from sqlmodel import select

from core.access import Action, Actor, require
from core.clock import paris_today
from core.db import session_scope
from models.referential import Departement, Region
from models.structure import NetworkStatus, Structure
from models.training import (
    SessionStatus,
    TrainingAttendance,
    TrainingModule,
    TrainingParticipants,
    TrainingPlanLine,
    TrainingSession,
)
from services.periods import Period, Scope, in_scope, scope_for

REMOTE_REGION = "À distance"
DIMENSIONS = ("period", "profile", "module", "region")
PERIODS = ("month", "quarter", "year")


def _session_territory(scope: Scope):
    """SQL condition on TrainingSession for a territorial scope, or None when national."""
    held_there = in_scope(TrainingSession.departement_code, scope)
    if held_there is None:
        return None
    attended_from_there = exists().where(
        TrainingAttendance.session_id == TrainingSession.id,
        TrainingAttendance.structure_id == Structure.id,
        in_scope(Structure.departement_code, scope),
    )
    return or_(held_there, and_(TrainingSession.remote == True, attended_from_there))


def _bounds(start: date | None, end: date | None, period: Period | None) -> tuple[date | None, date | None]:
    """Inclusive first and last day: from `period` (end excluded) or as given."""
    if period is not None:
        return period.start, period.end - timedelta(days=1)
    return start, end


def _delivered(
    actor: Actor, start: date | None, end: date | None, scope: Scope | None = None, period: Period | None = None
) -> list:
    start, end = _bounds(start, end, period)
    conditions = [TrainingSession.status == SessionStatus.DELIVERED.value]
    if start is not None:
        conditions.append(TrainingSession.end_date >= start)
    if end is not None:
        conditions.append(TrainingSession.end_date <= end)
    territory = _session_territory(scope_for(actor, scope))
    if territory is not None:
        conditions.append(territory)
    return conditions


# --- indicator 6: professionals trained ---------------------------------------------------------


@dataclass(frozen=True)
class TrainedRow:
    participants: int
    sessions: int
    period: date | None = None  # first day of the month / quarter / year
    profile: str | None = None
    module_id: int | None = None
    module_title: str | None = None
    region_code: str | None = None
    region_name: str | None = None


def training_trained(
    *,
    actor: Actor,
    start: date | None = None,
    end: date | None = None,
    group_by: tuple[str, ...] = ("profile",),
    period: str = "month",
    within: Period | None = None,
    scope: Scope | None = None,
) -> list[TrainedRow]:
    """Any role (funders within their territory): professionals trained, grouped by period, profile,
    module and/or région; `period` is the time bucket (month, quarter or year)."""
    require(actor, Action.TRAINING_INDICATOR_READ)
    unknown = set(group_by) - set(DIMENSIONS)
    if unknown or period not in PERIODS:
        raise ValueError(f"unknown grouping: {sorted(unknown) or period}")
    year = sa.extract("year", TrainingSession.end_date)
    month = sa.extract("month", TrainingSession.end_date)
    columns = []
    if "period" in group_by:
        columns.append(year.label("y"))
        if period == "month":
            columns.append(month.label("m"))
        elif period == "quarter":
            n = sa.literal_column  # inline constants: PostgreSQL must see the same GROUP BY expression
            columns.append(
                sa.case(
                    (month <= n("3"), n("1")), (month <= n("6"), n("4")), (month <= n("9"), n("7")), else_=n("10")
                ).label("m")
            )
    if "profile" in group_by:
        columns.append(TrainingParticipants.profile.label("profile"))
    if "module" in group_by:
        columns += [TrainingModule.id.label("module_id"), TrainingModule.title.label("module_title")]
    if "region" in group_by:
        columns += [Region.code.label("region_code"), Region.name.label("region_name")]
    stmt = (
        select(
            *columns,
            func.sum(TrainingParticipants.headcount).label("participants"),
            func.count(sa.distinct(TrainingSession.id)).label("sessions"),
        )
        .select_from(TrainingParticipants)
        .join(TrainingSession, TrainingSession.id == TrainingParticipants.session_id)
        .where(*_delivered(actor, start, end, scope, within))
    )
    if "module" in group_by:
        stmt = stmt.join(TrainingModule, TrainingModule.id == TrainingSession.module_id)
    if "region" in group_by:
        stmt = stmt.join(Departement, Departement.code == TrainingSession.departement_code, isouter=True).join(
            Region, Region.code == Departement.region_code, isouter=True
        )
    if columns:
        stmt = stmt.group_by(*columns).order_by(*columns)
    with session_scope(actor) as session:
        rows = session.exec(stmt).all()
    result = []
    for row in rows:
        values = row._mapping
        if values["participants"] is None:
            continue  # no delivered session at all
        extra = {}
        if "period" in group_by:
            extra["period"] = date(int(values["y"]), int(values["m"]) if period != "year" else 1, 1)
        if "profile" in group_by:
            extra["profile"] = values["profile"]
        if "module" in group_by:
            extra["module_id"], extra["module_title"] = values["module_id"], values["module_title"]
        if "region" in group_by:
            extra["region_code"] = values["region_code"]
            extra["region_name"] = values["region_name"] or REMOTE_REGION
        result.append(TrainedRow(participants=int(values["participants"]), sessions=int(values["sessions"]), **extra))
    return result


# --- plan versus delivered ---------------------------------------------------------------------


@dataclass(frozen=True)
class PlanGap:
    module_id: int | None
    module_title: str | None
    profile: str | None
    planned: int
    delivered: int

    @property
    def gap(self) -> int:
        """Professionals still to train to reach the plan (negative: plan exceeded)."""
        return self.planned - self.delivered

    @property
    def rate(self) -> float | None:
        return self.delivered / self.planned if self.planned else None


def training_plan_vs_delivered(
    *, actor: Actor, year: int, by: tuple[str, ...] = ("module", "profile"), scope: Scope | None = None
) -> list[PlanGap]:
    """Any role (funders: delivered within their territory): the year's plan against the
    professionals trained, per module and/or profile; pairs trained without a plan are included."""
    require(actor, Action.TRAINING_INDICATOR_READ)
    if not by or set(by) - {"module", "profile"}:
        raise ValueError(f"unknown grouping: {by}")
    plan_keys = [
        c for k, c in (("module", TrainingPlanLine.module_id), ("profile", TrainingPlanLine.profile)) if k in by
    ]
    done_keys = [
        c for k, c in (("module", TrainingSession.module_id), ("profile", TrainingParticipants.profile)) if k in by
    ]
    plan_stmt = (
        select(*plan_keys, func.sum(TrainingPlanLine.planned)).where(TrainingPlanLine.year == year).group_by(*plan_keys)
    )
    done_stmt = (
        select(*done_keys, func.sum(TrainingParticipants.headcount))
        .select_from(TrainingParticipants)
        .join(TrainingSession, TrainingSession.id == TrainingParticipants.session_id)
        .where(*_delivered(actor, date(year, 1, 1), date(year, 12, 31), scope))
        .group_by(*done_keys)
    )
    with session_scope(actor) as session:
        planned = {tuple(row[:-1]): int(row[-1]) for row in session.exec(plan_stmt)}
        delivered = {tuple(row[:-1]): int(row[-1]) for row in session.exec(done_stmt)}
        titles = dict(session.exec(select(TrainingModule.id, TrainingModule.title)).all())
    result = []
    for key in set(planned) | set(delivered):
        values = dict(zip([k for k in ("module", "profile") if k in by], key))
        module_id = values.get("module")
        result.append(
            PlanGap(
                module_id=module_id,
                module_title=titles.get(module_id) if module_id else None,
                profile=values.get("profile"),
                planned=planned.get(key, 0),
                delivered=delivered.get(key, 0),
            )
        )
    return sorted(result, key=lambda g: (g.module_title or "", g.profile or ""))


# --- structures reached --------------------------------------------------------------------------


@dataclass(frozen=True)
class Coverage:
    active_structures: int
    trained_structures: int
    window_start: date  # excluded
    as_of: date  # included

    @property
    def share(self) -> float | None:
        return self.trained_structures / self.active_structures if self.active_structures else None


def one_year_before(day: date) -> date:
    """>>> one_year_before(date(2024, 2, 29))
    datetime.date(2023, 2, 28)
    """
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def training_structure_coverage(*, actor: Actor, as_of: date | None = None, scope: Scope | None = None) -> Coverage:
    """Any role (funders within their territory): active structures, and how many of them had at
    least one professional at a session delivered in the 12 months up to `as_of`."""
    require(actor, Action.TRAINING_INDICATOR_READ)
    as_of = as_of or paris_today()
    window_start = one_year_before(as_of)
    conditions = [Structure.status == NetworkStatus.ACTIVE.value]
    territory = in_scope(Structure.departement_code, scope_for(actor, scope))
    if territory is not None:
        conditions.append(territory)
    # Driven by the window's delivered sessions (index on status, end_date) rather than by a
    # correlated EXISTS per active structure, which rescans the window once per structure.
    reached_stmt = (
        select(func.count(sa.distinct(TrainingAttendance.structure_id)))
        .select_from(TrainingSession)
        .join(TrainingAttendance, TrainingAttendance.session_id == TrainingSession.id)
        .join(Structure, Structure.id == TrainingAttendance.structure_id)
        .where(
            TrainingSession.status == SessionStatus.DELIVERED.value,
            TrainingSession.end_date > window_start,
            TrainingSession.end_date <= as_of,
            *conditions,
        )
    )
    with session_scope(actor) as session:
        active = session.exec(select(func.count()).select_from(Structure).where(*conditions)).one()
        reached = session.exec(reached_stmt).one()
    return Coverage(active_structures=active, trained_structures=reached, window_start=window_start, as_of=as_of)


# --- hours and totals ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TrainingTotals:
    sessions: int
    participants: int
    session_hours: float  # hours of training delivered (each session once)
    person_hours: float  # hours × participants
    evaluated_sessions: int
    mean_satisfaction: float | None


def training_totals(
    *,
    actor: Actor,
    start: date | None = None,
    end: date | None = None,
    within: Period | None = None,
    scope: Scope | None = None,
) -> TrainingTotals:
    """Any role (funders within their territory): delivered sessions, professionals trained, session
    hours, person-hours and mean satisfaction over a period."""
    require(actor, Action.TRAINING_INDICATOR_READ)
    conditions = _delivered(actor, start, end, scope, within)
    with session_scope(actor) as session:
        sessions, hours, evaluated, satisfaction = session.exec(
            select(
                func.count(TrainingSession.id),
                func.sum(TrainingSession.hours),
                func.count(TrainingSession.satisfaction),
                func.avg(TrainingSession.satisfaction),
            ).where(*conditions)
        ).one()
        participants, person_hours = session.exec(
            select(
                func.sum(TrainingParticipants.headcount),
                func.sum(TrainingParticipants.headcount * TrainingSession.hours),
            )
            .select_from(TrainingParticipants)
            .join(TrainingSession, TrainingSession.id == TrainingParticipants.session_id)
            .where(*conditions)
        ).one()
    return TrainingTotals(
        sessions=int(sessions or 0),
        participants=int(participants or 0),
        session_hours=float(hours or 0),
        person_hours=float(person_hours or 0),
        evaluated_sessions=int(evaluated or 0),
        mean_satisfaction=float(satisfaction) if satisfaction is not None else None,
    )
