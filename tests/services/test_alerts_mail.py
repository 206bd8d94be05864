"""The outbox sent to a real local SMTP server (aiosmtpd): one mail per address, nothing about the
child, and a server that is down delays the mail without losing or doubling it."""

import socket
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import select

from core.access import SYSTEM
from core.db import session_scope
from models.notification import Notification
from models.user import Role
from services.alerts import mailer, settings
from tests.factories import make_child, make_placement, make_signalement, make_user

T0 = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)
FACTS = "L'enfant a été approché par un recruteur devant le foyer ce matin."
ON_CALL = ["astreinte1@exemple.fr", "astreinte2@exemple.fr"]


class Inbox:
    """aiosmtpd handler keeping every message received."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=policy.default)))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp():
    """A local SMTP server on a free port, started and stopped by the test (`start()` may be called again)."""
    inbox = Inbox()
    port = free_port()
    controllers = []

    def start():
        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        controller.start()
        controllers.append(controller)

    def stop():
        controllers.pop().stop()

    yield inbox, port, start, stop
    while controllers:
        stop()


def outbox() -> list[Notification]:
    with session_scope(SYSTEM) as session:
        return list(session.exec(select(Notification).where(Notification.by_mail == True)).all())  # noqa: E712


def declare():
    """An immediate danger declared about a child of the partner's structure, named by its code."""
    coordinator = make_user(Role.COORDINATION)
    partner = make_user(Role.PARTENAIRE)
    settings.on_call_set(actor=coordinator, emails=ON_CALL)
    child = make_child(code="ZX-4821")
    make_placement(child_id=child.id, structure_id=partner.structure_id, arrival_date=T0.date() - timedelta(days=30))
    s = make_signalement(partner, now=T0, severity="danger_immediat", facts=FACTS, child_code="ZX-4821")
    assert s.child_code == "ZX-4821"
    return coordinator, s, "ZX-4821"


def test_one_mail_per_on_call_address_with_no_child_data(db, smtp):
    inbox, port, start, _ = smtp
    start()
    coordinator, s, child_code = declare()
    config = mailer.SmtpConfig(host="127.0.0.1", port=port, starttls=False, sender="ancrage@exemple.fr")
    result = mailer.send_pending(config=config, now=T0)
    expected = {*ON_CALL, coordinator.username + "@exemple.fr"}
    assert result.sent == len(expected) and result.failed == 0
    assert sorted(to for tos, _ in inbox.messages for to in tos) == sorted(expected)
    for _, message in inbox.messages:
        body = message.get_content()
        assert s.reference in message["Subject"] and s.reference in body and "/signalements" in body
        assert FACTS not in body and child_code not in body and "partenaire" not in body.lower()
    assert mailer.send_pending(config=config, now=T0 + timedelta(hours=1)).sent == 0  # sent once
    assert len(inbox.messages) == len(expected)
    assert all(n.sent_at is not None and n.attempts == 1 for n in outbox())


def test_smtp_down_delays_the_mail_without_losing_or_doubling_it(db, smtp):
    inbox, port, start, stop = smtp
    coordinator, s, _ = declare()
    config = mailer.SmtpConfig(host="127.0.0.1", port=port, starttls=False, timeout=5)
    down = mailer.send_pending(config=config, now=T0)
    assert down.sent == 0 and down.failed == len(outbox())
    assert all(n.sent_at is None and n.attempts == 1 and "injoignable" in n.last_error for n in outbox())
    start()
    # Before the back-off has run out, nothing is tried again.
    assert mailer.send_pending(config=config, now=T0 + timedelta(seconds=30)) == mailer.SendResult(0, 0)
    assert inbox.messages == []
    later = mailer.send_pending(config=config, now=T0 + timedelta(minutes=2))
    assert later.sent == len(outbox()) and len(inbox.messages) == len(outbox())
    assert all(n.sent_at is not None and n.attempts == 2 and n.last_error is None for n in outbox())
    stop()
    assert mailer.send_pending(config=config, now=T0 + timedelta(hours=2)) == mailer.SendResult(0, 0)


def test_without_configuration_the_outbox_only_fills(db, monkeypatch):
    monkeypatch.delenv("ANCRAGE_SMTP_HOST", raising=False)
    declare()
    assert mailer.smtp_config() is None and not settings.mail_configured()
    assert mailer.send_pending(now=T0) == mailer.SendResult(0, 0)
    assert outbox() and all(n.sent_at is None and n.attempts == 0 for n in outbox())
    monkeypatch.setenv("ANCRAGE_SMTP_HOST", "smtp.exemple.fr")
    monkeypatch.setenv("ANCRAGE_SMTP_STARTTLS", "0")
    config = mailer.smtp_config()
    assert config is not None and config.port == 587 and not config.starttls and settings.mail_configured()
