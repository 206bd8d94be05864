"""Sending the outbox over SMTP (standard library), with retries and back-off; used by the worker.

Configuration by environment: ANCRAGE_SMTP_HOST (without it nothing is sent: the outbox fills and
the coordination's « Notifications » page says so), ANCRAGE_SMTP_PORT (587), ANCRAGE_SMTP_USER,
ANCRAGE_SMTP_PASSWORD, ANCRAGE_SMTP_FROM, ANCRAGE_SMTP_STARTTLS (1 by default; 0 for a local relay).

A message is claimed (its next attempt moved forward) before it is sent, so two workers do not send
it both; `sent_at` is written once the server accepted it. A failure keeps the message with its error
and tries again later: 1, 2, 4… minutes, at most one hour apart. Nothing is ever dropped.
"""

from __future__ import annotations

import os
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid

import sqlalchemy as sa
from sqlmodel import select

from core.db import session_scope
from models.base import utcnow
from models.notification import Notification

BATCH = 50
MAX_BATCHES = 20  # per round: a backlog is sent over the next rounds
CLAIM = timedelta(minutes=5)  # a message being sent is not taken by another worker for this long
MAX_BACKOFF = timedelta(hours=1)
ERROR_MAX = 500


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int = 587
    user: str | None = None
    password: str | None = None
    sender: str = "ancrage@localhost"
    starttls: bool = True
    timeout: float = 20.0


def smtp_config() -> SmtpConfig | None:
    """The SMTP server from ANCRAGE_SMTP_*, or None when no host is configured."""
    host = os.environ.get("ANCRAGE_SMTP_HOST")
    if not host:
        return None
    return SmtpConfig(
        host=host,
        port=int(os.environ.get("ANCRAGE_SMTP_PORT") or 587),
        user=os.environ.get("ANCRAGE_SMTP_USER") or None,
        password=os.environ.get("ANCRAGE_SMTP_PASSWORD") or None,
        sender=os.environ.get("ANCRAGE_SMTP_FROM") or "ancrage@localhost",
        starttls=(os.environ.get("ANCRAGE_SMTP_STARTTLS") or "1").strip().lower() not in ("0", "false", "non", "no"),
    )


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failure.

    >>> [int(backoff(n).total_seconds() // 60) for n in (1, 2, 3, 7, 20)]
    [1, 2, 4, 60, 60]
    """
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def _message(config: SmtpConfig, row: Notification) -> EmailMessage:
    message = EmailMessage()
    message["From"] = config.sender
    message["To"] = row.recipient_email
    message["Subject"] = row.subject
    # The same Message-ID on every attempt: a server or a reader may recognise a repeat.
    message["Message-ID"] = make_msgid(idstring=f"ancrage-{row.id}", domain="ancrage.local")
    message.set_content(row.body)
    return message


def _connect(config: SmtpConfig) -> smtplib.SMTP:
    client = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
    if config.starttls:
        client.starttls()
    if config.user:
        client.login(config.user, config.password or "")
    return client


def _claim(now: datetime) -> list[Notification]:
    """Take a batch of messages due now, moving their next attempt forward so no other worker takes them."""
    table = Notification.__table__
    with session_scope() as session:
        due = session.exec(
            select(Notification)
            .where(
                Notification.by_mail == True,  # noqa: E712
                Notification.sent_at.is_(None),
                Notification.recipient_email.is_not(None),
                sa.or_(Notification.next_attempt_at.is_(None), Notification.next_attempt_at <= now),
            )
            .order_by(Notification.id)
            .limit(BATCH)
        ).all()
        claimed = []
        for row in due:
            taken = session.connection().execute(
                sa.update(table)
                .where(table.c.id == row.id, table.c.sent_at.is_(None))
                .where(
                    table.c.next_attempt_at.is_(None)
                    if row.next_attempt_at is None
                    else table.c.next_attempt_at == row.next_attempt_at
                )
                .values(next_attempt_at=now + CLAIM)
            )
            if taken.rowcount == 1:
                claimed.append(row)
        return claimed


def _record(notification_id: int, *, sent_at: datetime | None, error: str | None, now: datetime) -> None:
    table = Notification.__table__
    with session_scope() as session:
        if error is None:
            values = dict(sent_at=sent_at, attempts=table.c.attempts + 1, last_error=None)
        else:
            attempts = (
                session.connection()
                .execute(sa.select(table.c.attempts).where(table.c.id == notification_id))
                .scalar_one()
            )
            values = dict(
                attempts=attempts + 1, last_error=error[:ERROR_MAX], next_attempt_at=now + backoff(attempts + 1)
            )
        session.connection().execute(sa.update(table).where(table.c.id == notification_id).values(**values))


@dataclass(frozen=True)
class SendResult:
    sent: int
    failed: int


def send_pending(*, config: SmtpConfig | None = None, now: datetime | None = None) -> SendResult:
    """Send what is due in the outbox; without configuration, send nothing (the outbox keeps it)."""
    config = config or smtp_config()
    if config is None:
        return SendResult(0, 0)
    now = now or utcnow()
    sent = failed = 0
    for _ in range(MAX_BATCHES):
        batch = _claim(now)
        if not batch:
            break
        result = _send_batch(config, batch, now)
        sent, failed = sent + result.sent, failed + result.failed
        if result.failed:
            break  # the server refuses or is away: the rest waits for the next round
    return SendResult(sent, failed)


def _send_batch(config: SmtpConfig, batch: list[Notification], now: datetime) -> SendResult:
    sent = failed = 0
    client: smtplib.SMTP | None = None
    try:
        client = _connect(config)
    except (OSError, smtplib.SMTPException) as error:
        for row in batch:
            _record(row.id, sent_at=None, error=f"serveur de courriel injoignable : {error}", now=now)
        return SendResult(0, len(batch))
    try:
        for row in batch:
            try:
                client.send_message(_message(config, row))
            except (OSError, smtplib.SMTPException) as error:
                _record(row.id, sent_at=None, error=f"envoi refusé : {error}", now=now)
                failed += 1
            else:
                _record(row.id, sent_at=utcnow(), error=None, now=now)
                sent += 1
    finally:
        try:
            client.quit()
        except (OSError, smtplib.SMTPException):
            pass
    return SendResult(sent, failed)
