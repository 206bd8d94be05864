"""Reading the weekly figures in bulk: the completeness board and the reminders.

Everything is counted in SQL over (structures × weeks) and returns small results: one row per
structure, région or week, never the reports themselves. A structure is expected to report a
week when it is ACTIVE on that week's Sunday, by its status history (`structure_status_changes`,
the network's shared definition, see services.directory.coverage): joining, suspended or departed
structures are not expected.

The chart series (a structure's, the network's, by month) are in services/weekly/series.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import select

from core.access import Action, Actor, require
from core.db import session_scope
from models.base import LabelledEnum, utcnow
from models.referential import Departement, Region
from models.structure import NetworkStatus, Structure, StructureStatusChange
from models.weekly import ReportStatus, WeeklyReport
from services.weekly.schedule import deadline_rule
from services.weekly.series import _as_date
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
        .outerjoin(
            R,
            sa.and_(
                R.c.structure_id == S.c.id,
                R.c.week_start == w.c.week_start,
                # Implied by the line above, but it bounds the reports read to the window's weeks:
                # without it PostgreSQL reads every report ever sent (2 million at a hundred times the
                # network) or merges from the window's first week to the last report.
                R.c.week_start >= select(sa.func.min(w.c.week_start)).scalar_subquery(),
                R.c.week_start <= select(sa.func.max(w.c.week_start)).scalar_subquery(),
            ),
        )
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
