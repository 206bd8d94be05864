"""Chart series of the weekly figures: one structure's values, or the network's (or a région's)
totals, one row per week × element, and their roll-up by month.

The coordination sees every total; anyone else sees a total only where the structures other than
his own pass the contributors rule (services/weekly/contributors.py), and only for locked weeks;
elsewhere the value is withheld with its reason in French. The network's totals come from the
totals kept per week and element (services/weekly/totals.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd
import sqlalchemy as sa
from sqlmodel import select

from core.access import Action, Actor, require, require_structure
from core.db import session_scope
from models.base import utcnow
from models.referential import Departement
from models.structure import Structure
from models.weekly import Aggregation, WeeklyElement, WeeklyReport, WeeklyTotal, WeeklyValue
from services.weekly.contributors import (
    NOBODY,
    WITHHELD_COMPLEMENT,
    WITHHELD_FEW,
    WITHHELD_FEW_FUNDER,
    WITHHELD_MONTH,
    WITHHELD_UNSETTLED,
    Contributors,
    contributors_publishable,
    contributors_withheld_parts,
)
from services.weekly.schedule import deadline_rule
from services.weekly.totals import COUNTED
from services.weekly.weeks import DeadlineRule, current_week, weeks_back

# --- chart series -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeriesElement:
    id: int
    code: str
    label: str
    aggregation: str
    active: bool


def _series_elements(session, include_retired: bool) -> list[SeriesElement]:
    stmt = select(WeeklyElement).order_by(WeeklyElement.position, WeeklyElement.id)
    if not include_retired:
        stmt = stmt.where(WeeklyElement.active == True)
    return [SeriesElement(e.id, e.code, e.label, e.aggregation, e.active) for e in session.exec(stmt)]


def weekly_series_structure(
    *, actor: Actor, structure_id: int, weeks: int = 52, include_retired: bool = False, now: datetime | None = None
) -> pd.DataFrame:
    """Coordination and partner staff (own structure): one row per week × element, value NaN where none was counted.

    Columns: week_start, element_id, code, label, aggregation, value, structures (1 or 0).
    """
    require(actor, Action.WEEKLY_CHART)
    require_structure(actor, structure_id)
    now = now or utcnow()
    window = weeks_back(current_week(now), weeks)
    stmt = (
        select(
            WeeklyReport.week_start,
            WeeklyValue.element_id,
            WeeklyValue.value,
            sa.literal(1, sa.Integer).label("structures"),
        )
        .join(WeeklyValue, WeeklyValue.report_id == WeeklyReport.id)
        .where(
            WeeklyReport.structure_id == structure_id,
            WeeklyReport.status.in_(COUNTED),
            WeeklyReport.week_start.between(window[0], window[-1]),
            WeeklyValue.value.is_not(None),
        )
    )
    with session_scope(actor) as session:
        elements = _series_elements(session, include_retired)
        points = session.execute(stmt).all()
    return _complete(points, elements, window, deadline_rule(), now)


def weekly_series_network(
    *,
    actor: Actor,
    weeks: int = 52,
    region_code: str | None = None,
    include_retired: bool = False,
    now: datetime | None = None,
) -> pd.DataFrame:
    """Coordination and partner staff: network (or région) totals per week × element, summed in SQL.

    Columns as `weekly_series_structure`; `structures` counts the structures whose figures are summed.
    The coordination sees every total. Anyone else sees a total only where the structures other than
    his own pass the contributors rule (services.weekly.contributors), and only for locked weeks (a total
    still changing would give late reports away by difference); elsewhere `value` is NaN,
    `structures` 0 and `withheld` says why in French.
    """
    require(actor, Action.WEEKLY_CHART)
    now = now or utcnow()
    window = weeks_back(current_week(now), weeks)
    rule = deadline_rule()
    with session_scope(actor) as session:
        elements = _series_elements(session, include_retired)
        if actor.is_coordination:
            points = [(*p, "") for p in session.execute(_exact_totals(window, region_code)).all()]
        else:
            # A total that is still changing gives, by difference, the figures each late report adds:
            # the others' weeks are shown once locked (only the coordination can reopen them then).
            settled = [week for week in window if rule.lock_at(week) <= now]
            points = [
                _reader_point(week, e.id, 0.0, 0, WITHHELD_UNSETTLED.format(weeks=rule.lock_weeks))
                for week in window
                if week not in settled
                for e in elements
            ]
            if settled and region_code:
                points += _reader_region_points(session, actor, settled, region_code)
            elif settled:
                points += _reader_network_points(session, actor, settled)
    return _complete(points, elements, window, rule, now)


def _exact_totals(window: list[date], region_code: str | None):
    """SQL: (week, element, total, structures) of the network, or of one région, over the counted reports."""
    if not region_code:  # the whole network: the totals kept per week and element (services.weekly.totals)
        return select(WeeklyTotal.week_start, WeeklyTotal.element_id, WeeklyTotal.total, WeeklyTotal.structures).where(
            WeeklyTotal.week_start.between(window[0], window[-1])
        )
    in_region = (
        select(Structure.id)
        .join(Departement, Departement.code == Structure.departement_code)
        .where(Departement.region_code == region_code)
    )
    return (
        select(
            WeeklyReport.week_start,
            WeeklyValue.element_id,
            sa.func.sum(WeeklyValue.value).label("value"),
            sa.func.count(WeeklyValue.value).label("structures"),
        )
        .join(WeeklyValue, WeeklyValue.report_id == WeeklyReport.id)
        .where(
            WeeklyReport.status.in_(COUNTED),
            WeeklyReport.week_start.between(window[0], window[-1]),
            WeeklyValue.value.is_not(None),
            WeeklyReport.structure_id.in_(in_region),
        )
        .group_by(WeeklyReport.week_start, WeeklyValue.element_id)
    )


def _own_values(session, actor: Actor, window: list[date]) -> dict[tuple[date, int], float]:
    """The reader's own structure's counted values (what it may subtract from a total); none for a funder."""
    if actor.structure_id is None:
        return {}
    rows = session.execute(
        select(WeeklyReport.week_start, WeeklyValue.element_id, WeeklyValue.value)
        .join(WeeklyValue, WeeklyValue.report_id == WeeklyReport.id)
        .where(
            WeeklyReport.structure_id == actor.structure_id,
            WeeklyReport.status.in_(COUNTED),
            WeeklyReport.week_start.between(window[0], window[-1]),
            WeeklyValue.value.is_not(None),
        )
    ).all()
    return {(_as_date(week), element): float(value) for week, element, value in rows}


def _withheld_text(actor: Actor) -> str:
    return WITHHELD_FEW if actor.structure_id is not None else WITHHELD_FEW_FUNDER


def _reader_network_points(session, actor: Actor, window: list[date]) -> list[tuple]:
    """The whole network's totals, each published only if the other structures pass the contributors rule.

    The totals table keeps the two largest values, so the largest *other* structure is known even
    when the reader's own structure is the largest.
    """
    own = _own_values(session, actor, window)
    rows = session.execute(
        select(
            WeeklyTotal.week_start,
            WeeklyTotal.element_id,
            WeeklyTotal.total,
            WeeklyTotal.structures,
            WeeklyTotal.max_value,
            WeeklyTotal.second_value,
        ).where(WeeklyTotal.week_start.between(window[0], window[-1]))
    ).all()
    points = []
    for week, element, total, count, largest, second in rows:
        mine = own.get((_as_date(week), element))
        others = Contributors(count, total, largest)
        if mine is not None:
            others = Contributors(count - 1, total - mine, (second or 0.0) if mine >= largest else largest)
        points.append(
            _reader_point(
                week, element, total, count, None if contributors_publishable(others) else _withheld_text(actor)
            )
        )
    return points


def _reader_region_points(session, actor: Actor, window: list[date], region_code: str) -> list[tuple]:
    """One région's totals, each published only if it passes the contributors rule, and if the network minus the
    published régions does too (otherwise that difference would give the withheld régions away).

    The network total is taken as known whether or not it is published here: it may be learnt elsewhere
    (a report, a publication), and the choice then never hangs on a near tie with the network view.
    """
    own = _own_values(session, actor, window)
    own_region = None
    if actor.structure_id is not None:
        own_region = session.execute(
            select(Departement.region_code)
            .join(Structure, Structure.departement_code == Departement.code)
            .where(Structure.id == actor.structure_id)
        ).scalar_one_or_none()
    parts: dict[tuple[date, int], dict[str, Contributors]] = {}
    for region, week, element, total, count, largest in session.execute(_others_by_region(actor, window)).all():
        parts.setdefault((_as_date(week), element), {})[region] = Contributors(int(count), float(total), float(largest))
    if own_region == region_code:
        for key in own:
            parts.setdefault(key, {})
    points = []
    for (week, element), by_region in parts.items():
        mine = own.get((week, element)) if own_region == region_code else None
        here = by_region.get(region_code, NOBODY)
        if here.count == 0 and mine is None:
            continue
        withheld = region_code in contributors_withheld_parts(by_region, whole_published=True)
        reason = None
        if withheld:
            reason = _withheld_text(actor) if not contributors_publishable(here) else WITHHELD_COMPLEMENT
        points.append(_reader_point(week, element, here.total + (mine or 0.0), here.count + (mine is not None), reason))
    return points


def _others_by_region(actor: Actor, window: list[date]):
    """SQL: per région, week and element, the sum, count and largest value of the structures other than the reader's
    (every région: which régions are withheld depends on all of them)."""
    stmt = (
        select(
            Departement.region_code,
            WeeklyReport.week_start,
            WeeklyValue.element_id,
            sa.func.sum(WeeklyValue.value),
            sa.func.count(WeeklyValue.value),
            sa.func.max(WeeklyValue.value),
        )
        .join(WeeklyValue, WeeklyValue.report_id == WeeklyReport.id)
        .join(Structure, Structure.id == WeeklyReport.structure_id)
        .join(Departement, Departement.code == Structure.departement_code)
        .where(
            WeeklyReport.status.in_(COUNTED),
            WeeklyReport.week_start.between(window[0], window[-1]),
            WeeklyValue.value.is_not(None),
        )
        .group_by(Departement.region_code, WeeklyReport.week_start, WeeklyValue.element_id)
    )
    if actor.structure_id is not None:
        stmt = stmt.where(WeeklyReport.structure_id != actor.structure_id)
    return stmt


def _reader_point(week, element: int, total: float, count: int, reason: str | None) -> tuple:
    """A point as `_complete` reads it: a withheld one keeps neither its value nor its count of structures."""
    if reason is None:
        return week, element, total, count, ""
    return week, element, float("nan"), 0, reason


def _as_date(value) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


COLUMNS = ["week_start", "element_id", "code", "label", "aggregation", "value", "structures", "open", "withheld"]


def _complete(
    points, elements: list[SeriesElement], window: list[date], rule: DeadlineRule, now: datetime
) -> pd.DataFrame:
    """Every week × element of the window, NaN where nothing was counted: charts show gaps, not zeros.

    `open` marks the weeks whose deadline has not passed: their figures are still coming in.
    `withheld` is empty, or says in French why a figure is not shown (points of five items carry it).
    """
    known = {(_as_date(p[0]), p[1]): (float(p[2]), int(p[3]), p[4] if len(p) > 4 else "") for p in points}
    still_open = {week: rule.deadline(week) > now for week in window}
    nothing = (float("nan"), 0, "")
    rows = [
        {
            "week_start": week,
            "element_id": e.id,
            "code": e.code,
            "label": e.label,
            "aggregation": e.aggregation,
            "value": known.get((week, e.id), nothing)[0],
            "structures": known.get((week, e.id), nothing)[1],
            "open": still_open[week],
            "withheld": known.get((week, e.id), nothing)[2],
        }
        for e in elements
        for week in window
    ]
    return pd.DataFrame(rows, columns=COLUMNS)


def weekly_series_by_month(frame: pd.DataFrame) -> pd.DataFrame:
    """Any caller: a weekly series rolled up by month with each element's own rule (flows summed, stocks last or average).

    A week belongs to the month of its Thursday (the ISO rule); a month without any value stays NaN;
    a month holding a week still open is open too. A month holding a withheld week is withheld too:
    its sum, last value or average would give the withheld week back, or part of it.
    """
    if frame.empty:
        return frame.assign(month=pd.Series(dtype="object"))
    data = frame.copy()
    if "withheld" not in data:
        data["withheld"] = ""
    data["month"] = [date((w + timedelta(days=3)).year, (w + timedelta(days=3)).month, 1) for w in data["week_start"]]
    out = []
    for (element_id, month), group in data.sort_values("week_start").groupby(["element_id", "month"], sort=True):
        values = group["value"].dropna()
        rule = group["aggregation"].iloc[0]
        withheld = WITHHELD_MONTH if (group["withheld"] != "").any() else ""
        if values.empty or withheld:
            value = float("nan")
        elif rule == Aggregation.SUM.value:
            value = float(values.sum())
        elif rule == Aggregation.LAST.value:
            value = float(values.iloc[-1])
        else:
            value = float(values.mean())
        first = group.iloc[0]
        out.append(
            {
                "week_start": month,
                "element_id": element_id,
                "code": first["code"],
                "label": first["label"],
                "aggregation": rule,
                "value": value,
                "structures": 0 if withheld else int(group["structures"].max()),
                "open": bool(group["open"].any()),
                "withheld": withheld,
            }
        )
    return pd.DataFrame(out, columns=COLUMNS)
