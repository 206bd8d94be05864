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
    reload,
    wait_idle,
)

pytestmark = pytest.mark.browser

SENT = "Chiffres envoyés à la coordination."
CONFIRM_UNUSUAL = "Je confirme ces valeurs inhabituelles"
FREE_PLACES = "Places disponibles"
ETP = "ETP éducatifs"
PRESENT = "Enfants présents"
CARDS = "[class*='st-key-weekly_card_']"


def test_partner_sends_this_weeks_figures_and_sees_them_on_its_chart(page):
    goto(page, "")
    login(page, "partenaire")
    open_from_menu(page, "Chiffres de la semaine")
    main = page.get_by_test_id("stMain")
    form = main.get_by_test_id("stForm")
    caption = main.get_by_test_id("stCaptionContainer").filter(has_text="capacité").first
    expect(caption).to_contain_text(re.compile(r"capacité : \d+ places"))
    # The week in words under the structure's name (not an ISO code), its days in the caption.
    heading = main.get_by_test_id("stHeading").filter(has_text=re.compile(r" — semaine \d+ de \d{4}")).first
    expect(heading).to_be_visible()
    number = re.search(r" — semaine (\d+ de \d{4})", heading.inner_text()).group(1)
    found = re.search(r"^Du lundi (\S+) au dimanche (\S+) · capacité : (\d+) places", caption.inner_text())
    week = f"Semaine {number} ({found.group(1)} – {found.group(2)})"  # as the chart names its point
    capacity = int(found.group(3))
    due = re.compile(r"[àÀ] envoyer avant le")
    expect(main).to_contain_text(due)  # the current week, offered first, is due (perhaps a draft)

    # One card per element: its field (typed the French way), last week's value, its comment.
    cards = form.locator(CARDS)
    expect(cards.first).to_be_visible()
    values = {}
    for card in cards.all():
        field = card.locator("input").first
        label = field.get_attribute("aria-label")
        previous = card.get_by_text(re.compile("^Semaine précédente : ")).inner_text()
        previous = previous.removeprefix("Semaine précédente : ").split(" · ")[0].strip()
        values[label] = "0" if previous == "non saisie" else previous
    # Children present unchanged and no movement: stock and flow agree. ETP typed with a comma.
    values.update({"Arrivées": "0", "Départs": "0", "Fugues": "0", ETP: "8,5"})
    for label, value in values.items():
        form.get_by_label(label, exact=True).fill(value)
    assert FREE_PLACES in values, values
    send = form.get_by_role("button", name="Envoyer à la coordination")

    # Free places above capacity: refused in French next to the field and at the top, nothing written.
    form.get_by_label(FREE_PLACES, exact=True).fill(str(capacity + 1))
    click_and_wait(send)
    refusal = page.locator(ERROR_BOXES).filter(has_text="Rien n'a été enregistré")
    fault = f"{FREE_PLACES} : {ABOVE_CAPACITY.format(capacity=capacity)}"
    expect(refusal).to_contain_text(fault, timeout=SEEN_MS)
    expect(form.locator(CARDS).filter(has=page.get_by_label(FREE_PLACES, exact=True))).to_contain_text(fault)
    expect(main).to_contain_text(due)
    expect(main).not_to_contain_text(SENT)
    expect(form.get_by_label(FREE_PLACES, exact=True)).to_have_value(str(capacity + 1))  # what was typed is kept
    expect(form.get_by_label(ETP, exact=True)).to_have_value("8,5")

    form.get_by_label(FREE_PLACES, exact=True).fill(values[FREE_PLACES])
    click_and_wait(send)
    confirm = form.get_by_text(CONFIRM_UNUSUAL, exact=True)
    expect(page.get_by_text(SENT, exact=True).or_(confirm)).to_be_visible(timeout=SEEN_MS)
    if confirm.is_visible():  # a value far from the structure's own history asks for confirmation
        confirm.click()
        click_and_wait(send)
    expect(page.get_by_test_id("stAlertContentSuccess").filter(has_text=SENT)).to_be_visible(timeout=SEEN_MS)
    expect(main).to_contain_text(re.compile(r"Envoyé le \d{2}/\d{2}/\d{4} \d{2}:\d{2}"))
    expect(main).to_contain_text("dernière mise à jour par Julien Moreau le")  # the person, not the log-in
    assert_no_streamlit_error(page)
    reload(page)  # read back from the database: « 8,5 » was saved as 8.5, not 85
    expect(main.get_by_label(ETP, exact=True)).to_have_value("8,5", timeout=SEEN_MS)

    # The structure's chart draws this week's point right away (its tooltip, read from the mark).
    open_from_menu(page, "Évolution des chiffres")
    chart = main.get_by_test_id("stVegaLiteChart")
    expect(chart.locator("svg.marks")).to_be_visible(timeout=SEEN_MS)
    # This week's point of the structure's own chart (network points also name the structures that answered).
    said = f"{FREE_PLACES}, {week} : {values[FREE_PLACES]}"  # what a screen reader says of the point
    point = f'svg.marks [aria-label="{said}"], svg.marks [aria-label^="{said} ("]:not([aria-label*="ayant répondu"])'
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


def test_partner_fills_the_week_on_a_phone_and_explains_a_stock_gap(new_page, fresh_app_server):
    page = new_page(fresh_app_server)
    page.set_viewport_size({"width": 390, "height": 844})
    goto(page, "")
    login(page, "partenaire")
    goto(page, "chiffres")
    main = page.get_by_test_id("stMain")
    form = main.get_by_test_id("stForm")
    cards = form.locator(CARDS)
    expect(cards.first).to_be_visible(timeout=SEEN_MS)

    # Usable on a phone: nothing wider than the screen, every field named, last week's value labelled.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    unnamed = page.evaluate(
        "Array.from(document.querySelectorAll('[data-testid=stForm] input'))"
        ".filter((i) => !(i.getAttribute('aria-label') || '').trim()).length"
    )
    assert unnamed == 0
    count = cards.count()
    expect(form.get_by_text(re.compile("^Semaine précédente : "))).to_have_count(count)
    expect(form.get_by_label(re.compile(r"^Commentaire \("))).to_have_count(count)
    for card in cards.all():  # one element per card, its field as wide as the card on a phone
        field, box = card.locator("input").first.bounding_box(), card.bounding_box()
        assert field and box and field["width"] > box["width"] * 0.7, (field, box)

    # Children present changed with no movement in the week: the gap must be explained.
    present_card = cards.filter(has=page.get_by_label(PRESENT, exact=True))
    previous = present_card.get_by_text(re.compile("^Semaine précédente : ")).inner_text()
    last_week = int(previous.removeprefix("Semaine précédente : ").split(" · ")[0].replace("\u202f", ""))
    for card in cards.all():
        card.locator("input").first.fill("0")
    form.get_by_label(PRESENT, exact=True).fill(str(last_week - 1 if last_week else 1))
    form.get_by_label(PRESENT, exact=True).press("Tab")
    wait_idle(page)
    send = form.get_by_role("button", name="Envoyer à la coordination")
    click_and_wait(send)
    expect(present_card).to_contain_text("expliquez l'écart en commentaire", timeout=SEEN_MS)
    expect(main).not_to_contain_text(SENT)
    form.get_by_label(f"Commentaire ({PRESENT})", exact=True).fill("Un enfant arrivé dimanche soir, compté lundi")
    click_and_wait(send)
    confirm = form.get_by_text(CONFIRM_UNUSUAL, exact=True)
    expect(page.get_by_text(SENT, exact=True).or_(confirm)).to_be_visible(timeout=SEEN_MS)
    if confirm.is_visible():
        confirm.click()
        click_and_wait(send)
    expect(page.get_by_test_id("stAlertContentSuccess").filter(has_text=SENT)).to_be_visible(timeout=SEEN_MS)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_no_streamlit_error(page)
