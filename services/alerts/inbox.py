"""In-app notifications: each person reads only their own; the coordination sees the outbox's state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import func, select

from core.access import Action, Actor, require
from core.db import session_scope
from core.errors import AccessDenied, Change, ConcurrentEdit, FieldError, ValidationFailed
from models.base import utcnow
from models.notification import Notification, NotificationKind, NotificationPreference
from models.user import Role
from services.alerts.settings import mail_configured

LOGIN_REQUIRED = "Accès refusé : connectez-vous avec votre compte pour lire vos notifications."
UNKNOWN_KIND = "type de notification inconnu"

# The kinds each role may receive, hence choose.
KINDS_BY_ROLE: dict[str, tuple[NotificationKind, ...]] = {
    Role.COORDINATION.value: (
        NotificationKind.SIGNALEMENT,
        NotificationKind.DANGER_REMINDER,
        NotificationKind.STEP_OVERDUE,
        NotificationKind.PROPOSAL_ANSWER,
        NotificationKind.CONVENTION_ENDING,
        NotificationKind.ACCOUNT_LOCKED,
        NotificationKind.PLACES_LOW,
    ),
    Role.PARTENAIRE.value: (
        NotificationKind.PROPOSAL,
        NotificationKind.WEEKLY_DUE,
        NotificationKind.WEEKLY_OVERDUE,
    ),
    Role.FINANCEUR.value: (),
}


@dataclass(frozen=True)
class InboxItem:
    id: int
    kind: str
    reference: str
    subject: str
    link: str
    due_at: datetime | None
    created_at: datetime
    read: bool


@dataclass(frozen=True)
class OutboxState:
    mail_configured: bool
    waiting: int  # by mail, not sent yet
    failing: int  # of which at least one attempt failed
    sent: int
    last_error: str | None


@dataclass(frozen=True)
class Preference:
    kind: str
    label: str
    by_mail: bool
    version: int | None  # None: never changed (default: by mail)


def _user_id(actor: Actor) -> int:
    require(actor, Action.HOME_VIEW)
    if actor.user_id is None:
        raise AccessDenied(LOGIN_REQUIRED)
    return actor.user_id


def notification_list(*, actor: Actor, limit: int = 50) -> list[InboxItem]:
    """Any account: its own notifications, newest first."""
    user_id = _user_id(actor)
    with session_scope(actor) as session:
        rows = session.exec(
            select(Notification)
            .where(Notification.recipient_user_id == user_id)
            .order_by(Notification.id.desc())
            .limit(limit)
        ).all()
        return [
            InboxItem(n.id, n.kind, n.reference, n.subject, n.link, n.due_at, n.created_at, n.read_at is not None)
            for n in rows
        ]


def notification_unread_count(*, actor: Actor) -> int:
    """Any account: how many of its notifications it has not read."""
    if actor.user_id is None:
        return 0
    user_id = _user_id(actor)
    with session_scope(actor) as session:
        return int(
            session.exec(
                select(func.count())
                .select_from(Notification)
                .where(Notification.recipient_user_id == user_id, Notification.read_at.is_(None))
            ).one()
        )


def notification_mark_read(*, actor: Actor, ids: list[int] | None = None) -> int:
    """Any account: mark its own notifications read (all when `ids` is None); others' are untouched."""
    user_id = _user_id(actor)
    conditions = [Notification.recipient_user_id == user_id, Notification.read_at.is_(None)]
    if ids is not None:
        conditions.append(Notification.id.in_(ids))
    with session_scope(actor) as session:
        result = session.connection().execute(
            sa.update(Notification.__table__).where(*conditions).values(read_at=utcnow())
        )
        return int(result.rowcount or 0)


def preferences_get(*, actor: Actor) -> list[Preference]:
    """Any account: for each kind its role receives, by mail or only in the app."""
    user_id = _user_id(actor)
    with session_scope(actor) as session:
        stored = {
            p.kind: p
            for p in session.exec(select(NotificationPreference).where(NotificationPreference.user_id == user_id))
        }
    return [
        Preference(
            kind.value,
            kind.label,
            stored[kind.value].by_mail if kind.value in stored else True,
            stored[kind.value].version if kind.value in stored else None,
        )
        for kind in KINDS_BY_ROLE.get(actor.role, ())
    ]


def preference_set(*, actor: Actor, kind: str, by_mail: bool, expected_version: int | None) -> Preference:
    """Any account: choose whether a kind comes by mail; refused if changed meanwhile (version)."""
    user_id = _user_id(actor)
    allowed = {k.value: k for k in KINDS_BY_ROLE.get(actor.role, ())}
    if kind not in allowed:
        raise ValidationFailed(FieldError("Notification", UNKNOWN_KIND))
    with session_scope(actor) as session:
        row = session.exec(
            select(NotificationPreference).where(
                NotificationPreference.user_id == user_id, NotificationPreference.kind == kind
            )
        ).first()
        current = None if row is None else row.version
        if current != expected_version:
            raise ConcurrentEdit([Change("Par courriel", by_mail, None if row is None else row.by_mail)])
        if row is None:
            row = NotificationPreference(user_id=user_id, kind=kind, by_mail=by_mail)
        row.by_mail = by_mail
        session.add(row)
        session.flush()
        return Preference(kind, allowed[kind].label, row.by_mail, row.version)


def outbox_state(*, actor: Actor) -> OutboxState:
    """Coordination only: whether mail is configured, and what waits in the outbox."""
    require(actor, Action.SETTINGS_MANAGE)
    mail = Notification.by_mail == True  # noqa: E712
    waiting = sa.and_(mail, Notification.sent_at.is_(None))

    def count(condition):
        return func.coalesce(func.sum(sa.case((condition, 1), else_=0)), 0)

    with session_scope(actor) as session:
        row = session.exec(
            select(
                count(waiting),
                count(sa.and_(waiting, Notification.attempts > 0)),
                count(Notification.sent_at.is_not(None)),
            )
        ).one()
        last_error = session.exec(
            select(Notification.last_error)
            .where(waiting, Notification.last_error.is_not(None))
            .order_by(Notification.id.desc())
            .limit(1)
        ).first()
    return OutboxState(mail_configured(), int(row[0]), int(row[1]), int(row[2]), last_error)


def outbox_recent(*, actor: Actor, limit: int = 20) -> list[dict]:
    """Coordination only: the latest messages of the outbox (demo: kept and shown rather than sent)."""
    require(actor, Action.SETTINGS_MANAGE)
    with session_scope(actor) as session:
        rows = session.exec(
            select(Notification).where(Notification.by_mail == True).order_by(Notification.id.desc()).limit(limit)  # noqa: E712
        ).all()
        return [
            {
                "to": n.recipient_email,
                "subject": n.subject,
                "body": n.body,
                "created_at": n.created_at,
                "attempts": n.attempts,
                "sent_at": n.sent_at,
                "last_error": n.last_error,
            }
            for n in rows
        ]
