"""Alerts end to end: a partner declares an immediate danger; the coordination's home shows it first,
in red, with its countdown; the worker delivers one mail to each on-call address of a local SMTP server
(aiosmtpd), with no child data; once acknowledged, no reminder follows at half of the deadline."""

import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import expect

from core.config import PROJECT_ROOT
from tests.browser.harness import app_env, assert_no_streamlit_error, click_and_wait, free_port, goto, login

pytestmark = pytest.mark.browser

ON_CALL = ["astreinte.nuit@exemple.fr", "astreinte.jour@exemple.fr"]
FACTS = "Un homme adulte a attendu devant le portail et a interpellé l'enfant à son retour du collège."
CATEGORY = "Contact ou approche par un exploiteur ou un recruteur"
REFERENCE = re.compile(r"SIG-\d{4}-\d{4}")


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=policy.default)))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


def run_worker(server, port: int, at: datetime) -> None:
    """One round of the worker on the server's database, as if at `at`, sending to the local SMTP server."""
    env = app_env(server.data_dir) | {
        "ANCRAGE_SMTP_HOST": "127.0.0.1",
        "ANCRAGE_SMTP_PORT": str(port),
        "ANCRAGE_SMTP_STARTTLS": "0",
        "ANCRAGE_SMTP_FROM": "ancrage@exemple.fr",
    }
    result = subprocess.run(
        [sys.executable, "-m", "startup.worker", "--once", "--at", at.isoformat()],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


def mails_about(inbox: Inbox, reference: str) -> list[tuple[str, object]]:
    return [(to, message) for tos, message in inbox.messages for to in tos if reference in message["Subject"]]


def test_immediate_danger_reaches_the_home_first_and_each_on_call_address(new_page, fresh_app_server, smtp_server):
    inbox, smtp_port = smtp_server
    # The coordination sets its on-call addresses.
    coordination = new_page(fresh_app_server)
    goto(coordination, "")
    login(coordination, "coordination")
    goto(coordination, "notifications")
    main = coordination.get_by_test_id("stMain")
    expect(main).to_contain_text("L'envoi des courriels n'est pas configuré")
    main.get_by_label(re.compile("Une adresse par ligne")).fill("\n".join(ON_CALL))
    click_and_wait(main.get_by_role("button", name="Enregistrer les adresses"))
    expect(main).to_contain_text("Adresses d'astreinte enregistrées.")

    # The partner declares an immediate danger.
    partner = new_page(fresh_app_server)
    goto(partner, "")
    login(partner, "partenaire")
    goto(partner, "signalements")
    form = partner.get_by_test_id("stMain")
    form.get_by_role("combobox", name="Catégorie").click()
    partner.get_by_role("option", name=CATEGORY, exact=True).click()
    form.get_by_text("Danger immédiat", exact=True).click()
    form.get_by_label("Faits", exact=True).fill(FACTS)
    click_and_wait(form.get_by_role("button", name="Déclarer à la coordination"))
    heading = form.get_by_role("heading", name=re.compile(rf"^{REFERENCE.pattern} — "))
    expect(heading).to_be_visible()
    reference = REFERENCE.search(heading.inner_text()).group()
    declared = datetime.now(UTC)

    # The coordination's home: that signalement first, in red, with its gravity and countdown.
    goto(coordination, "")
    first = coordination.locator(".st-key-home_todo").get_by_test_id("stAlertContainer").first
    expect(first).to_contain_text(reference)
    expect(first).to_contain_text("Danger immédiat")
    expect(first).to_contain_text(re.compile(r"prise en compte attendue avant le .* — reste (1 h 00|\d{1,2} min)"))
    expect(first.get_by_test_id("stAlertContentError")).to_have_count(1)
    assert_no_streamlit_error(coordination, expected=(reference,))

    # The worker sends: one mail to each on-call address, with the reference and nothing about the child.
    run_worker(fresh_app_server, smtp_port, declared)
    mails = mails_about(inbox, reference)
    for address in ON_CALL:
        assert [to for to, _ in mails].count(address) == 1, mails
    for _, message in mails:
        body = message.get_content()
        assert reference in body and "/signalements" in body and "Échéance" in body
        assert FACTS not in body and "Julien Moreau" not in body

    # Acknowledged from the board: no reminder at half of the deadline.
    goto(coordination, "signalements")
    board = coordination.get_by_role("tabpanel", name="À traiter")
    card = (
        board.get_by_test_id("stVerticalBlock")
        .filter(has=coordination.locator("p", has_text=reference))
        .filter(has=coordination.get_by_role("button", name="Ouvrir", exact=True))
        .last
    )
    click_and_wait(card.get_by_role("button", name="Prendre en compte", exact=True))
    expect(card).to_contain_text("Pris en compte")
    run_worker(fresh_app_server, smtp_port, declared + timedelta(minutes=40))
    assert not [m for _, m in mails_about(inbox, reference) if "rappel" in m["Subject"]]
    assert len(mails_about(inbox, reference)) == len(mails)
