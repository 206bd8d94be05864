"""Signalements in Chromium: a partner declares an immediate danger; the coordination sees it at the
top of its board with its countdown, acknowledges it and passes it on; the history names the authors."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.harness import assert_no_streamlit_error, click_and_wait, goto, login, wait_idle

pytestmark = pytest.mark.browser

# The demo accounts' names (demo/accounts.py), as the history shows them.
PARTNER_NAME = "Julien Moreau"
COORDINATION_NAME = "Claire Martin"
CATEGORY = "Contact ou approche par un exploiteur ou un recruteur"
REFERENCE = re.compile(r"SIG-\d{4}-\d{4}")


def test_partner_declares_an_immediate_danger_and_the_coordination_acknowledges_and_passes_it_on(new_page):
    # The partner declares: the reminder that no names go in the facts is on screen.
    partner = new_page()
    goto(partner, "")
    login(partner, "partenaire")
    goto(partner, "signalements")
    main = partner.get_by_test_id("stMain")
    reminder = main.get_by_test_id("stAlertContentWarning").filter(has_text="Aucun nom ici")
    expect(reminder).to_be_visible()
    expect(reminder).to_contain_text("Désignez l'enfant par son code")
    main.get_by_role("combobox", name="Catégorie").click()
    partner.get_by_role("option", name=CATEGORY, exact=True).click()
    main.get_by_text("Danger immédiat", exact=True).click()
    main.get_by_label("Faits", exact=True).fill(
        "Un homme adulte a attendu devant le portail et a interpellé l'enfant à son retour du collège."
    )
    click_and_wait(main.get_by_role("button", name="Déclarer à la coordination"))
    expect(main.get_by_test_id("stAlertContentSuccess")).to_contain_text("Signalement transmis à la coordination")
    heading = main.get_by_role("heading", name=re.compile(rf"^{REFERENCE.pattern} — "))
    expect(heading).to_be_visible()
    reference = REFERENCE.search(heading.inner_text()).group()
    expect(main).to_contain_text(f"par {PARTNER_NAME}")
    # The written confirmation comes right under the message, before the next (empty) form.
    receipt = main.locator(".st-key-signalements_receipt")
    download = receipt.get_by_role("button", name="Télécharger la confirmation écrite (à imprimer)")
    expect(download).to_be_visible()
    form = main.get_by_test_id("stForm")
    expect(form.get_by_label("Faits", exact=True)).to_have_value("")
    assert download.bounding_box()["y"] < form.bounding_box()["y"]
    heading.scroll_into_view_if_needed()
    assert_no_streamlit_error(partner)

    # The coordination's board: the new signalement first, with its countdown to acknowledge.
    coordination = new_page()
    goto(coordination, "")
    login(coordination, "coordination")
    goto(coordination, "signalements")
    board = coordination.get_by_role("tabpanel", name="À traiter")
    top = board.locator("p", has_text=REFERENCE).first
    expect(top).to_contain_text(reference)
    expect(top).to_contain_text("Danger immédiat")
    card = (
        board.get_by_test_id("stVerticalBlock")
        .filter(has=coordination.locator("p", has_text=reference))
        .filter(has=coordination.get_by_role("button", name="Ouvrir", exact=True))
        .last
    )
    expect(card).to_contain_text(CATEGORY)
    expect(card).to_contain_text(
        re.compile(
            r"En attente de prise en compte · déclaré le .* · "
            r"Prise en compte attendue dans (1 h 00|\d{1,2} min)"
        )
    )

    # Acknowledged in one click, then passed on to two authorities from the board.
    click_and_wait(card.get_by_role("button", name="Prendre en compte", exact=True))
    expect(card).to_contain_text(re.compile(r"Pris en compte · .* · Transmission attendue dans \d h \d\d"))
    # Opening the popover reruns the board fragment only, too quickly for `click_and_wait` to
    # always see it: wait for the form it draws instead.
    card.get_by_role("button", name="Transmettre", exact=True).click()
    popover = coordination.get_by_test_id("stPopoverBody")
    expect(popover.get_by_role("button", name="Enregistrer la transmission", exact=True)).to_be_visible()
    wait_idle(coordination)
    popover.get_by_role("combobox", name="Destinataires").click()
    coordination.get_by_role("option", name="Parquet (procureur de la République)", exact=True).click()
    coordination.get_by_role("option", name="Police ou gendarmerie", exact=True).click()
    coordination.keyboard.press("Escape")
    click_and_wait(popover.get_by_role("button", name="Enregistrer la transmission", exact=True))
    expect(card).to_contain_text("Transmis · déclaré le")
    expect(card).to_contain_text("Aucun délai en cours")

    # The history: every step with its author, nothing else.
    history = (
        coordination.get_by_test_id("stDataFrame")
        .filter(visible=True)
        .filter(has=coordination.locator('th:text-is("Auteur")'))
    )
    rows = history.locator("tbody tr")
    expect(rows).to_have_count(4)
    headers = history.locator("thead th").all_text_contents()
    steps = [dict(zip(headers, row.locator("td").all_text_contents())) for row in rows.all()]
    assert [(s["Étape"], s["Auteur"], s["Détails"]) for s in steps] == [
        ("Déclaration", PARTNER_NAME, f"Danger immédiat — {CATEGORY}"),
        ("Prise en compte par la coordination", COORDINATION_NAME, ""),
        ("Transmission", COORDINATION_NAME, "Parquet (procureur de la République), par téléphone"),
        ("Transmission", COORDINATION_NAME, "Police ou gendarmerie, par téléphone"),
    ], steps
    history.scroll_into_view_if_needed()  # for the screenshot
    assert_no_streamlit_error(coordination)
