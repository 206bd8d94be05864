"""Indicators of the signalement circuit (indicator 8 of the call for projects), computed in SQL.

- counts by category, severity, structure (région for funders), month, and recipient kind;
- median and 90th percentile of the time from declaration to acknowledgement and to transmission;
- share acknowledged / passed on within the deadline in force when the signalement was declared.

Period: the declaration day (Paris time) between `start` and `end`, both included. Current values
are used (a correction that reclassifies a signalement moves it). Percentiles interpolate linearly
between the two nearest values (like PERCENTILE_CONT), read with ROW_NUMBER() on both backends.

Share within the deadline: among signalements that have a deadline for that step and for which the
question is settled — the step was done, or its deadline has passed without it. A signalement
closed without transmission (e.g. for information only) does not count for the transmission share.

Funders read aggregates only, within their région or département when their account is limited
(`services.periods.scope_for`), protected by the small-count rule of `services.indicators.disclosure` with
the coordination's threshold and rounding: each breakdown is a protected one-way table (small
counts "< 5", complementary "s", others rounded); the total is suppressed or rounded likewise;
delays and shares computed on fewer signalements than the threshold are not given, and the counts
behind a share are never given.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import func, select

from core.access import REFUSED, Action, Actor, require
from core.clock import paris_date
from core.db import session_scope
from core.errors import AccessDenied
from core.formatting import fr_number
from models.base import utcnow
from models.referential import Departement, Region
from models.signalement import Category, EventKind, RecipientKind, Severity, Signalement, SignalementEvent
from models.structure import Structure
from services.indicators.disclosure import Mark, fr_cell, protect_series, round_count
from services.indicators.disclosure_policy import (
    breakdown_publishable,
    check_days,
    full_rows,
    mask_pinning_zeros,
    withheld_note,
)
from services.periods import in_scope, month_starts, scope_for
from services.summaries.signalements import signalement_counts, signalement_total

DIMENSIONS = ("category", "severity", "structure", "region", "month", "recipient")


@dataclass(frozen=True)
class CountRow:
    key: str
    label: str
    count: int | None  # what may be shown as a number: exact, or rounded for a funder; None if withheld
    shown: str  # French display: "12", "< 5" or "s"


@dataclass(frozen=True)
class DelayStats:
    count: int | None
    median_seconds: float | None
    p90_seconds: float | None


@dataclass(frozen=True)
class DeadlineShare:
    within: int | None  # withheld from funders
    total: int | None  # withheld from funders
    share: float | None


@dataclass(frozen=True)
class SignalementIndicators:
    total: int | None
    total_shown: str
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
    elif actor.is_funder:
        territory = in_scope(Structure.departement_code, scope_for(actor))
        if territory is not None:
            conditions.append(Signalement.structure_id.in_(select(Structure.id).where(territory)))
    return conditions


def _check_period(actor: Actor, start: date | None, end: date | None) -> None:
    """A funder reads whole months that are over (services.indicators.disclosure_policy); `end` is the last day."""
    if actor.is_funder:
        check_days(start, end, today=paris_date(utcnow()))


def _rule() -> tuple[int, int]:
    """The small-count threshold and rounding base the coordination has set."""
    from services.admin.settings import setting_get

    return int(setting_get(key="disclosure_threshold")), int(setting_get(key="disclosure_rounding"))


def _published(actor: Actor, n: int, rule: tuple[int, int] | None) -> tuple[int | None, str]:
    """One count as the actor may read it: exact, or for a funder suppressed when small and rounded."""
    if not actor.is_funder:
        return n, fr_number(n)
    threshold, rounding = rule
    if 0 < n < threshold:
        return None, fr_cell(Mark.SMALL, threshold=threshold)
    value = round_count(n, threshold=threshold, rounding=rounding)
    return value, fr_number(value)


def signalement_indicator_counts(
    *, actor: Actor, by: str, start: date | None = None, end: date | None = None
) -> list[CountRow]:
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
    _check_period(actor, start, end)
    conditions = _conditions(actor, start, end)
    count = func.count(sa.distinct(Signalement.id)).label("n")
    if by == "category":
        statement = select(Signalement.current_category, count).group_by(Signalement.current_category)
    elif by == "severity":
        statement = select(Signalement.current_severity, count).group_by(Signalement.current_severity)
    elif by == "structure":
        statement = (
            select(Structure.id, count, Structure.name)
            .join(Structure, Structure.id == Signalement.structure_id)
            .group_by(Structure.id, Structure.name)
        )
    elif by == "region":
        statement = (
            select(Region.code, count, Region.name)
            .join(Structure, Structure.id == Signalement.structure_id)
            .join(Departement, Departement.code == Structure.departement_code)
            .join(Region, Region.code == Departement.region_code)
            .group_by(Region.code, Region.name)
        )
    elif by == "month":
        year, month = sa.extract("year", Signalement.declared_on), sa.extract("month", Signalement.declared_on)
        statement = select(year, month, count).group_by(year, month).order_by(year, month)
    else:
        voiding = aliased(SignalementEvent)
        statement = (
            select(SignalementEvent.recipient_kind, count)
            .join(Signalement, Signalement.id == SignalementEvent.signalement_id)
            .where(
                SignalementEvent.kind == EventKind.PASSED_ON.value,
                ~sa.exists().where(voiding.voids_event_id == SignalementEvent.id),
            )
            .group_by(SignalementEvent.recipient_kind)
        )
    with session_scope(actor) as session:
        # National counts over whole months come from the monthly summary (None: it cannot answer).
        rows = signalement_counts(session, actor=actor, by=by, start=start, end=end)
        if rows is None:
            rows = session.exec(statement.where(*conditions)).all()
        population = _population(session, actor, start, end, conditions) if actor.is_funder else 0
    result = [_row(by, row) for row in rows]
    if actor.is_funder:
        return _protected_rows(actor, by, result, int(population), start, end)
    if by != "month":
        result.sort(key=lambda r: (-(r.count if r.count is not None else 0), r.label))
    return result


def _protected_rows(
    actor: Actor, by: str, found: list[CountRow], population: int, start: date, end: date
) -> list[CountRow]:
    """A funder's breakdown (services.indicators.disclosure_policy): nothing when it would describe fewer signalements
    than the threshold; otherwise every category in a fixed order, protected, zeros that would pin the
    few suppressed ones masked too. The months form the series the totals already give month by month."""
    threshold, rounding = _rule()
    if by != "month" and not breakdown_publishable(population, threshold=threshold):
        return []
    full = full_rows({r.key: r.count for r in found}, _vocabulary(actor, by, start, end))
    counts = [n for _, _, n in full]
    cells = list(protect_series(counts, threshold=threshold, rounding=rounding).cells) if counts else []
    if by != "month":
        cells = [row[0] for row in mask_pinning_zeros([(c,) for c in cells], [(n,) for n in counts])]
    return [
        CountRow(str(key), label, None if isinstance(c, Mark) else c, fr_cell(c, threshold=threshold))
        for (key, label, _), c in zip(full, cells)
    ]


def _population(session, actor: Actor, start: date | None, end: date | None, conditions: list) -> int:
    summed = signalement_total(session, actor=actor, start=start, end=end)
    if summed is not None:
        return summed
    return session.exec(select(func.count()).select_from(Signalement).where(*conditions)).one()


def signalement_breakdown_note(*, actor: Actor, start: date | None = None, end: date | None = None) -> str:
    """Funders: why the breakdowns of the period are not published (empty when they are)."""
    require(actor, Action.INDICATOR_READ)
    if not actor.is_funder:
        return ""
    _check_period(actor, start, end)
    with session_scope(actor) as session:
        population = _population(session, actor, start, end, _conditions(actor, start, end))
    threshold, _ = _rule()
    if breakdown_publishable(int(population), threshold=threshold):
        return ""
    return withheld_note(threshold=threshold, unit="signalements")


def _vocabulary(actor: Actor, by: str, start: date, end: date) -> list[tuple[str, str]]:
    """Every category, severity, recipient kind, région (of the actor's territory) or month of the
    period, in a fixed order."""
    if by == "month":
        return [(f"{m.year:04d}-{m.month:02d}", f"{m.month:02d}/{m.year:04d}") for m in month_starts(start, end)]
    if by == "region":
        from services.directory.referential import region_options_in

        return region_options_in(scope_for(actor))
    enum = {"category": Category, "severity": Severity, "recipient": RecipientKind}[by]
    return [(member.value, member.label) for member in enum]


def _row(by: str, row) -> CountRow:
    if by == "month":
        year, month, n = int(row[0]), int(row[1]), int(row[2])
        return CountRow(f"{year:04d}-{month:02d}", f"{month:02d}/{year:04d}", n, fr_number(n))
    key, n = row[0], int(row[1])
    labels = {"category": Category.label_of, "severity": Severity.label_of, "recipient": RecipientKind.label_of}
    label = labels[by](key) if by in labels else row[2]
    return CountRow(str(key), label, n, fr_number(n))


def _percentiles(session, column, conditions: list, n: int, ps: tuple[float, ...]) -> list[float | None]:
    """Linear interpolation between the two values around rank p·(n−1) for each p, from one ordered read
    in SQL that returns only the values at those ranks."""
    if n == 0:
        return [None] * len(ps)
    positions = [p * (n - 1) for p in ps]
    ranks = sorted({r for pos in positions for r in (math.floor(pos) + 1, min(math.floor(pos) + 2, n))})
    ranked = (
        select(column.label("value"), func.row_number().over(order_by=column).label("rank"))
        .where(column.is_not(None), *conditions)
        .subquery()
    )
    values = dict(
        (int(rank), value)
        for value, rank in session.exec(select(ranked.c.value, ranked.c.rank).where(ranked.c.rank.in_(ranks))).all()
    )
    result = []
    for position in positions:
        low = math.floor(position)
        first = values[low + 1]
        if position == low or low + 2 not in values:
            result.append(float(first))
        else:
            result.append(first + (values[low + 2] - first) * (position - low))
    return result


def _delays(session, actor: Actor, column, conditions: list, n: int, rule) -> DelayStats:
    count, _ = _published(actor, n, rule)
    if count is None:
        return DelayStats(None, None, None)
    median, p90 = _percentiles(session, column, conditions, n, (0.5, 0.9))
    return DelayStats(count, median, p90)


def _within_and_total(done_at, due_at, settled) -> tuple:
    """SQL sums: signalements whose step was done within its deadline, and those where the question is settled."""
    within = func.coalesce(
        func.sum(sa.case((sa.and_(due_at.is_not(None), done_at.is_not(None), done_at <= due_at), 1), else_=0)), 0
    )
    total = func.coalesce(func.sum(sa.case((sa.and_(due_at.is_not(None), settled), 1), else_=0)), 0)
    return within, total


def _share(actor: Actor, w: int, t: int, rule) -> DeadlineShare:
    w, t = int(w), int(t)
    share = w / t if t else None
    if actor.is_funder:
        return DeadlineShare(None, None, share if t >= rule[0] else None)
    return DeadlineShare(w, t, share)


def signalement_indicators(
    *,
    actor: Actor,
    start: date | None = None,
    end: date | None = None,
    severity: str | None = None,
    now: datetime | None = None,
) -> SignalementIndicators:
    """Coordination (all), partner staff (own structure), funders (aggregates, small counts hidden):
    total, delays to acknowledge and to pass on, and the shares within the deadlines, for the period
    (and one severity when given)."""
    require(actor, Action.INDICATOR_READ)
    _check_period(actor, start, end)
    now = now or utcnow()
    conditions = _conditions(actor, start, end)
    if severity:
        conditions.append(Signalement.current_severity == severity)
    s = Signalement
    rule = _rule() if actor.is_funder else None
    ack_within, ack_settled = _within_and_total(
        s.acknowledged_at, s.ack_due_at, sa.or_(s.acknowledged_at.is_not(None), s.ack_due_at < now)
    )
    pass_within, pass_settled = _within_and_total(
        s.passed_on_at,
        s.pass_due_at,
        sa.or_(s.passed_on_at.is_not(None), sa.and_(s.closed_at.is_(None), s.pass_due_at < now)),
    )
    with session_scope(actor) as session:
        # Every count and share of the period in one pass; only the percentiles need their own reads.
        n, n_ack, n_pass, aw, at, pw, pt = session.exec(
            select(
                func.count(),
                func.count(s.ack_seconds),
                func.count(s.pass_seconds),
                ack_within,
                ack_settled,
                pass_within,
                pass_settled,
            )
            .select_from(s)
            .where(*conditions)
        ).one()
        total, total_shown = _published(actor, n, rule)
        return SignalementIndicators(
            total=total,
            total_shown=total_shown,
            time_to_acknowledge=_delays(session, actor, s.ack_seconds, conditions, n_ack, rule),
            time_to_pass_on=_delays(session, actor, s.pass_seconds, conditions, n_pass, rule),
            acknowledged_within=_share(actor, aw, at, rule),
            passed_on_within=_share(actor, pw, pt, rule),
        )
