"""The calendar of a structure's weekly figures: which weeks it owes (while active), the state
of each week (due, overdue, draft, submitted, sent back, approved), deadlines and locks as the
coordination set them, a structure's list of weeks, the partner's to-do, and the free places it
last reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import select

from core.access import Action, Actor, require, require_structure
from core.db import session_scope
from core.errors import NotFound
from models.base import LabelledEnum, utcnow
from models.referential import Departement
from models.structure import NetworkStatus, Structure, StructureStatusChange
from models.weekly import ReportStatus, WeeklyElement, WeeklyReport, WeeklyValue
from services.admin.settings import setting_get
from services.weekly.totals import COUNTED
from services.weekly.validation import (
    FREE_PLACES,
    UnusualRule,
)
from services.weekly.weeks import DeadlineRule, current_week, monday_of, week_label

STRUCTURE_NOT_FOUND = "Structure introuvable."


class WeekState(LabelledEnum):
    DUE = ("a_envoyer", "À envoyer")
    OVERDUE = ("en_retard", "En retard")
    DRAFT = ("brouillon", "Brouillon à envoyer")
    SUBMITTED = ("envoye", "Envoyé")
    SENT_BACK = ("renvoye", "Renvoyé pour correction")
    APPROVED = ("valide", "Validé")


@dataclass(frozen=True)
class WeekSummary:
    week_start: date
    state: WeekState
    submitted_late: bool | None

    @property
    def label(self) -> str:
        return week_label(self.week_start)


def deadline_rule() -> DeadlineRule:
    """Any caller: the deadline and lock delay the coordination set (see services.admin.settings)."""
    return DeadlineRule(
        days_after_sunday=int(setting_get(key="weekly_deadline_days")),
        hour=int(setting_get(key="weekly_deadline_hour")),
        lock_weeks=int(setting_get(key="weekly_lock_weeks")),
    )


def unusual_rule() -> UnusualRule:
    """Any caller: how far from its median a structure's value may be without confirmation."""
    return UnusualRule(
        tolerance_pct=float(setting_get(key="weekly_unusual_tolerance_pct")),
        min_gap=float(setting_get(key="weekly_unusual_min_gap")),
    )


def week_state(report: WeeklyReport | None, deadline: datetime, now: datetime) -> WeekState:
    """The state of a structure-week shown to people."""
    if report is None or report.status == ReportStatus.DRAFT.value:
        if now > deadline:
            return WeekState.OVERDUE
        return WeekState.DRAFT if report is not None else WeekState.DUE
    return WeekState(report.status)


def is_locked(report: WeeklyReport | None, rule: DeadlineRule, week_start: date, now: datetime) -> bool:
    """After approval or the lock delay, only an unlock by the coordination reopens a week."""
    if report is not None and report.unlocked:
        return False
    approved = report is not None and report.status == ReportStatus.APPROVED.value
    return approved or now >= rule.lock_at(week_start)


def weekly_week_list(
    *, actor: Actor, structure_id: int, count: int = 26, now: datetime | None = None
) -> list[WeekSummary]:
    """Coordination and partner staff (own structure): the last `count` weeks with their state, newest first."""
    require(actor, Action.WEEKLY_ENTER)
    require_structure(actor, structure_id)
    now = now or utcnow()
    rule = deadline_rule()
    last = current_week(now)
    first = last - timedelta(weeks=count - 1)
    with session_scope(actor) as session:
        reports = {
            r.week_start: r
            for r in session.exec(
                select(WeeklyReport).where(
                    WeeklyReport.structure_id == structure_id, WeeklyReport.week_start.between(first, last)
                )
            )
        }
    weeks = [last - timedelta(weeks=n) for n in range(count)]
    return [
        WeekSummary(
            w, week_state(reports.get(w), rule.deadline(w), now), reports[w].submitted_late if w in reports else None
        )
        for w in weeks
    ]


@dataclass(frozen=True)
class PartnerTodo:
    current_week: date
    current_state: WeekState
    current_deadline: datetime
    current_expected: bool
    previous_week: date
    previous_state: WeekState
    previous_deadline: datetime
    previous_expected: bool
    overdue_weeks: list[date]
    sent_back_weeks: list[date]


def weekly_partner_todo(*, actor: Actor, now: datetime | None = None) -> PartnerTodo | None:
    """Partner staff: this week's and last week's state, the overdue and sent-back weeks still open."""
    require(actor, Action.WEEKLY_ENTER)
    if not actor.is_partner or actor.structure_id is None:
        return None
    now = now or utcnow()
    rule = deadline_rule()
    this_week = current_week(now)
    previous = this_week - timedelta(weeks=1)
    open_from = monday_of((now - timedelta(weeks=rule.lock_weeks)).date()) - timedelta(weeks=2)
    with session_scope(actor) as session:
        structure = _structure(session, actor.structure_id)
        reports = {
            r.week_start: r
            for r in session.exec(
                select(WeeklyReport).where(
                    WeeklyReport.structure_id == structure.id, WeeklyReport.week_start >= open_from
                )
            )
        }
        expected = set(expected_weeks(session, structure_id=structure.id, first=open_from, last=this_week))
    overdue, sent_back = [], []
    week = open_from
    while week <= this_week:
        report = reports.get(week)
        if not is_locked(report, rule, week, now):
            state = week_state(report, rule.deadline(week), now)
            if state == WeekState.OVERDUE and week in expected:
                overdue.append(week)
            elif state == WeekState.SENT_BACK:
                sent_back.append(week)
        week += timedelta(weeks=1)
    return PartnerTodo(
        this_week,
        week_state(reports.get(this_week), rule.deadline(this_week), now),
        rule.deadline(this_week),
        this_week in expected,
        previous,
        week_state(reports.get(previous), rule.deadline(previous), now),
        rule.deadline(previous),
        previous in expected,
        overdue,
        sent_back,
    )


def weekly_latest_free_places(
    *, session, structure_ids: list[int] | None = None, max_age_weeks: int = 4, today: date | None = None
) -> dict[int, int]:
    """Services inside an open, already authorised scope (placement finder): structure id → free places.

    Read from each structure's most recent submitted or approved report of the last
    `max_age_weeks` weeks (the current one included); structures without one are absent.
    """
    dated = weekly_latest_free_places_dated(
        session=session, structure_ids=structure_ids, max_age_weeks=max_age_weeks, today=today
    )
    return {structure_id: value for structure_id, (value, _week) in dated.items()}


def weekly_latest_free_places_dated(
    *, session, structure_ids: list[int] | None = None, max_age_weeks: int = 4, today: date | None = None
) -> dict[int, tuple[int, date]]:
    """As `weekly_latest_free_places`, with the Monday of the week each figure was reported for."""
    if structure_ids is not None and not structure_ids:
        return {}
    ranked = latest_free_places_ranked(structure_ids=structure_ids, max_age_weeks=max_age_weeks, today=today)
    rows = session.execute(
        select(ranked.c.structure_id, ranked.c.value, ranked.c.week_start).where(ranked.c.rank == 1)
    ).all()
    return {structure_id: (int(value), week_start) for structure_id, value, week_start in rows}


def latest_free_places_ranked(
    *,
    structure_ids: list[int] | None = None,
    max_age_weeks: int = 4,
    today: date | None = None,
    active_by_region: bool = False,
) -> sa.Subquery:
    """Services: each structure's reported free places of the last `max_age_weeks` weeks, newest first
    (`rank` 1 is the latest), as a subquery to select from or to aggregate in SQL. With
    `active_by_region`, active structures only, with their région (`region_code`)."""
    today = today or current_week(utcnow())
    oldest = monday_of(today) - timedelta(weeks=max_age_weeks)
    # Read from the few recent reports, each one's figure by its primary key (report, element): joined
    # instead, both PostgreSQL and SQLite read every figure of the element ever sent (200 000 rows
    # at ten times the network) to keep a few thousand.
    element = select(WeeklyElement.id).where(WeeklyElement.code == FREE_PLACES).scalar_subquery()
    figure = (
        select(WeeklyValue.value)
        .where(WeeklyValue.report_id == WeeklyReport.id, WeeklyValue.element_id == element)
        .scalar_subquery()
    )
    recent = select(
        WeeklyReport.structure_id.label("structure_id"),
        WeeklyReport.week_start.label("week_start"),
        figure.label("value"),
    ).where(
        WeeklyReport.status.in_(COUNTED),
        WeeklyReport.week_start >= oldest,
        WeeklyReport.week_start <= monday_of(today),
    )
    if structure_ids is not None:
        recent = recent.where(WeeklyReport.structure_id.in_(structure_ids))
    if active_by_region:
        # Joined here, before the ranking: joined to its result, the planner expects a handful of
        # rows and compares every structure with every figure.
        recent = (
            recent.add_columns(Departement.region_code.label("region_code"))
            .join(Structure, Structure.id == WeeklyReport.structure_id)
            .join(Departement, Departement.code == Structure.departement_code)
            .where(Structure.status == NetworkStatus.ACTIVE.value)
        )
    reported = recent.subquery()
    return (
        select(
            *([reported.c.region_code] if active_by_region else []),
            reported.c.structure_id,
            reported.c.value,
            reported.c.week_start,
            sa.func.row_number()
            .over(partition_by=reported.c.structure_id, order_by=reported.c.week_start.desc())
            .label("rank"),
        )
        .where(reported.c.value.is_not(None))
        .subquery()
    )


def expected_weeks(session, *, structure_id: int, first: date, last: date) -> list[date]:
    """Services inside an open scope: the Mondays from `first` to `last` of the weeks a structure must report,
    those whose Sunday finds it active by its status history (as services.weekly.board counts them)."""
    steps = session.exec(
        select(StructureStatusChange.effective_on, StructureStatusChange.status)
        .where(StructureStatusChange.structure_id == structure_id)
        .order_by(StructureStatusChange.effective_on, StructureStatusChange.id)
    ).all()
    return active_mondays(steps, first=first, last=last)


def active_mondays(steps, *, first: date, last: date) -> list[date]:
    """Any caller: the Mondays from `first` to `last` whose Sunday finds a structure active, given its status
    history as (effective_on, status) pairs in order (no query: the bulk generator uses it too)."""
    weeks, week = [], monday_of(first)
    while week <= last:
        sunday = week + timedelta(days=6)
        status = None
        for effective, step in steps:
            if effective > sunday:
                break
            status = step
        if status == NetworkStatus.ACTIVE.value:
            weeks.append(week)
        week += timedelta(weeks=1)
    return weeks


def _structure(session, structure_id: int) -> Structure:
    structure = session.get(Structure, structure_id)
    if structure is None:
        raise NotFound(STRUCTURE_NOT_FOUND)
    return structure
