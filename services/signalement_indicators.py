"""Indicators of the signalement circuit (indicator 8 of the call for projects), computed in SQL.

- counts by category, severity, structure (région for funders), month, and recipient kind;
- median and 90th percentile of the time from declaration to acknowledgement and to transmission;
- share acknowledged / passed on within the deadline in force when the signalement was declared.

Period: the declaration day (Paris time) between `start` and `end`, both included. Current values
are used (a correction that reclassifies a signalement moves it). Percentiles interpolate linearly
between the two nearest values (like PERCENTILE_CONT), read with ORDER BY … OFFSET on both backends.

Share within the deadline: among signalements that have a deadline for that step and for which the
question is settled — the step was done, or its deadline has passed without it. A signalement
closed without transmission (e.g. for information only) does not count for the transmission share.

Funders read aggregates only, within their région or département when their account is limited;
any count from 1 to FUNDER_MIN_COUNT − 1 comes back as None (shown "< 5"), and so do delays and
shares computed on fewer signalements.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import func, select

from core.access import REFUSED, Action, Actor, require
from core.db import session_scope
from core.errors import AccessDenied
from models.base import utcnow
from models.referential import Departement, Region
from models.signalement import Category, EventKind, RecipientKind, Severity, Signalement, SignalementEvent
from models.structure import Structure

FUNDER_MIN_COUNT = 5
DIMENSIONS = ("category", "severity", "structure", "region", "month", "recipient")


@dataclass(frozen=True)
class CountRow:
    key: str
    label: str
    count: int | None  # None: a small count hidden from a funder


@dataclass(frozen=True)
class DelayStats:
    count: int | None
    median_seconds: float | None
    p90_seconds: float | None


@dataclass(frozen=True)
class DeadlineShare:
    within: int | None
    total: int | None

    @property
    def share(self) -> float | None:
        if not self.total or self.within is None:
            return None
        return self.within / self.total


@dataclass(frozen=True)
class SignalementIndicators:
    total: int | None
    time_to_acknowledge: DelayStats
    time_to_pass_on: DelayStats
    acknowledged_within: DeadlineShare
    passed_on_within: DeadlineShare


def _conditions(actor: Actor, start: date | None, end: date | None) -> list:
    conditions = []
    if start:
        conditions.append(Signalement.declared_on >= start)
    if end:
        conditions.append(Signalement.declared_on <= end)
    if actor.is_partner:
        conditions.append(Signalement.structure_id == actor.structure_id)
    elif actor.is_funder and actor.departement_code:
        conditions.append(Signalement.structure_id.in_(
            select(Structure.id).where(Structure.departement_code == actor.departement_code)))
    elif actor.is_funder and actor.region_code:
        conditions.append(Signalement.structure_id.in_(
            select(Structure.id).join(Departement, Departement.code == Structure.departement_code)
            .where(Departement.region_code == actor.region_code)))
    return conditions


def _shown(actor: Actor, count: int) -> int | None:
    if actor.is_funder and 0 < count < FUNDER_MIN_COUNT:
        return None
    return count


def signalement_indicator_counts(*, actor: Actor, by: str, start: date | None = None,
                                 end: date | None = None) -> list[CountRow]:
    """Coordination (all), partner staff (own structure), funders (aggregates, small counts hidden):
    signalements declared in the period, by one dimension (`DIMENSIONS`); biggest first, months in order.

    For "recipient", the number of signalements passed on at least once to each kind of recipient.
    Funders get "region" instead of "structure".
    """
    require(actor, Action.INDICATOR_READ)
    if by not in DIMENSIONS:
        raise ValueError(by)
    if by == "structure" and actor.is_funder:
        raise AccessDenied(REFUSED)
    conditions = _conditions(actor, start, end)
    count = func.count(sa.distinct(Signalement.id)).label("n")
    if by == "category":
        statement = select(Signalement.current_category, count).group_by(Signalement.current_category)
    elif by == "severity":
        statement = select(Signalement.current_severity, count).group_by(Signalement.current_severity)
    elif by == "structure":
        statement = (select(Structure.id, count, Structure.name).join(Structure, Structure.id == Signalement.structure_id)
                     .group_by(Structure.id, Structure.name))
    elif by == "region":
        statement = (select(Region.code, count, Region.name)
                     .join(Structure, Structure.id == Signalement.structure_id)
                     .join(Departement, Departement.code == Structure.departement_code)
                     .join(Region, Region.code == Departement.region_code).group_by(Region.code, Region.name))
    elif by == "month":
        year, month = sa.extract("year", Signalement.declared_on), sa.extract("month", Signalement.declared_on)
        statement = select(year, month, count).group_by(year, month).order_by(year, month)
    else:
        voiding = aliased(SignalementEvent)
        statement = (select(SignalementEvent.recipient_kind, count)
                     .join(Signalement, Signalement.id == SignalementEvent.signalement_id)
                     .where(SignalementEvent.kind == EventKind.PASSED_ON.value,
                            ~sa.exists().where(voiding.voids_event_id == SignalementEvent.id))
                     .group_by(SignalementEvent.recipient_kind))
    with session_scope(actor) as session:
        rows = session.exec(statement.where(*conditions)).all()
    result = [_row(by, row, actor) for row in rows]
    if by != "month":
        result.sort(key=lambda r: (-(r.count if r.count is not None else 0), r.label))
    return result


def _row(by: str, row, actor: Actor) -> CountRow:
    if by == "month":
        year, month, n = int(row[0]), int(row[1]), int(row[2])
        return CountRow(f"{year:04d}-{month:02d}", f"{month:02d}/{year:04d}", _shown(actor, n))
    key, n = row[0], int(row[1])
    labels = {"category": Category.label_of, "severity": Severity.label_of, "recipient": RecipientKind.label_of}
    label = labels[by](key) if by in labels else row[2]
    return CountRow(str(key), label, _shown(actor, n))


def _percentile(session, column, conditions: list, n: int, p: float) -> float | None:
    """Linear interpolation between the two values around rank p·(n−1), read in SQL."""
    if n == 0:
        return None
    position = p * (n - 1)
    low = math.floor(position)
    values = session.exec(select(column).where(column.is_not(None), *conditions)
                          .order_by(column).limit(2).offset(low)).all()
    if len(values) == 1 or position == low:
        return float(values[0])
    return values[0] + (values[1] - values[0]) * (position - low)


def _delays(session, actor: Actor, column, conditions: list) -> DelayStats:
    n = session.exec(select(func.count()).select_from(Signalement).where(column.is_not(None), *conditions)).one()
    if actor.is_funder and n < FUNDER_MIN_COUNT:
        return DelayStats(_shown(actor, n), None, None)
    return DelayStats(n, _percentile(session, column, conditions, n, 0.5),
                      _percentile(session, column, conditions, n, 0.9))


def _share(session, actor: Actor, done_at, due_at, settled, conditions: list) -> DeadlineShare:
    within = func.coalesce(func.sum(sa.case((sa.and_(due_at.is_not(None), done_at.is_not(None), done_at <= due_at), 1),
                                            else_=0)), 0)
    total = func.coalesce(func.sum(sa.case((sa.and_(due_at.is_not(None), settled), 1), else_=0)), 0)
    w, t = session.exec(select(within, total).select_from(Signalement).where(*conditions)).one()
    w, t = int(w), int(t)
    if actor.is_funder and t < FUNDER_MIN_COUNT:
        return DeadlineShare(None, _shown(actor, t))
    return DeadlineShare(w, t)


def signalement_indicators(*, actor: Actor, start: date | None = None, end: date | None = None,
                           severity: str | None = None, now: datetime | None = None) -> SignalementIndicators:
    """Coordination (all), partner staff (own structure), funders (aggregates, small counts hidden):
    total, delays to acknowledge and to pass on, and the shares within the deadlines, for the period
    (and one severity when given)."""
    require(actor, Action.INDICATOR_READ)
    now = now or utcnow()
    conditions = _conditions(actor, start, end)
    if severity:
        conditions.append(Signalement.current_severity == severity)
    s = Signalement
    with session_scope(actor) as session:
        total = session.exec(select(func.count()).select_from(s).where(*conditions)).one()
        return SignalementIndicators(
            total=_shown(actor, total),
            time_to_acknowledge=_delays(session, actor, s.ack_seconds, conditions),
            time_to_pass_on=_delays(session, actor, s.pass_seconds, conditions),
            acknowledged_within=_share(session, actor, s.acknowledged_at, s.ack_due_at,
                                       sa.or_(s.acknowledged_at.is_not(None), s.ack_due_at < now), conditions),
            passed_on_within=_share(session, actor, s.passed_on_at, s.pass_due_at,
                                    sa.or_(s.passed_on_at.is_not(None),
                                           sa.and_(s.closed_at.is_(None), s.pass_due_at < now)), conditions),
        )
