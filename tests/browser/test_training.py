"""Trainings in Chromium: the coordination records a delivered session and sees indicator 6 and the
plan move; the partner's team sees the session in its history and one module less to follow."""

import re
import uuid

import pytest
from playwright.sync_api import expect

from core.clock import paris_today
from core.formatting import fr_date
from tests.browser.harness import (
    assert_never_appears,
    assert_no_streamlit_error,
    click_and_wait,
    click_until,
    goto,
    login,
    metric,
    reload,
)

pytestmark = pytest.mark.browser

# Twelve participants of three profiles (all three are aimed at by the demo's safety module).
PARTICIPANTS = {"Éducateur spécialisé": 5, "Veilleur de nuit": 4, "Police ou gendarmerie": 3}
MISSING_MODULE = re.compile(r" — (Sur site|À distance|Mixte), ")  # "**Title** — Sur site, 6 à 7 h"


def number(text: str) -> int:
    return int(re.sub(r"\D", "", text))


def grid(page, *columns: str):
    """The data grid on screen whose header shows all of `columns`."""
    found = page.get_by_test_id("stDataFrame").filter(visible=True)
    for column in columns:
        found = found.filter(has=page.locator(f'th:text-is("{column}")'))
    return found


def grid_rows(grid_locator) -> dict[str, dict[str, str]]:
    """The rows a data grid shows, by their first cell (the grid's accessible table mirrors its canvas)."""
    expect(grid_locator.locator("tbody tr").first).to_be_attached()
    headers = grid_locator.locator("thead th").all_text_contents()
    rows = {}
    for row in grid_locator.locator("tbody tr").all():
        cells = row.locator("td").all_text_contents()
        rows[cells[0]] = dict(zip(headers, cells))
    return rows


def grid_cell(page, grid_locator, first_cell: str, column_index: int):
    row = grid_locator.locator("tbody tr").filter(has=page.locator(f'td:text-is("{first_cell}")'))
    return row.locator("td").nth(column_index)


def missing_modules(page) -> list[str]:
    main = page.get_by_test_id("stMain")
    return main.locator("p", has_text=MISSING_MODULE).locator("strong").all_inner_texts()


def test_coordination_records_a_session_and_the_indicators_and_the_partner_team_see_it(new_page):
    # The partner's team: its structure and the modules it still lacks.
    partner = new_page()
    goto(partner, "")
    login(partner, "partenaire")
    goto(partner, "formations-equipe")
    expect(partner.get_by_role("heading", name="Modules que l'équipe n'a pas encore suivis")).to_be_visible()
    structure = partner.get_by_test_id("stMain").get_by_test_id("stCaptionContainer").first.inner_text().strip()
    missing = missing_modules(partner)
    assert missing, "the demo partner's team should lack at least one module"
    module = missing[0]
    to_follow = number(metric(partner, "Modules à suivre", exact=True).inner_text())
    followed_sessions = number(metric(partner, "Sessions suivies", exact=True).inner_text())
    assert to_follow == len(missing)

    # Indicator 6 and the plan, before.
    coordination = new_page()
    goto(coordination, "")
    login(coordination, "coordination")
    goto(coordination, "indicateurs-formation")
    trained_before = number(metric(coordination, "Professionnels formés", exact=True).inner_text())
    by_profile = grid(coordination, "Profil", "Formés", "Sessions")
    profiles_before = {name: number(row["Formés"]) for name, row in grid_rows(by_profile).items()}
    plan = grid(coordination, "Module", "Prévus", "Formés", "Reste à former")
    plan_before = grid_rows(plan).get(module, {"Prévus": "0", "Formés": "0", "Reste à former": "0"})
    planned, delivered_before = number(plan_before["Prévus"]), number(plan_before["Formés"])

    # A session delivered today, with the partner's structure among those who attended.
    organisation = f"IRTS groupe {uuid.uuid4().hex[:6]}"  # short: the history's column shows it whole
    goto(coordination, "formations")
    coordination.get_by_role("tab", name="Enregistrer une session").click()  # tabs switch without a run
    form_tab = coordination.get_by_role("tabpanel", name="Enregistrer une session")
    form_tab.get_by_role("combobox", name="Module").click()
    click_and_wait(coordination.get_by_role("option", name=module, exact=True))
    expect(form_tab.get_by_role("combobox", name="Module")).to_have_value(module)
    form_tab.get_by_label("Organisme formateur").fill(organisation)
    form_tab.get_by_text("Réalisée", exact=True).click()
    form_tab.get_by_role("combobox", name="Structures partenaires dont des professionnels ont participé").click()
    coordination.keyboard.type(structure)  # the list is long: typing keeps only this option on screen
    coordination.get_by_role("option", name=structure, exact=True).click()
    coordination.keyboard.press("Escape")
    for profile, count in PARTICIPANTS.items():
        form_tab.get_by_label(profile, exact=True).fill(str(count))
    click_and_wait(form_tab.get_by_role("button", name="Enregistrer la session"))
    expect(coordination.get_by_test_id("stAlertContentSuccess")).to_contain_text(
        f"Session enregistrée (réalisée) : {module}, 12 participants"
    )
    assert_no_streamlit_error(coordination)

    # Indicator 6 by profile, and the gap of the module against the year's plan, after.
    goto(coordination, "indicateurs-formation")
    expect(metric(coordination, "Professionnels formés", exact=True)).to_have_text(str(trained_before + 12))
    by_profile = grid(coordination, "Profil", "Formés", "Sessions")
    for profile, count in PARTICIPANTS.items():
        expect(grid_cell(coordination, by_profile, profile, 1)).to_have_text(
            str(profiles_before.get(profile, 0) + count)
        )
    plan = grid(coordination, "Module", "Prévus", "Formés", "Reste à former")
    delivered = delivered_before + 12
    expect(grid_cell(coordination, plan, module, 2)).to_have_text(str(delivered))
    expect(grid_cell(coordination, plan, module, 3)).to_have_text(str(max(planned - delivered, 0)))
    rows = grid_rows(plan)
    assert len(rows) > 1 and all(row["Reste à former"].isdigit() for row in rows.values()), rows
    plan.scroll_into_view_if_needed()  # for the screenshot
    assert_no_streamlit_error(coordination)

    # The partner's team: the session in its history, the module no longer missing.
    reload(partner)
    expect(metric(partner, "Modules à suivre", exact=True)).to_have_text(str(to_follow - 1))
    expect(metric(partner, "Sessions suivies", exact=True)).to_have_text(str(followed_sessions + 1))
    assert module not in missing_modules(partner)
    history = grid(partner, "Début", "Module", "Organisme formateur")
    session_row = history.locator("tbody tr").filter(has=partner.locator(f'td:text-is("{organisation}")'))
    expect(session_row).to_have_count(1)
    today = fr_date(paris_today())
    expect(session_row.locator("td").first).to_have_text(today)
    expect(session_row.locator("td").nth(2)).to_have_text(module)
    history.scroll_into_view_if_needed()
    assert_no_streamlit_error(partner)


def test_hours_typed_with_a_comma_are_kept_and_a_decimal_head_count_is_refused_in_french(page):
    module = "Repérage et identification des mineurs victimes de traite"  # a 6 to 7 hour module
    hours_label = "Heures de formation (module : 6 à 7 h)"
    organisation = f"Organisme essai {uuid.uuid4().hex[:6]}"
    goto(page, "")
    login(page, "coordination")
    goto(page, "formations")
    page.get_by_role("tab", name="Enregistrer une session").click()
    form_tab = page.get_by_role("tabpanel", name="Enregistrer une session")
    form_tab.get_by_role("combobox", name="Module").click()
    click_and_wait(page.get_by_role("option", name=module, exact=True))
    form_tab.get_by_label("Organisme formateur").fill(organisation)
    form_tab.get_by_label(hours_label, exact=True).fill("6,5")
    form_tab.get_by_label("Veilleur de nuit", exact=True).fill("2,5")
    click_and_wait(form_tab.get_by_role("button", name="Enregistrer la session"))

    # The whole-number field says its fault right below it; nothing is saved, the typed text stays.
    field_column = form_tab.get_by_test_id("stColumn").filter(has=page.get_by_label("Veilleur de nuit", exact=True))
    expect(field_column.last).to_contain_text("Veilleur de nuit : nombre entier attendu")
    expect(page.get_by_test_id("stAlertContentError")).to_contain_text("Rien n'a été enregistré")
    assert_never_appears(page.get_by_test_id("stAlertContentSuccess"))
    expect(form_tab.get_by_label("Veilleur de nuit", exact=True)).to_have_value("2,5")

    form_tab.get_by_label("Veilleur de nuit", exact=True).fill("2")
    click_and_wait(form_tab.get_by_role("button", name="Enregistrer la session"))
    expect(page.get_by_test_id("stAlertContentSuccess")).to_contain_text(f"Session enregistrée (prévue) : {module}")
    assert_no_streamlit_error(page)

    # Opened again, the session shows its hours the French way.
    page.get_by_role("tab", name="Compléter ou corriger").click()
    change_tab = page.get_by_role("tabpanel", name="Compléter ou corriger")
    today = fr_date(paris_today())
    pending_only = change_tab.get_by_role("checkbox", name="Seulement les sessions à compléter")
    if pending_only.is_checked():  # a session planned for today is not yet one to complete
        click_and_wait(change_tab.get_by_text("Seulement les sessions à compléter", exact=True))
        expect(pending_only).not_to_be_checked()
    change_tab.get_by_role("combobox", name="Session").click()
    page.keyboard.type(module[:20])
    option = page.get_by_role("option").filter(has_text=re.compile(rf"^{re.escape(today)} — .* — Prévue$")).first
    click_until(option, change_tab.get_by_label(hours_label, exact=True))
    expect(change_tab.get_by_label(hours_label, exact=True)).to_have_value("6,5")
    expect(change_tab.get_by_label("Organisme formateur")).to_have_value(organisation)
    assert_no_streamlit_error(page)
