"""Directory and coverage map, as seen in Chromium: the map draws every département, overseas included,
a new structure turns its département covered at once, and partner staff edit only their own record."""

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.harness import (
    SEEN_MS,
    assert_never_appears,
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

OVERSEAS = {"971": "Guadeloupe", "972": "Martinique", "973": "Guyane", "974": "La Réunion", "976": "Mayotte"}
READ_ONLY = "Fiche en lecture seule : seule votre structure peut être modifiée par votre équipe."


def map_mark(page, departement: str, *more: str):
    """The coloured shape of a département on the map, found by its tooltip (`Département: Ain (01)`)."""
    selector = "".join(f'[aria-label*="{text}"]' for text in (f"Département: {departement};", "Couvert:", *more))
    return page.get_by_test_id("stVegaLiteChart").locator(f"svg.marks {selector}")


def test_coordination_sees_the_map_and_a_new_structure_covers_its_departement(page):
    goto(page, "")
    login(page, "coordination")
    open_from_menu(page, "Couverture")
    main = page.get_by_test_id("stMain")
    expect(page.get_by_test_id("stVegaLiteChart").locator("svg.marks")).to_be_visible(timeout=SEEN_MS)
    for code, name in OVERSEAS.items():  # each overseas département drawn, with its tooltip
        expect(map_mark(page, f"{name} ({code})")).to_have_count(1)
    expect(metric(page, "dont outre-mer")).to_contain_text("/ 5")
    uncovered = main.locator("li")
    expect(uncovered.filter(has_text="outre-mer").first).to_contain_text(
        re.compile("|".join(f"{code} {name}" for code, name in OVERSEAS.items()))
    )
    assert_no_streamlit_error(page)

    covered_before = int(metric(page, "Départements couverts").inner_text().split("/")[0])
    mainland = uncovered.filter(has_not_text="outre-mer").first.inner_text()
    code, name = re.search(r" : (\w{2,3}) ([^,(]+)", mainland).groups()
    name = name.strip()
    expect(map_mark(page, f"{name} ({code})", "Couvert: non")).to_have_count(1)
    # Coloured by coverage itself, the legend reads « oui » / « non », not a 1 to 0 scale.
    click_and_wait(main.get_by_test_id("stRadio").get_by_text("Département couvert", exact=True))
    legend = page.get_by_test_id("stVegaLiteChart").locator("svg.marks .role-legend-label text")
    expect(legend).to_have_text(["oui", "non"], timeout=SEEN_MS)
    expect(main).not_to_contain_text("1 = oui")

    open_from_menu(page, "Annuaire")
    page.get_by_text("Nouvelle structure", exact=True).click()  # an expander: no run
    form = page.get_by_test_id("stForm").filter(has=page.get_by_role("button", name="Créer la structure"))
    structure = f"Maison d'accueil essai {uuid.uuid4().hex[:6]}"
    form.get_by_label("Nom *", exact=True).fill(structure)
    choose(page, form.get_by_label("Département *", exact=True), name, f"{code} — {name}")
    form.get_by_label("Commune *", exact=True).fill("Chef-lieu")
    form.get_by_label("Places *", exact=True).fill("4")
    choose(page, form.get_by_label("Sexes accueillis *", exact=True), "Fille", "Fille", multi=True)
    choose(
        page,
        form.get_by_label("Formes d'exploitation prises en charge *", exact=True),
        "sexuelle",
        "Exploitation sexuelle",
        multi=True,
    )
    choose(page, form.get_by_label("Statut dans le réseau *", exact=True), "Active", "Active")
    click_and_wait(form.get_by_role("button", name="Créer la structure"))
    expect(page.get_by_test_id("stAlertContentSuccess")).to_contain_text(
        f"Structure « {structure} » créée.", timeout=SEEN_MS
    )

    open_from_menu(page, "Couverture")
    expect(metric(page, "Départements couverts")).to_have_text(f"{covered_before + 1} / 101", timeout=SEEN_MS)
    expect(map_mark(page, f"{name} ({code})", "Structures actives: 1;", "Places: 4;", "Couvert: oui")).to_have_count(1)
    expect(uncovered.filter(has_text=f"{code} {name}")).to_have_count(0)
    assert_no_streamlit_error(page)


def test_partner_edits_its_own_record_and_reads_the_others(page):
    goto(page, "")
    login(page, "partenaire")
    open_from_menu(page, "Fiche structure")
    main = page.get_by_test_id("stMain")
    expect(main).to_contain_text("Mettre à jour le contact et la capacité")
    own = page.get_by_test_id("stMain").get_by_test_id("stHeading").nth(1).inner_text().strip()
    form = page.get_by_test_id("stForm")
    expect(form).to_have_count(1)
    for label in ("Places", "Téléphone (standard)", "E-mail fonctionnel"):
        expect(form.get_by_label(label, exact=True)).to_be_editable()
    expect(form.get_by_role("button", name="Enregistrer")).to_be_visible()

    page.get_by_label("Structure", exact=True).click()
    other = page.get_by_role("option").filter(has_not_text=own).first
    other_name = other.inner_text().strip()
    click_until(other, main.get_by_test_id("stHeading").filter(has_text=other_name))
    expect(main.get_by_test_id("stHeading").nth(1)).to_have_text(other_name)
    expect(main).to_contain_text(READ_ONLY)
    assert_never_appears(page.get_by_test_id("stForm"))
    assert_no_streamlit_error(page)
