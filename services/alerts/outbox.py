"""Writing notifications: one row per event and recipient address, in the caller's transaction.

A notification says only what happened and where to look: the kind of event, a reference
(signalement or proposal number), the deadline and a link to the page. Never a child's code, the
facts or a name: the caller passes nothing else, and `compose` has no other input.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import select

from core.db import session_scope
from core.formatting import fr_datetime
from models.notification import Notification, NotificationKind, NotificationPreference
from models.user import Role, User

DEFAULT_PUBLIC_URL = "http://localhost:8501"
FOOTER = (
    "Ce message ne contient volontairement aucune information sur l'enfant ni sur les faits : "
    "ouvrez Ancrage pour les consulter.\n"
    "Vous pouvez choisir les alertes reçues par courriel sur la page « Notifications »."
)


_muted: ContextVar[bool] = ContextVar("notifications_muted", default=False)


@contextmanager
def notifications_muted() -> Iterator[None]:
    """Write events without notifying anyone: the demo generator recording a past that nobody lived."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


@dataclass(frozen=True)
class Recipient:
    """Who receives a notification: an account (in the app, by mail if chosen) or an on-call address."""

    email: str
    user_id: int | None = None
    forced_mail: bool = False  # the on-call list always receives immediate danger by mail


def public_url() -> str:
    """The address of the app given in the mails' links (ANCRAGE_PUBLIC_URL)."""
    return (os.environ.get("ANCRAGE_PUBLIC_URL") or DEFAULT_PUBLIC_URL).rstrip("/")


def compose(kind: NotificationKind, reference: str, page: str, due_at: datetime | None) -> tuple[str, str, str]:
    """Subject, body and link of a notification: kind, reference, deadline, link — nothing else.

    >>> subject, body, link = compose(NotificationKind.SIGNALEMENT, "SIG-2026-0007", "signalements", None)
    >>> subject
    '[Ancrage] Signalement déclaré — SIG-2026-0007'
    """
    link = f"{public_url()}/{page}"
    lines = [f"Événement : {kind.label}", f"Référence : {reference}"]
    if due_at is not None:
        lines.append(f"Échéance : {fr_datetime(due_at)} (heure de Paris)")
    lines += [f"Ouvrir : {link}", "", FOOTER]
    return f"[Ancrage] {kind.label} — {reference}", "\n".join(lines), link


def team_of(session, structure_id: int) -> list[Recipient]:
    """The active accounts of a structure's team."""
    rows = session.exec(
        select(User.id, User.email).where(User.structure_id == structure_id, User.active == True)  # noqa: E712
    ).all()
    return [Recipient(email, user_id) for user_id, email in rows]


def coordination(session) -> list[Recipient]:
    """The active coordination accounts."""
    rows = session.exec(
        select(User.id, User.email).where(User.role == Role.COORDINATION.value, User.active == True)  # noqa: E712
    ).all()
    return [Recipient(email, user_id) for user_id, email in rows]


def on_call(session) -> list[Recipient]:
    """The coordination's on-call addresses, joined to the account that has each one, if any."""
    from services.alerts.settings import on_call_emails

    addresses = on_call_emails()
    if not addresses:
        return []
    users = dict(
        session.exec(select(sa.func.lower(User.email), User.id).where(User.active == True)).all()  # noqa: E712
    )
    return [Recipient(address, users.get(address.lower()), forced_mail=True) for address in addresses]


def notify(
    *,
    event_key: str,
    kind: NotificationKind,
    reference: str,
    page: str,
    recipients: list[Recipient],
    due_at: datetime | None = None,
) -> int:
    """Record a notification per recipient address, once per event (in the current transaction).

    Returns how many rows were new; an event already notified to an address adds nothing.
    """
    if _muted.get():
        return 0
    subject, body, link = compose(kind, reference, page, due_at)
    with session_scope() as session:
        user_ids = [r.user_id for r in recipients if r.user_id is not None]
        declined = set()
        if user_ids:
            declined = set(
                session.exec(
                    select(NotificationPreference.user_id).where(
                        NotificationPreference.user_id.in_(user_ids),
                        NotificationPreference.kind == kind.value,
                        NotificationPreference.by_mail == False,  # noqa: E712
                    )
                ).all()
            )
        rows: dict[str, dict] = {}
        for r in recipients:
            address = r.email.strip().lower()
            key = f"{event_key}:{address}"[:200]
            by_mail = r.forced_mail or r.user_id not in declined
            if key in rows:  # the same address twice (on call and coordinator): one message, by mail if either
                rows[key]["by_mail"] = rows[key]["by_mail"] or by_mail
                rows[key]["recipient_user_id"] = rows[key]["recipient_user_id"] or r.user_id
                continue
            rows[key] = dict(
                key=key,
                recipient_user_id=r.user_id,
                recipient_email=address,
                by_mail=by_mail,
                kind=kind.value,
                reference=reference,
                subject=subject,
                body=body,
                link=link,
                due_at=due_at,
                created_at=_now(),
                attempts=0,
            )
        if not rows:
            return 0
        dialect = session.get_bind().dialect.name
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        table = Notification.__table__
        inserted = session.connection().execute(
            insert(table)
            .values(list(rows.values()))
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(table.c.id)
        )
        return len(inserted.all())


def _now() -> datetime:
    from models.base import utcnow

    return utcnow()
