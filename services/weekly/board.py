"""Reading the weekly figures in bulk: completeness board, reminders and chart series.

Everything is counted in SQL over (structures × weeks) and returns small results: one row per
structure, région or week, never the reports themselves. A structure is expected to report a
week when it is ACTIVE on that week's Sunday, by its status history (`structure_status_changes`,
the network's shared definition, see services.directory.coverage): joining, suspended or departed
structures are not expected.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd
import sqlalchemy as sa
from sqlmodel import select

from core.access import Action, Actor, require, require_structure
from core.db import session_scope
from models.base import LabelledEnum, utcnow
from models.referential import Departement, Region
from models.structure import NetworkStatus, Structure, StructureStatusChange
from models.weekly import Aggregation, ReportStatus, WeeklyElement, WeeklyReport, WeeklyTotal, WeeklyValue
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
from services.weekly.reports import COUNTED, deadline_rule
from services.weekly.weeks import DeadlineRule, current_week, weeks_back

S, D, R = Structure.__table__, Departement.__table__, WeeklyReport.__table__
SC = StructureStatusChange.__table__


class Cell(LabelledEnum):
    ON_TIME = ("a_l_heure", "À l'heure")
    LATE = ("en_retard", "En retard")
    MISSING = ("manquant", "Manquant")
    PENDING = ("attendu", "Attendu (échéance à venir)")
    NOT_EXPECTED = ("non_attendu", "Non attendu")


@dataclass(frozen=True)
class Rates:
    key: str | int | None
    label: str
    region: str
    expected: int
    received: int
    on_time: int
    sent_back: int

    @property
    def missing(self) -> int:
        return self.expected - self.received

    @property
    def completeness(self) -> float | None:
        """Reports received / reports expected (weeks whose deadline has passed)."""
        return self.received / self.expected if self.expected else None

    @property
    def timeliness(self) -> float | None:
        """Reports received on time / reports expected."""
        return self.on_time / self.expected if self.expected else None


@dataclass(frozen=True)
class RatesPage:
    rows: list[Rates]
    total: int


@dataclass(frozen=True)
class GridCell:
    structure_id: int
    structure_name: str
    week_start: date
    cell: Cell
    status: str | None


@dataclass(frozen=True)
class Reminder:
    structure_id: int
    structure_name: str
    region: str
    email: str | None
    phone: str | None
    status: str | None
    missing_recent: int


@dataclass(frozen=True)
class Reminders:
    week_start: date
    deadline: datetime
    deadline_passed: bool
    missing: list[Reminder]
    sent_back: list[Reminder]


def _weeks_table(weeks: list[date], rule: DeadlineRule, now: datetime):
    """The window of weeks as a small SQL table: Monday, Sunday, and whether the deadline passed."""
    rows = [
        # Typed binds, no CAST: SQLite would turn CAST(… AS DATE) into a number.
        select(
            sa.literal(w, sa.Date).label("week_start"),
            sa.literal(w + timedelta(days=6), sa.Date).label("week_end"),
            sa.literal(1 if rule.deadline(w) <= now else 0, sa.Integer).label("past"),
        )
        for w in weeks
    ]
    return sa.union_all(*rows).subquery("weeks")


def _active_periods():
    """SQL: each span [valid_from, valid_to) a structure was active, from its status history."""
    following = sa.func.lead(SC.c.effective_on).over(
        partition_by=SC.c.structure_id, order_by=(SC.c.effective_on, SC.c.id)
    )
    steps = select(
        SC.c.structure_id, SC.c.status, SC.c.effective_on.label("valid_from"), following.label("valid_to")
    ).subquery("steps")
    return (
        select(steps.c.structure_id, steps.c.valid_from, steps.c.valid_to)
        .where(steps.c.status == NetworkStatus.ACTIVE.value)
        .subquery("active_periods")
    )


def _active_during(p, w):
    """SQL: the active period `p` holds on the Sunday of week `w` (periods never overlap)."""
    return sa.and_(p.c.valid_from <= w.c.week_end, sa.or_(p.c.valid_to.is_(None), p.c.valid_to > w.c.week_end))


def _structure_weeks(w, region_code: str | None):
    """FROM the expected (structure, week) pairs, with their département and report (if any)."""
    p = _active_periods()
    joined = (
        S.join(D, D.c.code == S.c.departement_code)
        .join(p, p.c.structure_id == S.c.id)
        .join(w, _active_during(p, w))
        .outerjoin(R, sa.and_(R.c.structure_id == S.c.id, R.c.week_start == w.c.week_start))
    )
    conditions = [D.c.region_code == region_code] if region_code else []
    return joined, conditions


def _received():
    """SQL: the report was submitted at least once. `submitted_late` is set exactly when `first_submitted_at` is
    (a CHECK constraint), and it is in the index on (week_start, structure_id, status, submitted_late), which
    then holds every column of the reports the boards read."""
    return R.c.submitted_late.is_not(None)


def _counts(w):
    received = _received()
    past = w.c.past == 1
    return [
        sa.func.sum(sa.case((past, 1), else_=0)).label("expected"),
        sa.func.sum(sa.case((sa.and_(past, received), 1), else_=0)).label("received"),
        sa.func.sum(sa.case((sa.and_(past, received, R.c.submitted_late == sa.false()), 1), else_=0)).label("on_time"),
        sa.func.sum(sa.case((R.c.status == ReportStatus.SENT_BACK.value, 1), else_=0)).label("sent_back"),
    ]


def _window(weeks: int, now: datetime, rule: DeadlineRule) -> list[date]:
    return weeks_back(current_week(now), weeks)


def weekly_board_network(
    *, actor: Actor, weeks: int = 13, region_code: str | None = None, now: datetime | None = None
) -> Rates:
    """Coordination only: completeness and timeliness of the whole network (or one région) over `weeks` weeks."""
    require(actor, Action.WEEKLY_BOARD)
    now, rule = now or utcnow(), deadline_rule()
    w = _weeks_table(_window(weeks, now, rule), rule, now)
    joined, conditions = _structure_weeks(w, region_code)
    with session_scope(actor) as session:
        row = session.execute(select(*_counts(w)).select_from(joined).where(*conditions)).one()
    return Rates(
        None,
        "Réseau",
        "",
        int(row.expected or 0),
        int(row.received or 0),
        int(row.on_time or 0),
        int(row.sent_back or 0),
    )


def weekly_board_regions(*, actor: Actor, weeks: int = 13, now: datetime | None = None) -> list[Rates]:
    """Coordination only: completeness and timeliness per région, lowest completeness first."""
    require(actor, Action.WEEKLY_BOARD)
    now, rule = now or utcnow(), deadline_rule()
    return _region_rates(_weeks_table(_window(weeks, now, rule), rule, now), actor)


@dataclass(frozen=True)
class Overview:
    network: Rates  # the whole network, or the région asked for
    regions: list[Rates]


def weekly_board_overview(
    *, actor: Actor, weeks: int = 13, region_code: str | None = None, now: datetime | None = None
) -> Overview:
    """Coordination only: the network's (or one région's) rates and every région's, from one grouped query."""
    require(actor, Action.WEEKLY_BOARD)
    now, rule = now or utcnow(), deadline_rule()
    regions = _region_rates(_weeks_table(_window(weeks, now, rule), rule, now), actor)
    counted = [r for r in regions if region_code is None or r.key == region_code]
    network = Rates(
        None,
        "Réseau",
        "",
        *(sum(getattr(r, f) for r in counted) for f in ("expected", "received", "on_time", "sent_back")),
    )
    return Overview(network, regions)


def _region_rates(w, actor: Actor) -> list[Rates]:
    joined, conditions = _structure_weeks(w, None)
    regions = Region.__table__
    stmt = (
        select(D.c.region_code, regions.c.name, *_counts(w))
        .select_from(joined.join(regions, regions.c.code == D.c.region_code))
        .where(*conditions)
        .group_by(D.c.region_code, regions.c.name)
    )
    with session_scope(actor) as session:
        rows = session.execute(stmt).all()
    result = [
        Rates(r.region_code, r.name, r.name, int(r.expected), int(r.received), int(r.on_time), int(r.sent_back))
        for r in rows
    ]
    return sorted(result, key=lambda r: (r.completeness if r.completeness is not None else 2, r.label))


def weekly_board_structures(
    *,
    actor: Actor,
    weeks: int = 13,
    region_code: str | None = None,
    limit: int = 50,
    offset: int = 0,
    now: datetime | None = None,
) -> RatesPage:
    """Coordination only: rates per structure, most missing reports first, paged, with the total."""
    require(actor, Action.WEEKLY_BOARD)
    now, rule = now or utcnow(), deadline_rule()
    w = _weeks_table(_window(weeks, now, rule), rule, now)
    stmt = _structure_rates(w, region_code)
    with session_scope(actor) as session:
        total = session.execute(_structure_count(w, region_code)).scalar_one()
        rates = stmt.subquery()
        rows = session.execute(
            select(rates)
            .order_by(
                (rates.c.expected - rates.c.received).desc(), (rates.c.expected - rates.c.on_time).desc(), rates.c.name
            )
            .limit(limit)
            .offset(offset)
        ).all()
    return RatesPage([_rates_row(r) for r in rows], total)


def weekly_board_structure_count(
    *, actor: Actor, weeks: int = 13, region_code: str | None = None, now: datetime | None = None
) -> int:
    """Coordination only: how many structures `weekly_board_structures` lists (expected at least one week)."""
    require(actor, Action.WEEKLY_BOARD)
    now, rule = now or utcnow(), deadline_rule()
    w = _weeks_table(_window(weeks, now, rule), rule, now)
    with session_scope(actor) as session:
        return int(session.execute(_structure_count(w, region_code)).scalar_one())


def _structure_count(w, region_code: str | None):
    """SQL: the structures expected at least one week of the window (no report is read)."""
    p = _active_periods()
    joined = (
        S.join(D, D.c.code == S.c.departement_code).join(p, p.c.structure_id == S.c.id).join(w, _active_during(p, w))
    )
    conditions = [D.c.region_code == region_code] if region_code else []
    return select(sa.func.count(sa.distinct(S.c.id))).select_from(joined).where(*conditions)


def _structure_rates(w, region_code: str | None, structure_ids: list[int] | None = None):
    joined, conditions = _structure_weeks(w, region_code)
    if structure_ids is not None:
        conditions.append(S.c.id.in_(structure_ids))
    regions = Region.__table__
    return (
        select(S.c.id, S.c.name, regions.c.name.label("region"), *_counts(w))
        .select_from(joined.join(regions, regions.c.code == D.c.region_code))
        .where(*conditions)
        .group_by(S.c.id, S.c.name, regions.c.name)
    )


def _rates_row(r) -> Rates:
    return Rates(r.id, r.name, r.region, int(r.expected), int(r.received), int(r.on_time), int(r.sent_back))


def weekly_board_grid(
    *, actor: Actor, structure_ids: list[int], weeks: int = 12, now: datetime | None = None
) -> tuple[list[date], list[GridCell]]:
    """Coordination only: for the given structures (a page of the board), each week's cell, oldest week first."""
    require(actor, Action.WEEKLY_BOARD)
    now, rule = now or utcnow(), deadline_rule()
    window = _window(weeks, now, rule)
    if not structure_ids:
        return window, []
    w = _weeks_table(window, rule, now)
    p = _active_periods()
    received = _received()
    cell = sa.case(
        (sa.and_(received, R.c.submitted_late == sa.false()), Cell.ON_TIME.value),
        (received, Cell.LATE.value),
        (p.c.structure_id.is_(None), Cell.NOT_EXPECTED.value),
        (w.c.past == 1, Cell.MISSING.value),
        else_=Cell.PENDING.value,
    )
    stmt = (
        select(S.c.id, S.c.name, w.c.week_start, cell.label("cell"), R.c.status)
        .select_from(
            S.join(w, sa.true())
            .outerjoin(p, sa.and_(p.c.structure_id == S.c.id, _active_during(p, w)))
            .outerjoin(R, sa.and_(R.c.structure_id == S.c.id, R.c.week_start == w.c.week_start))
        )
        .where(S.c.id.in_(structure_ids))
    )
    with session_scope(actor) as session:
        rows = session.execute(stmt).all()
    return window, [GridCell(r.id, r.name, _as_date(r.week_start), Cell(r.cell), r.status) for r in rows]


def weekly_board_reminders(*, actor: Actor, now: datetime | None = None) -> Reminders:
    """Coordination only: structures to remind this week (last week's figures not sent), and sent-back reports."""
    require(actor, Action.WEEKLY_BOARD)
    now, rule = now or utcnow(), deadline_rule()
    week = current_week(now) - timedelta(weeks=1)
    w = _weeks_table([week], rule, now)
    joined, conditions = _structure_weeks(w, None)
    regions = Region.__table__
    missing_stmt = (
        select(S.c.id, S.c.name, regions.c.name.label("region"), S.c.email, S.c.phone, R.c.status)
        .select_from(joined.join(regions, regions.c.code == D.c.region_code))
        .where(*conditions, sa.not_(_received()))
        .order_by(regions.c.name, S.c.name)
    )
    open_from = week - timedelta(weeks=rule.lock_weeks + 1)
    sent_back_stmt = (
        select(S.c.id, S.c.name, regions.c.name.label("region"), S.c.email, S.c.phone, R.c.status)
        .select_from(
            R.join(S, S.c.id == R.c.structure_id)
            .join(D, D.c.code == S.c.departement_code)
            .join(regions, regions.c.code == D.c.region_code)
        )
        .where(R.c.status == ReportStatus.SENT_BACK.value, R.c.week_start >= open_from)
        .distinct()
        .order_by(S.c.name)
    )
    recent_weeks = _weeks_table(weeks_back(week, 8), rule, now)
    with session_scope(actor) as session:
        missing_rows = session.execute(missing_stmt).all()
        sent_back_rows = session.execute(sent_back_stmt).all()
        ids = [r.id for r in missing_rows]
        recent = _structure_rates(recent_weeks, None, structure_ids=ids).subquery()  # only those to remind
        gaps = dict(session.execute(select(recent.c.id, recent.c.expected - recent.c.received)).all()) if ids else {}
    return Reminders(
        week,
        rule.deadline(week),
        rule.deadline(week) <= now,
        [Reminder(r.id, r.name, r.region, r.email, r.phone, r.status, int(gaps.get(r.id, 0))) for r in missing_rows],
        [Reminder(r.id, r.name, r.region, r.email, r.phone, r.status, 0) for r in sent_back_rows],
    )


def weekly_missing_count(*, actor: Actor, now: datetime | None = None) -> tuple[date, int, bool]:
    """Coordination only: (last week, structures that have not sent it, deadline passed) for the home page."""
    require(actor, Action.WEEKLY_BOARD)
    now, rule = now or utcnow(), deadline_rule()
    week = current_week(now) - timedelta(weeks=1)
    w = _weeks_table([week], rule, now)
    joined, conditions = _structure_weeks(w, None)
    with session_scope(actor) as session:
        count = session.execute(
            select(sa.func.count()).select_from(joined).where(*conditions, sa.not_(_received()))
        ).scalar_one()
    return week, int(count), rule.deadline(week) <= now


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
