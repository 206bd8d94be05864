"""Indicators of the children's path, aggregated in SQL.

- requests: requests received (by their day of receipt);
- oriented: distinct children whose request a structure accepted (by the day it accepted);
- placed: distinct children who arrived in a partner structure (by their day of arrival);
each split by period (month, quarter, year), requesting actor, requesting actor's département,
département of exploitation or form of exploitation (a request with several forms counts in each).

- median time from request to arrival, in days, for the arrivals of the period;
- share of placements at least the minimum distance (setting) away from the département of
  exploitation, among the placements of the period whose distance is known;
- runaway rate within 7 and 30 days of arrival: placements with a runaway (event, or exit for
  runaway) at most N days after arrival, among the placements of the period whose N-day outcome is
  known (arrived at least N days ago, ended, or already ran away within the N days), so that a
  runaway shows at once.

Territory (services.periods.Scope; a funder limited to a territory cannot widen it): requests and
children oriented belong to the département of exploitation, children placed and the
placement-based figures to the département of the receiving structure.

Funders read the same figures protected by services.indicators.disclosure (settings `disclosure_threshold`
and `disclosure_rounding`): small counts become « < seuil », others are rounded; a rate or a median
is published only when every count behind it is publishable; no numerator or denominator is given.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlmodel import func, select

from core.access import Action, Actor, require
from core.clock import paris_date
from core.db import session_scope
from core.formatting import fr_number
from models.base import code_list_contains, utcnow
from models.child import ChildRequest, ExitReason, Placement, PlacementEvent, PlacementEventKind, RequesterKind
from models.structure import ExploitationForm, Structure
from services.admin.settings import setting_get
from services.directory.referential import departement_label, departement_options
from services.indicators.disclosure import Mark, fr_cell, protect_series, round_count
from services.indicators.disclosure_policy import (
    breakdown_publishable,
    check_days,
    full_rows,
    mask_pinning_zeros,
    withheld_note,
)
from services.path.sql import days_between, period_key, period_label
from services.periods import Scope, in_scope, month_starts, scope_for, scope_holds
from services.summaries.requests import request_counts, request_total

MEASURES = {"requests": "Sollicitations reçues", "oriented": "Enfants orientés", "placed": "Enfants accueillis"}
GROUPS = {
    "period": "Période",
    "requester_kind": "Demandeur",
    "requester_departement": "Département du demandeur",
    "exploitation_departement": "Département d'exploitation",
    "exploitation_form": "Forme d'exploitation",
}
UNKNOWN = "Non renseigné"


@dataclass(frozen=True)
class Rule:
    """How a funder's figures are protected (None for the coordination: exact figures)."""

    threshold: int
    rounding: int


@dataclass(frozen=True)
class CountRow:
    key: str | None
    label: str
    count: int | None  # exact (coordination) or published (funders); None when not published
    shown: str  # French display: '12', '< 5' or 's'


@dataclass(frozen=True)
class CountTable:
    rows: list[CountRow]
    total: int | None
    total_shown: str
    rule: Rule | None
    withheld: str = ""  # why the breakdown is not published (funders), empty when it is


@dataclass(frozen=True)
class Share:
    numerator: int | None  # None for funders (only the rate is published)
    denominator: int | None
    rate: float | None  # None when there is nothing to divide, or when not publishable


@dataclass(frozen=True)
class PathSummary:
    requests: int | None
    oriented: int | None
    placed: int | None
    median_days_to_arrival: float | None
    arrivals_timed: int | None
    distance_share: Share
    min_distance_km: float
    runaway_7: Share
    runaway_30: Share
    rule: Rule | None

    def shown(self, value: int | None) -> str:
        if value is None:
            return f"< {self.rule.threshold}" if self.rule else "—"
        return fr_number(value)


def _rule(actor: Actor) -> Rule | None:
    if actor.is_coordination:
        return None
    return Rule(int(setting_get(key="disclosure_threshold")), int(setting_get(key="disclosure_rounding")))


def _check_period(actor: Actor, start: date | None, end: date | None) -> None:
    """A funder reads whole months that are over (services.indicators.disclosure_policy); `end` is the last day."""
    if not actor.is_coordination:
        check_days(start, end, today=paris_date(utcnow()))


def _vocabulary(
    group_by: str, actor: Actor, scope: Scope | None, start: date | None, end: date | None, period: str
) -> list[tuple[str | None, str]]:
    """Every category of a dimension, in a fixed order (what a funder's breakdown lists, zeros included)."""
    if group_by == "requester_kind":
        keys = [k.value for k in RequesterKind]
    elif group_by == "exploitation_form":
        keys = [f.value for f in ExploitationForm]
    elif group_by == "exploitation_departement":
        pinned = scope_for(actor, scope)
        keys = [
            o.code
            for o in departement_options()
            if scope_holds(pinned, code=o.code, region_code=o.region_code, overseas=o.overseas)
        ]
    elif group_by == "requester_departement":
        keys = [o.code for o in departement_options()]
    else:  # period: every month (quarter, year) from start to end
        keys = _period_keys(start, end, period)
    if group_by != "exploitation_form" and group_by != "period":
        keys.append(None)
    return [(k, _label(group_by, k, period)) for k in keys]


def _period_keys(start: date | None, end: date | None, period: str) -> list[str]:
    """The keys (as `period_key` writes them) of the months, quarters or years from `start` to `end`."""
    if start is None or end is None:
        return []
    keys: list[str] = []
    for month in month_starts(start, end):
        if period == "year":
            key = f"{month.year:04d}"
        elif period == "quarter":
            key = f"{month.year:04d}-T{(month.month - 1) // 3 + 1}"
        else:
            key = f"{month.year:04d}-{month.month:02d}"
        if key not in keys:
            keys.append(key)
    return keys


def _publish(rule: Rule | None, value: int) -> int | None:
    """One count as the actor may see it: exact, rounded, or None (small)."""
    if rule is None or value == 0:
        return value
    if value < rule.threshold:
        return None
    return round_count(value, threshold=rule.threshold, rounding=rule.rounding)


def _publishable(rule: Rule | None, *counts: int) -> bool:
    return rule is None or all(c == 0 or c >= rule.threshold for c in counts)


def _share(rule: Rule | None, numerator: int, denominator: int) -> Share:
    rate = numerator / denominator if denominator else None
    if rule is None:
        return Share(numerator, denominator, rate)
    if not denominator or not _publishable(rule, numerator, denominator - numerator, denominator):
        return Share(None, None, None)
    return Share(None, None, round(rate, 2))


def _between(column, start: date | None, end: date | None) -> list:
    conditions = []
    if start:
        conditions.append(column >= start)
    if end:
        conditions.append(column <= end)
    return conditions


def _territory(actor: Actor, scope: Scope | None, column) -> list:
    condition = in_scope(column, scope_for(actor, scope))
    return [] if condition is None else [condition]


def _measure(measure: str, actor: Actor, scope: Scope | None, *, with_request: bool = True):
    """(date column, counted expression, distinct?, FROM/WHERE shaper) of a measure (with_request=False:
    placements are not joined to their request, for counts that do not read it)."""
    if measure == "requests":
        where = _territory(actor, scope, ChildRequest.exploitation_departement_code)
        return ChildRequest.received_on, ChildRequest.id, False, lambda stmt: stmt.where(*where)
    if measure == "oriented":
        where = _territory(actor, scope, ChildRequest.exploitation_departement_code)
        return (
            ChildRequest.oriented_on,
            ChildRequest.child_id,
            True,
            lambda stmt: stmt.where(ChildRequest.oriented_on.is_not(None), *where),
        )
    if measure == "placed":
        return (
            Placement.arrival_date,
            Placement.child_id,
            True,
            lambda stmt: _placements(stmt, actor, scope, with_request=with_request),
        )
    raise ValueError(f"unknown measure {measure!r}")


def _placements(stmt, actor: Actor, scope: Scope | None, *, with_request: bool = True):
    """Placements joined to their request (outer) and, under a territorial scope, to their structure."""
    stmt = stmt.select_from(Placement)
    if with_request:
        stmt = stmt.join(ChildRequest, ChildRequest.id == Placement.request_id, isouter=True)
    where = _territory(actor, scope, Structure.departement_code)
    if where:
        stmt = stmt.join(Structure, Structure.id == Placement.structure_id).where(*where)
    return stmt


def _label(group_by: str, key: str | None, period: str) -> str:
    if key is None:
        return UNKNOWN
    if group_by == "period":
        return period_label(key, period)
    if group_by == "requester_kind":
        return RequesterKind.label_of(key)
    if group_by in ("requester_departement", "exploitation_departement"):
        return departement_label(key)
    return ExploitationForm.label_of(key)


def path_indicator_counts(
    *,
    actor: Actor,
    measure: str,
    group_by: str,
    start: date | None = None,
    end: date | None = None,
    period: str = "month",
    scope: Scope | None = None,
) -> CountTable:
    """Coordination and funders (protected): one of the three counts split by one dimension, with its total.

    A funder's table lists every category (zeros included) and is not published at all when its total
    is below the threshold (services.indicators.disclosure_policy); the coordination sees the categories found."""
    require(actor, Action.PATH_INDICATOR_READ)
    if group_by not in GROUPS:
        raise ValueError(f"unknown grouping {group_by!r}")
    _check_period(actor, start, end)
    date_column, counted, distinct, shape = _measure(measure, actor, scope, with_request=group_by != "period")
    where = _between(date_column, start, end)
    counter = (lambda expr: func.count(sa.distinct(expr))) if distinct else func.count
    with session_scope(actor) as session:
        summed = (  # national counts of requests over whole months: from the monthly summary
            request_counts(
                session, group_by=group_by, territory=scope_for(actor, scope), start=start, end=end, period=period
            )
            if measure == "requests"
            else None
        )
        if summed is not None:
            rows = summed
        elif group_by == "exploitation_form":
            forms = [f.value for f in ExploitationForm]
            columns = [
                counter(sa.case((code_list_contains(ChildRequest.exploitation_forms, code), counted), else_=None))
                for code in forms
            ]
            values = session.exec(shape(select(*columns)).where(*where)).one()
            rows = [(code, int(value)) for code, value in zip(forms, values)]
        else:
            key = {
                "period": period_key(date_column, period),
                "requester_kind": ChildRequest.requester_kind,
                "requester_departement": ChildRequest.requester_departement_code,
                "exploitation_departement": ChildRequest.exploitation_departement_code,
            }[group_by]
            rows = [
                (k, int(n))
                for k, n in session.exec(
                    shape(select(key.label("key"), counter(counted))).where(*where).group_by(key).order_by(key)
                ).all()
            ]
        if distinct or group_by == "exploitation_form":
            total = _total(session, actor, measure, start, end, scope)
        else:
            total = sum(n for _, n in rows)  # one row per key (None included): the rows add up
    rule = _rule(actor)
    if rule is None:
        rows = [(k, n) for k, n in rows if n or group_by == "period"]
        if group_by != "period":
            rows.sort(key=lambda row: (-row[1], _label(group_by, row[0], period)))
        return CountTable(
            [CountRow(k, _label(group_by, k, period), n, fr_number(n)) for k, n in rows], total, fr_number(total), None
        )
    return _protected_counts(rule, group_by, rows, total, _vocabulary(group_by, actor, scope, start, end, period))


def _protected_counts(
    rule: Rule, group_by: str, rows: list[tuple[str | None, int]], total: int, vocabulary: list[tuple[str | None, str]]
) -> CountTable:
    """A funder's breakdown: every category in a fixed order, or nothing when the total is small."""
    published_total = _publish(rule, total)
    total_shown = fr_cell(Mark.SMALL if published_total is None else published_total, threshold=rule.threshold)
    # The time dimension is the series the tiles already publish month by month: shown whatever its total.
    if group_by != "period" and not breakdown_publishable(total, threshold=rule.threshold):
        return CountTable([], published_total, total_shown, rule, withheld_note(threshold=rule.threshold))
    full = full_rows(dict(rows), vocabulary)
    counts = [n for _, _, n in full]
    cells = protect_series(counts, threshold=rule.threshold, rounding=rule.rounding).cells
    if group_by != "period":
        cells = [row[0] for row in mask_pinning_zeros([(c,) for c in cells], [(n,) for n in counts])]
    return CountTable(
        [
            CountRow(k, label, None if isinstance(cell, Mark) else cell, fr_cell(cell, threshold=rule.threshold))
            for (k, label, _), cell in zip(full, cells)
        ],
        published_total,
        total_shown,
        rule,
    )


def _total(session, actor: Actor, measure: str, start, end, scope) -> int:
    summed = (
        request_total(session, territory=scope_for(actor, scope), start=start, end=end)
        if measure == "requests"
        else None
    )
    if summed is not None:
        return summed
    date_column, counted, distinct, shape = _measure(measure, actor, scope, with_request=False)
    total = func.count(sa.distinct(counted)) if distinct else func.count(counted)
    return session.exec(shape(select(total)).where(*_between(date_column, start, end))).one()


def path_median_days_to_arrival(
    *, actor: Actor, start: date | None = None, end: date | None = None, scope: Scope | None = None
) -> tuple[float | None, int | None]:
    """Coordination and funders (protected): median days from request to arrival, and over how many arrivals."""
    require(actor, Action.PATH_INDICATOR_READ)
    _check_period(actor, start, end)
    stmt = _placements(
        select(days_between(Placement.arrival_date, ChildRequest.received_on).label("days")),
        actor,
        scope,
        with_request=False,
    )
    stmt = stmt.join(ChildRequest, ChildRequest.id == Placement.request_id)
    stmt = stmt.where(*_between(Placement.arrival_date, start, end))
    with session_scope(actor) as session:
        # The count, then only the one or two middle values (not every duration of the period).
        count = session.exec(select(func.count()).select_from(stmt.subquery())).one()
        middle = (
            list(session.exec(stmt.order_by("days").limit(2 - count % 2).offset((count - 1) // 2)).all())
            if count
            else []
        )
    rule = _rule(actor)
    if not count or not _publishable(rule, count):
        return None, _publish(rule, count)
    return float(statistics.median(middle)), _publish(rule, count)


def path_distance_share(
    *,
    actor: Actor,
    start: date | None = None,
    end: date | None = None,
    minimum_km: float | None = None,
    scope: Scope | None = None,
) -> Share:
    """Coordination and funders (protected): placements at least the minimum distance away, among those with a distance."""
    require(actor, Action.PATH_INDICATOR_READ)
    _check_period(actor, start, end)
    from services.path.finder import min_distance_km

    minimum = min_distance_km() if minimum_km is None else minimum_km
    stmt = _placements(
        select(func.coalesce(func.sum(sa.case((Placement.distance_km >= minimum, 1), else_=0)), 0), func.count()),
        actor,
        scope,
        with_request=False,
    )
    with session_scope(actor) as session:
        far, known = session.exec(
            stmt.where(Placement.distance_km.is_not(None), *_between(Placement.arrival_date, start, end))
        ).one()
    return _share(_rule(actor), int(far), int(known))


def path_runaway_rate(
    *, actor: Actor, days: int, start: date | None = None, end: date | None = None, scope: Scope | None = None
) -> Share:
    """Coordination and funders (protected): placements with a runaway within `days` of arrival, among known outcomes."""
    require(actor, Action.PATH_INDICATOR_READ)
    _check_period(actor, start, end)
    return _runaway_rates(actor, (days,), start, end, scope)[0]


def _runaway_rates(
    actor: Actor, windows: tuple[int, ...], start: date | None, end: date | None, scope: Scope | None
) -> list[Share]:
    """The runaway rate for each window (days), from one pass over the period's placements."""
    today = paris_date(utcnow())
    # Each placement's first runaway, grouped once, instead of a lookup per placement, window and use:
    # a runaway happened within a window exactly when the first one did.
    first_runaway = (
        select(
            PlacementEvent.placement_id.label("placement_id"),
            func.min(PlacementEvent.occurred_on).label("first_on"),
        )
        .where(PlacementEvent.kind == PlacementEventKind.RUNAWAY.value)
        .group_by(PlacementEvent.placement_id)
        .subquery()
    )
    columns = []
    for days in windows:
        event_in_window = days_between(first_runaway.c.first_on, Placement.arrival_date) <= days
        exit_in_window = (Placement.exit_reason == ExitReason.RUNAWAY.value) & (
            days_between(Placement.end_date, Placement.arrival_date) <= days
        )
        ran_away = event_in_window | exit_in_window
        known = (Placement.arrival_date <= today - timedelta(days=days)) | Placement.end_date.is_not(None) | ran_away
        columns += [
            func.coalesce(func.sum(sa.case((ran_away, 1), else_=0)), 0),
            func.coalesce(func.sum(sa.case((known, 1), else_=0)), 0),
        ]
    stmt = _placements(select(*columns), actor, scope, with_request=False).outerjoin(
        first_runaway, first_runaway.c.placement_id == Placement.id
    )
    with session_scope(actor) as session:
        values = session.exec(stmt.where(*_between(Placement.arrival_date, start, end))).one()
    rule = _rule(actor)
    return [_share(rule, int(values[2 * i]), int(values[2 * i + 1])) for i in range(len(windows))]


def path_summary(
    *, actor: Actor, start: date | None = None, end: date | None = None, scope: Scope | None = None
) -> PathSummary:
    """Coordination and funders (protected): the headline figures of the path for a period."""
    require(actor, Action.PATH_INDICATOR_READ)
    _check_period(actor, start, end)
    from services.path.finder import min_distance_km

    rule = _rule(actor)
    with session_scope(actor) as session:
        totals = {m: _total(session, actor, m, start, end, scope) for m in MEASURES}
    median, timed = path_median_days_to_arrival(actor=actor, start=start, end=end, scope=scope)
    minimum = min_distance_km()
    runaway_7, runaway_30 = _runaway_rates(actor, (7, 30), start, end, scope)
    return PathSummary(
        requests=_publish(rule, totals["requests"]),
        oriented=_publish(rule, totals["oriented"]),
        placed=_publish(rule, totals["placed"]),
        median_days_to_arrival=median,
        arrivals_timed=timed,
        distance_share=path_distance_share(actor=actor, start=start, end=end, minimum_km=minimum, scope=scope),
        min_distance_km=minimum,
        runaway_7=runaway_7,
        runaway_30=runaway_30,
        rule=rule,
    )
