"""A child's path, as seen in Chromium: the coordination enters a request and the finder recommends a
structure with its reason; partner staff see only their own children and record a runaway."""

import re
import sqlite3

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
    metric,
    open_from_menu,
)

pytestmark = pytest.mark.browser

SEINE_SAINT_DENIS = "93 — Seine-Saint-Denis"
CHILD_CODE = re.compile(r"ANC-\d{4}-[0-9A-Z]+")


def test_coordination_enters_a_request_and_the_finder_recommends_a_structure(page):
    goto(page, "")
    login(page, "coordination")
    open_from_menu(page, "Sollicitations")
    form = page.get_by_test_id("stForm").filter(has=page.get_by_role("button", name="Enregistrer la sollicitation"))
    click_until(page.get_by_role("radio", name="Nouvelle sollicitation"), form)
    choose(page, form.get_by_label("Demandeur", exact=True), "Police", "Police nationale")
    choose(page, form.get_by_label("Département du demandeur", exact=True), "Seine-Saint", SEINE_SAINT_DENIS)
    form.get_by_label("Âge (années)", exact=True).fill("15")
    choose(page, form.get_by_label("Sexe", exact=True), "Fille", "Fille")
    choose(
        page, form.get_by_label("Formes d'exploitation", exact=True), "sexuelle", "Exploitation sexuelle", multi=True
    )
    choose(
        page, form.get_by_label("Département où l'exploitation a eu lieu", exact=True), "Seine-Saint", SEINE_SAINT_DENIS
    )
    click_and_wait(form.get_by_role("button", name="Enregistrer la sollicitation"))

    main = page.get_by_test_id("stMain")
    success = page.get_by_test_id("stAlertContentSuccess").filter(has_text="Sollicitation enregistrée")
    expect(success).to_contain_text(CHILD_CODE, timeout=SEEN_MS)
    code = CHILD_CODE.search(success.inner_text()).group()
    expect(main.get_by_test_id("stHeading").filter(has_text=code)).to_contain_text("Nouvelle")
    expect(main).to_contain_text(f"Lieu : {SEINE_SAINT_DENIS}")
    # The finder's ranked list: first a recommended structure, with its one-line reason.
    expect(main.get_by_test_id("stHeading").filter(has_text="Recherche de place")).to_be_visible()
    first = main.locator("ol > li").first
    expect(first).to_contain_text(re.compile(r"\) — Recommandée : \d+ places? libres?( \(| selon)"))
    expect(first).not_to_contain_text("libre(s)")  # said once, in plain French
    expect(first).to_contain_text("profil accepté (âge, sexe, formes d'exploitation)")
    expect(first).to_contain_text(re.compile(r"à [\d\s]+ km du lieu d'exploitation \(minimum [\d\s]+ km\)"))
    first.scroll_into_view_if_needed()  # for the closing screenshot
    assert_no_streamlit_error(page)


def _codes_in_other_structures(app_server, own_structure: str) -> set[str]:
    """Codes of the children placed right now in another structure (read from the server's database)."""
    uri = f"file:{app_server.data_dir / 'ancrage.db'}?mode=ro"
    with sqlite3.connect(uri, uri=True) as db:
        rows = db.execute(
            "SELECT c.code FROM placements p JOIN children c ON c.id = p.child_id "
            "JOIN structures s ON s.id = p.structure_id WHERE p.end_date IS NULL AND s.name <> ?",
            (own_structure,),
        ).fetchall()
    return {code for (code,) in rows}


def test_partner_sees_only_its_children_and_records_a_runaway(page, app_server):
    goto(page, "")
    login(page, "partenaire")
    open_from_menu(page, "Enfants accueillis")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_test_id("stHeading").first).to_have_text("Enfants accueillis")
    own = main.get_by_test_id("stCaptionContainer").first.inner_text().strip()
    on_runaway = int(metric(page, "En fugue").inner_text())

    # The grid is a canvas; its accessible copy (a table inside the canvas) is drawn after the run.
    table = main.get_by_test_id("stDataFrame")
    expect(table.locator("[role=gridcell]").first).to_contain_text(CHILD_CODE)
    listed = set(table.locator('[role=gridcell][aria-colindex="1"]').all_text_contents())
    elsewhere = _codes_in_other_structures(app_server, own)
    assert listed and elsewhere, (listed, elsewhere)
    assert not listed & elsewhere, f"children of another structure listed: {listed & elsewhere}"

    # Quick action on the last child present: a runaway today.
    present = table.locator("[role=row]").filter(has_text="Présent(e)").last
    code = present.locator("[role=gridcell]").first.text_content()
    page.get_by_label("Enfant", exact=True).click()
    page.keyboard.type(code)
    card = main.get_by_test_id("stForm").filter(has=page.get_by_role("button", name="Signaler la fugue"))
    click_until(page.get_by_role("option").filter(has_text=code), card)
    expect(card).to_contain_text("Date de la fugue")
    click_and_wait(card.get_by_role("button", name="Signaler la fugue"))
    expect(page.get_by_test_id("stAlertContentSuccess")).to_contain_text("Fugue enregistrée", timeout=SEEN_MS)
    expect(metric(page, "En fugue")).to_have_text(str(on_runaway + 1))
    expect(table.locator("[role=row]").filter(has_text=code)).to_contain_text("En fugue")
    assert_no_streamlit_error(page)


def test_coordination_types_the_minimum_distance_the_french_way(page):
    goto(page, "")
    login(page, "coordination")
    open_from_menu(page, "Indicateurs du parcours")
    main = page.get_by_test_id("stMain")
    main.get_by_text("Réglage : distance minimale", exact=False).click()
    form = main.get_by_test_id("stForm").filter(has=page.get_by_role("button", name="Enregistrer", exact=True))
    field = form.get_by_label("Distance minimale (km)", exact=True)
    current = field.input_value()
    assert re.fullmatch(r"\d+", current)
    # A decimal in a whole-number field: said under the field, the text kept, nothing saved.
    field.fill("2,5")
    click_and_wait(form.get_by_role("button", name="Enregistrer", exact=True))
    expect(form).to_contain_text("Distance minimale (km) : nombre entier attendu", timeout=SEEN_MS)
    expect(field).to_have_value("2,5")
    # The same distance typed back is saved and confirmed in French.
    field.fill(current)
    click_and_wait(form.get_by_role("button", name="Enregistrer", exact=True))
    expect(page.get_by_test_id("stAlertContentSuccess")).to_contain_text(
        f"Distance minimale : {current} km.", timeout=SEEN_MS
    )
    assert_no_streamlit_error(page)
