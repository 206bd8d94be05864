"""Weekly figures, as seen in Chromium: partner staff fill this week's figures on one screen, an
impossible value is refused in French, and the figures sent appear on the structure's chart; the
network figures of a région with a single other structure are not shown to a partner, and it is told why."""

import re

import pytest
from playwright.sync_api import expect

from services.weekly.contributors import WITHHELD_FEW
from services.weekly.validation import ABOVE_CAPACITY
from tests.browser.harness import (
    ERROR_BOXES,
    SEEN_MS,
    assert_no_streamlit_error,
    choose,
    click_and_wait,
    click_until,
    goto,
    login,
    open_from_menu,
)

pytestmark = pytest.mark.browser

SENT = "Chiffres envoyés à la coordination."
CONFIRM_UNUSUAL = "Je confirme ces valeurs inhabituelles"
FREE_PLACES = "Places disponibles"


def test_partner_sends_this_weeks_figures_and_sees_them_on_its_chart(page):
    goto(page, "")
    login(page, "partenaire")
    open_from_menu(page, "Chiffres de la semaine")
    main = page.get_by_test_id("stMain")
    form = main.get_by_test_id("stForm")
    caption = main.get_by_test_id("stCaptionContainer").filter(has_text="capacité").first
    expect(caption).to_contain_text(re.compile(r"capacité : \d+ places"))
    found = re.search(r"(Semaine \d+ de \d{4} \(.+?\)) · capacité : (\d+) places", caption.inner_text())
    week, capacity = found.group(1), int(found.group(2))
    due = re.compile(r"[àÀ] envoyer avant le")
    expect(main).to_contain_text(due)  # the current week, offered first, is due (perhaps a draft)

    # One row per element: label, this week's field, last week's value, comment. Type last week's values.
    rows = form.get_by_test_id("stHorizontalBlock").filter(has=page.locator("input[type=number]"))
    expect(rows.first).to_be_visible()
    values = {}
    for row in rows.all():
        cells = row.get_by_test_id("stColumn")
        label = cells.nth(0).inner_text().replace("*", "").strip()
        previous = cells.nth(2).inner_text().strip()
        values[label] = "0" if previous == "—" else previous.replace(",", ".").replace("\u202f", "").replace(" ", "")
        form.get_by_label(label, exact=True).fill(values[label])
    assert FREE_PLACES in values, values
    send = form.get_by_role("button", name="Envoyer à la coordination")

    # Free places above capacity: refused in French, nothing written.
    form.get_by_label(FREE_PLACES, exact=True).fill(str(capacity + 1))
    click_and_wait(send)
    refusal = page.locator(ERROR_BOXES).filter(has_text="Rien n'a été enregistré")
    expect(refusal).to_contain_text(f"{FREE_PLACES} : {ABOVE_CAPACITY.format(capacity=capacity)}", timeout=SEEN_MS)
    expect(main).to_contain_text(due)
    expect(main).not_to_contain_text(SENT)
    expect(form.get_by_label(FREE_PLACES, exact=True)).to_have_value(str(capacity + 1))  # what was typed is kept

    form.get_by_label(FREE_PLACES, exact=True).fill(values[FREE_PLACES])
    click_and_wait(send)
    confirm = form.get_by_text(CONFIRM_UNUSUAL, exact=True)
    expect(page.get_by_text(SENT, exact=True).or_(confirm)).to_be_visible(timeout=SEEN_MS)
    if confirm.is_visible():  # a value far from the structure's own history asks for confirmation
        confirm.click()
        click_and_wait(send)
    expect(page.get_by_test_id("stAlertContentSuccess").filter(has_text=SENT)).to_be_visible(timeout=SEEN_MS)
    expect(main).to_contain_text(re.compile(r"Envoyé le \d{2}/\d{2}/\d{4} \d{2}:\d{2}"))
    assert_no_streamlit_error(page)

    # The structure's chart draws this week's point right away (its tooltip, read from the mark).
    open_from_menu(page, "Évolution des chiffres")
    chart = main.get_by_test_id("stVegaLiteChart")
    expect(chart.locator("svg.marks")).to_be_visible(timeout=SEEN_MS)
    # This week's point of the structure's own chart (network points also name the structures that answered).
    point = (
        f'svg.marks [aria-label*="Élément: {FREE_PLACES}; Période: {week}; Valeur: {values[FREE_PLACES]};"]'
        ':not([aria-label*="Structures ayant répondu"])'
    )
    click_until(main.get_by_text("Une structure", exact=True), chart.locator(point))
    assert_no_streamlit_error(page)


def test_partner_is_told_why_a_lone_structures_region_is_not_shown(page):
    """Corse has a single structure in the demo: its région total would be that structure's own series."""
    goto(page, "")
    login(page, "partenaire")
    open_from_menu(page, "Évolution des chiffres")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_test_id("stVegaLiteChart").locator("svg.marks")).to_be_visible(timeout=SEEN_MS)
    choose(page, main.get_by_label("Région", exact=True), "Corse", "Corse")
    expect(main.get_by_test_id("stAlertContentInfo")).to_contain_text(WITHHELD_FEW, timeout=SEEN_MS)
    expect(main.get_by_test_id("stVegaLiteChart")).to_have_count(0)
    choose(page, main.get_by_label("Région", exact=True), "Auvergne", "Auvergne-Rhône-Alpes")
    expect(main.get_by_test_id("stVegaLiteChart").locator("svg.marks")).to_be_visible(timeout=SEEN_MS)
    assert_no_streamlit_error(page)
