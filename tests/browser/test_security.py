"""What a visitor and a partner can make the app (and the coordination's spreadsheet) do."""

import csv
import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from tests.browser.harness import (
    assert_no_streamlit_error,
    click_and_wait,
    click_until,
    goto,
    login,
    shows_login_form,
    wait_idle,
)

pytestmark = pytest.mark.browser

# Notes, from the first paint on, whether Streamlit's own list of page files was ever drawn.
WATCH_NAV = """
window.__navSeen = [];
new MutationObserver(() => {
  for (const a of document.querySelectorAll('[data-testid="stSidebarNav"] a, [data-testid="stSidebarNavLink"]')) {
    window.__navSeen.push(a.getAttribute('href'));
  }
}).observe(document, {subtree: true, childList: true});
"""


@pytest.mark.parametrize("slug", ["", "comptes"])
def test_a_fresh_server_shows_a_visitor_only_the_log_in(new_page, fresh_app_server, slug):
    # The very first request of a newly started server, before any session declared the menu.
    page = new_page(fresh_app_server)
    page.add_init_script(WATCH_NAV)
    goto(page, slug)
    assert shows_login_form(page)
    page.wait_for_timeout(1_000)
    assert page.evaluate("window.__navSeen") == []


# What a partner types where another user will read it: Markdown (an image that would tell the sender
# when and from where it was read, a link), HTML, and a spreadsheet formula.
TYPED = (
    "**gras** ![x](http://host.example/beacon.png) [clic](http://host.example/lien) "
    "<img src=http://host.example/i.png> <b>balise</b> :red[rouge]"
)
FORMULA = '=HYPERLINK("http://host.example/f","clic")'
FACTS = f"{FORMULA} L'enfant a reçu un message. {TYPED}"
PHONE = "+33 2 99 00 00 00"  # starts like a formula: the spreadsheet must keep it as text
CATEGORY = "Contact ou approche par un exploiteur ou un recruteur"


def _watch_requests(page) -> list[str]:
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url) if "host.example" in request.url else None)
    return seen


def _assert_inert(page) -> None:
    main = page.get_by_test_id("stMain")
    expect(main.locator('img[src*="host.example"], a[href*="host.example"]')).to_have_count(0)
    expect(main.locator("strong", has_text="gras")).to_have_count(0)
    expect(main.locator("b", has_text="balise")).to_have_count(0)


def test_what_a_partner_types_reaches_the_coordination_as_typed(new_page, fresh_app_server, tmp_path):
    # The partner types in every free-text field of a signalement, and its structure's contact.
    partner = new_page(fresh_app_server)
    goto(partner, "")
    login(partner, "partenaire")
    goto(partner, "signalements")
    main = partner.get_by_test_id("stMain")
    main.get_by_role("combobox", name="Catégorie").click()
    partner.get_by_role("option", name=CATEGORY, exact=True).click()
    main.get_by_text("Préoccupant", exact=True).click()
    main.get_by_label("Faits", exact=True).fill(FACTS)
    main.get_by_label("Précisions sur les mesures (facultatif)", exact=True).fill(f"{FORMULA} {TYPED}")
    click_and_wait(main.get_by_role("button", name="Déclarer à la coordination"))
    expect(main.get_by_test_id("stAlertContentSuccess")).to_contain_text("Signalement transmis")
    heading = main.get_by_role("heading", name=re.compile(r"^SIG-\d{4}-\d{4} — "))
    reference = re.match(r"SIG-\d{4}-\d{4}", heading.inner_text()).group()
    # The receipt stands for the record; the partner opens it from its list to add to it.
    main.get_by_role("tab", name=re.compile(r"^Nos signalements")).click()
    wait_idle(partner)
    box = main.get_by_role("combobox", name="Ouvrir le signalement")
    option = partner.get_by_role("option", name=re.compile(rf"^{reference} — "))
    for _ in range(3):  # on a loaded machine a late run may close the list as it opens: open it again
        box.click()
        partner.keyboard.type(reference)
        try:
            option.wait_for(timeout=5_000)
            break
        except PlaywrightTimeout:
            partner.keyboard.press("Escape")
    click_until(option, main.get_by_role("tab", name="Compléter"))
    main.get_by_role("tab", name="Compléter").click()
    main.get_by_label("Note de suivi", exact=True).fill(f"@SUM(1+1) {TYPED}")
    click_and_wait(main.get_by_role("button", name="Ajouter au suivi"))
    main.get_by_role("tab", name="Corriger").click()
    main.get_by_label("Ce qui est corrigé", exact=True).fill(f"-1+1 {TYPED}")
    click_and_wait(main.get_by_role("button", name="Enregistrer la correction"))
    assert_no_streamlit_error(partner)
    goto(partner, "structure")
    structure_name = main.locator("h3").first.inner_text().strip()
    main.get_by_label("Téléphone (standard)", exact=True).fill(PHONE)
    click_and_wait(main.get_by_role("button", name="Enregistrer", exact=True))
    expect(main.get_by_test_id("stAlertContentSuccess")).to_contain_text("Contact et capacité enregistrés")

    # The coordination reads it as typed: nothing fetched, no link, no bold, no HTML.
    coordination = new_page(fresh_app_server)
    fetched = _watch_requests(coordination)
    goto(coordination, "")
    login(coordination, "coordination")
    goto(coordination, "signalements")
    board = coordination.get_by_role("tabpanel", name="À traiter")
    card = (
        board.get_by_test_id("stVerticalBlock")
        .filter(has_text=reference)
        .filter(has=coordination.get_by_role("button", name="Ouvrir", exact=True))
        .last
    )
    click_and_wait(card.get_by_role("button", name="Ouvrir", exact=True))
    main = coordination.get_by_test_id("stMain")
    expect(main.get_by_test_id("stText").filter(has_text=FACTS)).to_have_count(1)
    expect(main.get_by_test_id("stText").filter(has_text=f"{FORMULA} {TYPED}")).to_have_count(1)
    history = main.get_by_test_id("stDataFrame").filter(has=coordination.locator('th:text-is("Auteur")'))
    expect(history).to_contain_text(f"@SUM(1+1) {TYPED}")
    expect(history).to_contain_text(f"-1+1 {TYPED}")
    _assert_inert(coordination)
    with coordination.expect_download() as confirmation:
        main.get_by_role("button", name="Télécharger la confirmation écrite (à imprimer)").click()
    html = Path(confirmation.value.path()).read_text(encoding="utf-8")
    assert "<img src=http://host.example" not in html and "&lt;img src=http://host.example/i.png&gt;" in html
    assert_no_streamlit_error(coordination)

    # The directory exports keep every typed cell as text.
    goto(coordination, "annuaire")
    main.get_by_text("Exporter la liste affichée").click()
    files = {}
    for fmt in ("CSV", "XLSX"):
        with coordination.expect_download() as download:
            main.get_by_role("button", name=f"Télécharger en {fmt}").click()
        files[fmt] = Path(download.value.path()).read_bytes()
    sheet = load_workbook(io.BytesIO(files["XLSX"])).active
    row = next(r for r in sheet.iter_rows(min_row=2) if r[1].value == structure_name)
    phone = next(c for c in row if c.value == PHONE)
    assert phone.data_type == "s" and phone.quotePrefix
    assert not [c.coordinate for r in sheet.iter_rows() for c in r if c.data_type == "f"]
    lines = list(csv.reader(io.StringIO(files["CSV"].decode("utf-8-sig")), delimiter=";"))
    assert "'" + PHONE in next(line for line in lines if line[1] == structure_name)
    assert fetched == []


def test_no_session_can_be_driven_without_a_browser(app_server):
    # Streamlit's agent API would let a script open sessions over HTTP: the app keeps it off.
    import json
    import urllib.error
    import urllib.request

    request = urllib.request.Request(
        f"{app_server.url}/_stcore/agent/interact", data=b"{}", headers={"Content-Type": "application/json"}
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 403
    assert json.loads(refused.value.read())["error"]["code"] == "not_available"
