"""Indicators of the children's path, aggregated in SQL.

- requests: requests received (by their day of receipt);
- oriented: distinct children whose request a structure accepted (by the day it accepted);
- placed: distinct children who arrived in a partner structure (by their day of arrival);
each split by period (month, quarter, year), requesting actor, requesting actor's département,
département of exploitation or form of exploitation (a request with several forms counts in each).

- median time from request to arrival, in days;
- share of placements at least the minimum distance (setting) away from the département of
  exploitation, among placements whose distance is known;
- runaway rate within 7 and 30 days of arrival: placements with a runaway (event, or exit for runaway)
  at most N days after arrival, among placements whose N-day outcome is known (arrived at least N
  days ago, ended, or already ran away within the N days), so that a runaway shows at once.

Funders see the same aggregates with small counts suppressed (fewer than SMALL_COUNT: None).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlmodel import func, select

from core.access import Action, Actor, require
from core.db import session_scope
from models.base import code_list_contains, utcnow
from models.child import ChildRequest, ExitReason, Placement, PlacementEvent, PlacementEventKind, RequesterKind
from models.structure import ExploitationForm
from services.path_sql import days_between, period_key, period_label
from services.referential import departement_label
from services.requests import paris_date

SMALL_COUNT = 5
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
class CountRow:
    key: str | None
    label: str
    count: int | None  # None: suppressed (small count, funders)


@dataclass(frozen=True)
class Share:
    numerator: int | None
    denominator: int | None

    @property
    def rate(self) -> float | None:
        if not self.denominator or self.numerator is None:
            return None
        return self.numerator / self.denominator


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


def _suppress(actor: Actor, value: int | None) -> int | None:
    if value is None or actor.is_coordination:
        return value
    return value if value == 0 or value >= SMALL_COUNT else None


def _share(actor: Actor, numerator: int, denominator: int) -> Share:
    if not actor.is_coordination and denominator < SMALL_COUNT:
        return Share(None, None)
    return Share(_suppress(actor, numerator) if numerator else 0, denominator)


def _between(column, start: date | None, end: date | None) -> list:
    conditions = []
    if start:
        conditions.append(column >= start)
    if end:
        conditions.append(column <= end)
    return conditions


def _measure_parts(measure: str):
    """(date column, counted expression, FROM clause builder) of a measure."""
    if measure == "requests":
        return ChildRequest.received_on, ChildRequest.id, False, lambda stmt: stmt
    if measure == "oriented":
        return (ChildRequest.oriented_on, ChildRequest.child_id, True,
                lambda stmt: stmt.where(ChildRequest.oriented_on.is_not(None)))
    if measure == "placed":
        return (Placement.arrival_date, Placement.child_id, True,
                lambda stmt: stmt.select_from(Placement).join(ChildRequest, ChildRequest.id == Placement.request_id,
                                                              isouter=True))
    raise ValueError(f"unknown measure {measure!r}")


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


def path_indicator_counts(*, actor: Actor, measure: str, group_by: str, start: date | None = None,
                          end: date | None = None, period: str = "month") -> list[CountRow]:
    """Coordination and funders: one of the three counts split by one dimension (small counts hidden for funders)."""
    require(actor, Action.PATH_INDICATOR_READ)
    if group_by not in GROUPS:
        raise ValueError(f"unknown grouping {group_by!r}")
    date_column, counted, distinct, shape = _measure_parts(measure)
    where = _between(date_column, start, end)
    with session_scope(actor) as session:
        if group_by == "exploitation_form":
            forms = [f.value for f in ExploitationForm]
            columns = []
            for code in forms:
                hit = sa.case((code_list_contains(ChildRequest.exploitation_forms, code), counted), else_=None)
                columns.append(func.count(sa.distinct(hit)) if distinct else func.count(hit))
            values = session.exec(shape(select(*columns)).where(*where)).one()
            rows = [(code, value) for code, value in zip(forms, values) if value]
        else:
            key = {
                "period": period_key(date_column, period),
                "requester_kind": ChildRequest.requester_kind,
                "requester_departement": ChildRequest.requester_departement_code,
                "exploitation_departement": ChildRequest.exploitation_departement_code,
            }[group_by]
            total = func.count(sa.distinct(counted)) if distinct else func.count(counted)
            rows = session.exec(shape(select(key.label("key"), total)).where(*where).group_by(key).order_by(key)).all()
    result = [CountRow(key, _label(group_by, key, period), _suppress(actor, count)) for key, count in rows]
    if group_by != "period":
        result.sort(key=lambda row: (-(row.count or 0), row.label))
    return result


def _total(session, measure: str, start: date | None, end: date | None) -> int:
    date_column, counted, distinct, shape = _measure_parts(measure)
    total = func.count(sa.distinct(counted)) if distinct else func.count(counted)
    return session.exec(shape(select(total)).where(*_between(date_column, start, end))).one()


def path_median_days_to_arrival(*, actor: Actor, start: date | None = None, end: date | None = None) -> tuple[float | None, int]:
    """Coordination and funders: median days from request to arrival for arrivals in the period, and how many."""
    require(actor, Action.PATH_INDICATOR_READ)
    with session_scope(actor) as session:
        durations = list(session.exec(
            select(days_between(Placement.arrival_date, ChildRequest.received_on).label("days"))
            .select_from(Placement).join(ChildRequest, ChildRequest.id == Placement.request_id)
            .where(*_between(Placement.arrival_date, start, end)).order_by("days")).all())
    if not durations or (not actor.is_coordination and len(durations) < SMALL_COUNT):
        return None, _suppress(actor, len(durations)) or 0
    return float(statistics.median(durations)), len(durations)


def path_distance_share(*, actor: Actor, start: date | None = None, end: date | None = None,
                        minimum_km: float | None = None) -> Share:
    """Coordination and funders: placements at least the minimum distance away, among those with a distance."""
    require(actor, Action.PATH_INDICATOR_READ)
    from services.orientation import min_distance_km

    minimum = min_distance_km() if minimum_km is None else minimum_km
    with session_scope(actor) as session:
        far, known = session.exec(
            select(func.coalesce(func.sum(sa.case((Placement.distance_km >= minimum, 1), else_=0)), 0), func.count())
            .where(Placement.distance_km.is_not(None), *_between(Placement.arrival_date, start, end))).one()
    return _share(actor, int(far), int(known))


def path_runaway_rate(*, actor: Actor, days: int, start: date | None = None, end: date | None = None) -> Share:
    """Coordination and funders: placements with a runaway within `days` of arrival, among known outcomes."""
    require(actor, Action.PATH_INDICATOR_READ)
    today = paris_date(utcnow())
    event_in_window = (
        select(PlacementEvent.id)
        .where(PlacementEvent.placement_id == Placement.id, PlacementEvent.kind == PlacementEventKind.RUNAWAY.value,
               days_between(PlacementEvent.occurred_on, Placement.arrival_date) <= days)
        .exists()
    )
    exit_in_window = (Placement.exit_reason == ExitReason.RUNAWAY.value) & (
        days_between(Placement.end_date, Placement.arrival_date) <= days)
    ran_away = event_in_window | exit_in_window
    known = (Placement.arrival_date <= today - timedelta(days=days)) | Placement.end_date.is_not(None) | ran_away
    with session_scope(actor) as session:
        runaways, observed = session.exec(
            select(func.coalesce(func.sum(sa.case((ran_away, 1), else_=0)), 0), func.count())
            .where(known, *_between(Placement.arrival_date, start, end))).one()
    return _share(actor, int(runaways), int(observed))


def path_summary(*, actor: Actor, start: date | None = None, end: date | None = None) -> PathSummary:
    """Coordination and funders: the headline figures of the path for a period."""
    require(actor, Action.PATH_INDICATOR_READ)
    from services.orientation import min_distance_km

    with session_scope(actor) as session:
        totals = {m: _total(session, m, start, end) for m in MEASURES}
    median, timed = path_median_days_to_arrival(actor=actor, start=start, end=end)
    minimum = min_distance_km()
    return PathSummary(
        requests=_suppress(actor, totals["requests"]), oriented=_suppress(actor, totals["oriented"]),
        placed=_suppress(actor, totals["placed"]), median_days_to_arrival=median, arrivals_timed=timed,
        distance_share=path_distance_share(actor=actor, start=start, end=end, minimum_km=minimum),
        min_distance_km=minimum,
        runaway_7=path_runaway_rate(actor=actor, days=7, start=start, end=end),
        runaway_30=path_runaway_rate(actor=actor, days=30, start=start, end=end),
    )
