"""The home ordered by urgency and the « Notifications » page, run as each role with AppTest."""

from models.user import Role
from services.alerts import settings
from services.path.orientation import proposal_create
from tests.factories import make_request, make_signalement, make_user
from tests.pages.helpers import open_page, texts

FACTS = "Un homme adulte attend l'enfant devant le portail et l'appelle par son surnom."


def test_coordination_home_shows_the_immediate_danger_first_in_red_with_its_countdown(sqlite_db):
    coordinator = make_user(Role.COORDINATION)
    partner = make_user(Role.PARTENAIRE)
    make_request(coordinator)  # a request waiting: shown after
    s = make_signalement(partner, severity="danger_immediat", facts=FACTS)
    home = open_page(coordinator, "home")
    assert not home.exception
    first = home.error[0].value
    assert s.reference in first and "Danger immédiat" in first and "reste " in first and "min" in first
    assert "prise en compte attendue avant le" in first
    assert FACTS not in texts(home)
    boxes = [*home.error, *home.warning]
    assert "sollicitation" not in boxes[0].value
    assert "**1** notification(s) non lue(s)" in texts(home)


def test_partner_home_puts_the_proposal_first(sqlite_db):
    coordinator = make_user(Role.COORDINATION)
    partner = make_user(Role.PARTENAIRE)
    make_signalement(partner, severity="preoccupant")
    request = make_request(coordinator)
    proposal_create(actor=coordinator, request_id=request.id, structure_id=partner.structure_id)
    home = open_page(partner, "home")
    assert "proposition(s) d'orientation à examiner" in home.error[0].value


def test_notifications_page_lists_marks_read_and_says_mail_is_not_configured(sqlite_db, monkeypatch):
    monkeypatch.delenv("ANCRAGE_SMTP_HOST", raising=False)
    coordinator = make_user(Role.COORDINATION)
    partner = make_user(Role.PARTENAIRE)
    settings.on_call_set(actor=coordinator, emails=["astreinte@exemple.fr"])
    s = make_signalement(partner, severity="danger_immediat", facts=FACTS)
    page = open_page(coordinator, "notifications")
    assert not page.exception
    shown = texts(page)
    assert "1 notification(s) non lue(s)" in shown and s.reference in shown
    assert "n'est pas configuré" in shown
    assert page.text_area(key="on_call_emails").value == "astreinte@exemple.fr" and FACTS not in shown
    outbox = "\n".join(t.value for t in page.text)  # demo: the messages are kept and shown
    assert f"[Ancrage] Signalement déclaré — {s.reference}" in outbox and FACTS not in outbox
    next(b for b in page.button if b.label == "Tout marquer comme lu").click()
    page.run()
    assert "0 notification(s) non lue(s)" in texts(page)
    partner_page = open_page(partner, "notifications")
    assert "Aucune notification pour le moment." in texts(partner_page)
    assert [c.label for c in partner_page.checkbox] == [
        "Enfant proposé à votre structure",
        "Chiffres de la semaine à envoyer",
        "Chiffres de la semaine en retard",
    ]
    partner_page.checkbox(key="pref_proposition").uncheck()
    partner_page.run()
    assert not partner_page.exception and not partner_page.error
    assert partner_page.checkbox(key="pref_proposition").value is False
