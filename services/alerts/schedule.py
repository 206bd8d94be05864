"""Notifications caused by time, computed by the worker on each round (`now` injectable for tests).

Each event has a key that names it (a signalement's reminder, a week's figures for a structure…),
so a round run twice, or by two workers, notifies nobody twice.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlmodel import select

from core.access import SYSTEM, Action, Actor, require
from core.clock import paris_date
from core.db import session_scope
from core.formatting import PARIS
from models.base import utcnow
from models.convention import Convention
from models.notification import NotificationKind
from models.signalement import Severity
from models.user import User
from services.alerts.outbox import coordination, notify, on_call, team_of


@dataclass(frozen=True)
class RoundResult:
    """How many notifications a round created, per kind."""

    created: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.created.values())


def run_scheduled(*, actor: Actor = SYSTEM, now: datetime | None = None) -> RoundResult:
    """The system (worker) or the coordination: create every time-based notification now due."""
    require(actor, Action.SETTINGS_MANAGE)
    now = now or utcnow()
    created: dict[str, int] = {}
    for kind, step in (
        (NotificationKind.DANGER_REMINDER, _danger_reminders),
        (NotificationKind.STEP_OVERDUE, _overdue_steps),
        (NotificationKind.WEEKLY_DUE, _weekly_due),
        (NotificationKind.WEEKLY_OVERDUE, _weekly_overdue),
        (NotificationKind.CONVENTION_ENDING, _conventions),
        (NotificationKind.ACCOUNT_LOCKED, _locked_accounts),
        (NotificationKind.PLACES_LOW, _places),
    ):
        with session_scope(actor):
            created[kind.value] = step(actor, now)
    return RoundResult(created)


def _open_signalements(actor: Actor, now: datetime):
    from services.signalements.reads import signalement_board

    rows, offset = [], 0
    while True:
        page = signalement_board(actor=actor, now=now, limit=200, offset=offset)
        rows += page.rows
        offset += 200
        if offset >= page.total:
            return rows


def _danger_reminders(actor: Actor, now: datetime) -> int:
    """An immediate danger not acknowledged at half of its deadline: the on-call list and coordination again."""
    count = 0
    with session_scope(actor) as session:
        recipients = on_call(session) + coordination(session)
        for s in _open_signalements(actor, now):
            if s.severity != Severity.IMMEDIATE_DANGER.value or s.acknowledged_at or s.ack_due_at is None:
                continue
            if now < s.declared_at + (s.ack_due_at - s.declared_at) / 2:
                continue
            count += notify(
                event_key=f"rappel_danger:{s.id}",
                kind=NotificationKind.DANGER_REMINDER,
                reference=s.reference,
                page="signalements",
                recipients=recipients,
                due_at=s.ack_due_at,
            )
    return count


def _overdue_steps(actor: Actor, now: datetime) -> int:
    """A signalement late for its acknowledgement or transmission: the coordination, once per step."""
    count = 0
    with session_scope(actor) as session:
        recipients = coordination(session)
        immediate = [replace(r, forced_mail=True) for r in on_call(session)]
        for s in _open_signalements(actor, now):
            due = s.due(now)
            if due is None or not due.overdue:
                continue
            to = recipients + (immediate if s.severity == Severity.IMMEDIATE_DANGER.value else [])
            count += notify(
                event_key=f"etape_en_retard:{s.id}:{due.step}:{due.due_at.isoformat()}",
                kind=NotificationKind.STEP_OVERDUE,
                reference=s.reference,
                page="signalements",
                recipients=to,
                due_at=due.due_at,
            )
    return count


def _weekly_due(actor: Actor, now: datetime) -> int:
    """From Monday (Paris) until the deadline: each structure that has not sent last week's figures."""
    return _weekly_figures(actor, now, overdue=False)


def _weekly_overdue(actor: Actor, now: datetime) -> int:
    """After the deadline: each structure that still has not sent last week's figures."""
    return _weekly_figures(actor, now, overdue=True)


def _weekly_figures(actor: Actor, now: datetime, *, overdue: bool) -> int:
    from services.weekly.board import weekly_board_reminders

    reminders = weekly_board_reminders(actor=actor, now=now)
    if reminders.deadline_passed != overdue:
        return 0
    kind = NotificationKind.WEEKLY_OVERDUE if overdue else NotificationKind.WEEKLY_DUE
    week = reminders.week_start.isoformat()
    count = 0
    with session_scope(actor) as session:
        for reminder in reminders.missing:
            count += notify(
                event_key=f"{kind.value}:{week}:{reminder.structure_id}",
                kind=kind,
                reference=f"SEM-{reminders.week_start:%G-W%V}",
                page="chiffres",
                recipients=team_of(session, reminder.structure_id),
                due_at=reminders.deadline,
            )
    return count


def _conventions(actor: Actor, now: datetime) -> int:
    """A departmental convention in force that ends within the warning days (60 by default)."""
    from services.admin.settings import setting_get
    from services.directory.conventions import in_force_condition

    today = paris_date(now)
    days = int(setting_get(key="convention_warning_days"))
    count = 0
    with session_scope(actor) as session:
        rows = session.exec(
            select(Convention.id, Convention.ends_on).where(
                in_force_condition(today),
                Convention.ends_on.is_not(None),
                Convention.ends_on <= today + timedelta(days=days),
            )
        ).all()
        recipients = coordination(session)
        for convention_id, ends_on in rows:
            count += notify(
                event_key=f"convention_fin:{convention_id}:{ends_on.isoformat()}",
                kind=NotificationKind.CONVENTION_ENDING,
                reference=f"CONV-{convention_id:04d}",
                page="conventions",
                recipients=recipients,
                due_at=datetime.combine(ends_on, datetime.min.time(), PARIS),
            )
    return count


def _locked_accounts(actor: Actor, now: datetime) -> int:
    """An account locked after failed log-ins: the coordination, once per lock."""
    count = 0
    with session_scope(actor) as session:
        rows = session.exec(select(User.id, User.locked_until).where(User.locked_until > now)).all()
        recipients = coordination(session)
        for user_id, until in rows:
            count += notify(
                event_key=f"compte_verrouille:{user_id}:{until.isoformat()}",
                kind=NotificationKind.ACCOUNT_LOCKED,
                reference=f"COMPTE-{user_id:04d}",
                page="comptes",
                recipients=recipients,
                due_at=until,
            )
    return count


def _places(actor: Actor, now: datetime) -> int:
    """A région whose reported free places fell below its threshold: once per région and week."""
    from services.alerts.places import region_places
    from services.weekly.weeks import current_week

    week = current_week(now)
    count = 0
    with session_scope(actor) as session:
        recipients = coordination(session)
        for region in region_places(actor=actor, today=week):
            if not region.low:
                continue
            count += notify(
                event_key=f"places_basses:{region.region_code}:{week.isoformat()}",
                kind=NotificationKind.PLACES_LOW,
                reference=f"REGION-{region.region_code}",
                page="notifications",
                recipients=recipients,
            )
    return count
