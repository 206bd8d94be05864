"""The detection circuit in Chromium: a partner's digital outreach leads to a request whose origin shows and
is counted; a referrer account sends a request in a short form and follows it without seeing the structure."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.harness import (
    SEEN_MS,
    assert_no_streamlit_error,
    choose,
    click_and_wait,
    click_until,
    goto,
    login,
    menu_titles,
    open_from_menu,
)

pytestmark = pytest.mark.browser

SEINE_SAINT_DENIS = "93 — Seine-Saint-Denis"
CHILD_CODE = re.compile(r"ANC-\d{4}-[0-9A-Z]+")
RECEIPT = re.compile(r"Sollicitation n° (\d+) reçue")


def _server_database(server):
    """Read and write the server's own database from the test process (through the services)."""
    from tests.conftest import use_database

    use_database(f"sqlite:///{server.data_dir / 'ancrage.db'}")


def test_partner_outreach_leads_to_a_request_that_shows_its_origin_and_is_counted(fresh_app_server, new_page):
    partner = new_page(fresh_app_server)
    goto(partner, "")
    login(partner, "partenaire")
    open_from_menu(partner, "Maraudes")
    form = partner.get_by_test_id("stForm").filter(has=partner.get_by_role("button", name="Enregistrer la maraude"))
    form.get_by_text("Maraude numérique", exact=True).click()
    choose(partner, form.get_by_label("Département", exact=True), "Seine-Saint", SEINE_SAINT_DENIS)
    choose(
        partner,
        form.get_by_label("Plateformes (maraude numérique)", exact=True),
        "généraliste",
        "Site d'annonces généraliste",
        multi=True,
    )
    form.get_by_label("Annonces ou profils repérés", exact=True).fill("20")
    form.get_by_label("Annonces ou profils de personnes présumées mineures", exact=True).fill("2")
    form.get_by_label("Messages de contact envoyés", exact=True).fill("2")
    click_and_wait(form.get_by_role("button", name="Enregistrer la maraude"))
    expect(partner.get_by_test_id("stAlertContentSuccess")).to_contain_text("Maraude enregistrée", timeout=SEEN_MS)
    assert_no_streamlit_error(partner)

    # The coordination records the request of one of the two, then links it to the session.
    page = new_page(fresh_app_server)
    goto(page, "")
    login(page, "coordination")
    open_from_menu(page, "Sollicitations")
    new = page.get_by_test_id("stForm").filter(has=page.get_by_role("button", name="Enregistrer la sollicitation"))
    click_until(page.get_by_role("radio", name="Nouvelle sollicitation"), new)
    choose(page, new.get_by_label("Demandeur", exact=True), "maraude", "Équipe de maraude")
    choose(page, new.get_by_label("Département du demandeur", exact=True), "Seine-Saint", SEINE_SAINT_DENIS)
    new.get_by_label("Âge (années)", exact=True).fill("16")
    choose(page, new.get_by_label("Sexe", exact=True), "Fille", "Fille")
    choose(page, new.get_by_label("Formes d'exploitation", exact=True), "sexuelle", "Exploitation sexuelle", multi=True)
    choose(
        page, new.get_by_label("Département où l'exploitation a eu lieu", exact=True), "Seine-Saint", SEINE_SAINT_DENIS
    )
    click_and_wait(new.get_by_role("button", name="Enregistrer la sollicitation"))
    success = page.get_by_test_id("stAlertContentSuccess").filter(has_text="Sollicitation enregistrée")
    expect(success).to_contain_text(CHILD_CODE, timeout=SEEN_MS)
    code = CHILD_CODE.search(success.inner_text()).group()

    open_from_menu(page, "Maraudes")
    main = page.get_by_test_id("stMain")
    main.get_by_text("Relier une sollicitation à la maraude qui a repéré l'enfant").click()
    link = main.get_by_test_id("stForm").filter(has=page.get_by_role("button", name="Relier"))
    link.get_by_label("Code de l'enfant", exact=True).fill(code)
    click_and_wait(link.get_by_role("button", name="Relier"))
    expect(page.get_by_test_id("stAlertContentSuccess")).to_contain_text("Sollicitation reliée", timeout=SEEN_MS)

    open_from_menu(page, "Sollicitations")
    expect(main.get_by_test_id("stHeading").filter(has_text=code)).to_be_visible()
    expect(main).to_contain_text("Origine : repérage lors de la maraude numérique du")
    assert_no_streamlit_error(page)

    # The indicator and the annual report count the presumed minors and the linked request.
    from core.access import SYSTEM
    from core.clock import paris_today
    from services.indicators.catalogue import indicator_view
    from services.periods import period_of
    from services.report.annual import annual_report_content

    _server_database(fresh_app_server)
    today = paris_today()
    view = indicator_view(actor=SYSTEM, key="outreach", period=period_of("annee", today))
    linked = dict(view.headline.secondary)["sollicitations issues d'une maraude"].value
    assert linked is not None and linked >= 1
    report = annual_report_content(actor=SYSTEM, year=today.year, protected=False)
    views = {v.info.key: v for v in report.views}
    axes = [t.title[:2] for key in ("outreach", "outreach_activity") for t in views[key].tables]
    assert sorted(axes) == ["1.", "2.", "3.", "4."]
    assert dict(views["outreach"].headline.secondary)["sollicitations issues d'une maraude"].value == linked


def test_referrer_sends_a_request_and_follows_it_without_seeing_the_structure(fresh_app_server, new_page):
    page = new_page(fresh_app_server)
    goto(page, "")
    login(page, "orienteur")
    open_from_menu(page, "Orienter un enfant")
    form = page.get_by_test_id("stForm").filter(has=page.get_by_role("button", name="Envoyer la sollicitation"))
    assert form.get_by_test_id("stWidgetLabel").count() < 10
    form.get_by_label("Âge (années)", exact=True).fill("14")
    choose(page, form.get_by_label("Sexe", exact=True), "Garçon", "Garçon")
    choose(
        page, form.get_by_label("Département où l'exploitation a eu lieu", exact=True), "Seine-Saint", SEINE_SAINT_DENIS
    )
    choose(
        page,
        form.get_by_label("Formes d'exploitation", exact=True),
        "délits",
        "Contrainte à commettre des délits",
        multi=True,
    )
    click_and_wait(form.get_by_role("button", name="Envoyer la sollicitation"))
    receipt = page.get_by_test_id("stAlertContentSuccess")
    expect(receipt).to_contain_text(RECEIPT, timeout=SEEN_MS)
    expect(receipt).to_contain_text("01 99 00 12 34")
    number = int(RECEIPT.search(receipt.inner_text()).group(1))
    main = page.get_by_test_id("stMain")
    table = main.get_by_test_id("stDataFrame")
    # The grid is a canvas; its accessible copy (a table inside the canvas) is drawn after the run.
    expect(table.locator("[role=row]").filter(has_text=str(number)).first).to_contain_text("Reçue")
    assert not CHILD_CODE.search(main.inner_text())

    # The coordination places the child (through the services, on the server's database).
    from core.access import SYSTEM
    from core.clock import paris_today
    from services.path.orientation import consent_record, proposal_answer, proposal_create
    from services.path.placements import placement_arrival

    _server_database(fresh_app_server)
    from services.directory.structures import structure_options

    structure_id, structure_name = structure_options(actor=SYSTEM)[0]
    proposal = proposal_create(actor=SYSTEM, request_id=number, structure_id=structure_id)
    proposal = proposal_answer(actor=SYSTEM, proposal_id=proposal.id, expected_version=proposal.version, accepted=True)
    proposal = consent_record(
        actor=SYSTEM,
        proposal_id=proposal.id,
        expected_version=proposal.version,
        assent_obtained=True,
        authority_basis="decision_judiciaire",
    )
    placement_arrival(
        actor=SYSTEM, proposal_id=proposal.id, expected_version=proposal.version, arrival_date=paris_today()
    )

    # Another process wrote: the server sees it once its data version is re-read (at most VERSION_TTL s).
    from ui.cache import VERSION_TTL

    page.wait_for_timeout(VERSION_TTL * 1000 + 500)
    open_from_menu(page, "Orienter un enfant")
    row = table.locator("[role=row]").filter(has_text=str(number))
    expect(row.first).to_contain_text("Prise en charge", timeout=SEEN_MS)
    text = main.inner_text()
    assert structure_name not in text and not CHILD_CODE.search(text)
    assert menu_titles(page) == ["Accueil", "Notifications", "Orienter un enfant"]  # nothing of the structures
    assert_no_streamlit_error(page)
