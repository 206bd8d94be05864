"""The funder in Chromium: the network's indicators, aggregated, small counts shown « < 5 »,
never a child's record (no pseudonymous code anywhere, no way to the records)."""

import re

import pytest
from playwright.sync_api import expect

from services.path.requests import CODE_ALPHABET, CODE_LENGTH, CODE_PREFIX
from tests.browser.harness import (
    assert_no_streamlit_error,
    choose,
    goto,
    login,
    main_text,
    menu_titles,
    open_from_menu,
    screenshot,
    wait_idle,
)
from ui.auth import REFUSED_PAGE
from ui.navigation import PAGE_BY_KEY, pages_for

pytestmark = pytest.mark.browser

CHILD_CODE = re.compile(rf"\b{CODE_PREFIX}-\d{{4}}-[{CODE_ALPHABET}]{{{CODE_LENGTH}}}\b")


def test_funder_sees_the_dashboard_aggregated_with_small_counts_marked(page, request):
    goto(page, "")
    login(page, "financeur")
    open_from_menu(page, PAGE_BY_KEY["funder_indicators"].title)
    main = page.get_by_test_id("stMain")
    expect(main).to_contain_text("Le nombre de sollicitations pour prendre en charge un mineur")
    expect(main).to_contain_text("Protection des petits effectifs")
    # The detailed indicator says where it is counted (requests: where the child was exploited).
    expect(main).to_contain_text("Territoire : département où le mineur a été exploité")
    page.get_by_role("tab", name="Répartitions").click()  # tabs switch in the browser, without a run
    # A breakdown by département of last month's requests: small counts are marked, never given.
    tables = page.get_by_test_id("stTable")
    expect(tables.first).to_be_visible()
    expect(tables.filter(has_text="< 5").first).to_be_visible()
    assert_no_streamlit_error(page)
    assert "Enregistrements" not in [t.inner_text() for t in page.get_by_role("tab").all()]
    assert not CHILD_CODE.search(main_text(page))
    screenshot(page, f"{request.node.name}-indicateurs")


def test_funder_pages_hold_no_child_record_and_records_stay_closed(page):
    goto(page, "")
    login(page, "financeur")
    assert menu_titles(page) == [spec.title for spec in pages_for("financeur")]
    for spec in pages_for("financeur"):
        open_from_menu(page, spec.title)
        assert_no_streamlit_error(page)
        assert not CHILD_CODE.search(main_text(page)), spec.url
    goto(page, PAGE_BY_KEY["dashboard"].url)  # the coordination's dashboard, with its drill-down
    expect(page.get_by_test_id("stMain")).to_contain_text(REFUSED_PAGE)
    assert not CHILD_CODE.search(main_text(page))


def test_funder_reads_whole_months_and_no_breakdown_of_a_few_children(page, request):
    goto(page, "")
    login(page, "financeur")
    open_from_menu(page, PAGE_BY_KEY["funder_indicators"].title)
    main = page.get_by_test_id("stMain")
    kind = main.get_by_label("Période", exact=True)
    kind.click()
    options = [o.inner_text() for o in page.get_by_role("option").all()]
    assert "Semaine" not in options and "Mois" in options
    page.keyboard.press("Escape")
    choose(page, kind, "personnalis", "Période personnalisée")
    wait_idle(page)
    expect(main.get_by_label("Du mois")).to_be_visible()
    expect(main.get_by_label("Au mois")).to_be_visible()
    assert main.get_by_test_id("stDateInput").count() == 0  # no day can be typed
    # A single département: too few children for any breakdown to be published.
    choose(page, main.get_by_label("Département", exact=True), "Mayotte", "976 — Mayotte")
    wait_idle(page)
    page.get_by_role("tab", name="Répartitions").click()
    expect(main).to_contain_text("Répartition non publiée")
    assert_no_streamlit_error(page)
    screenshot(page, f"{request.node.name}-indicateurs")
    open_from_menu(page, PAGE_BY_KEY["path_indicators"].title)
    expect(main.get_by_label("Du mois")).to_be_visible()
    assert main.get_by_test_id("stDateInput").count() == 0
    open_from_menu(page, PAGE_BY_KEY["signalement_indicators"].title)
    expect(main.get_by_label("Du mois")).to_be_visible()
    assert main.get_by_test_id("stDateInput").count() == 0
    assert_no_streamlit_error(page)
    assert not CHILD_CODE.search(main_text(page))
