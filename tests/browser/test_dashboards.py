"""The coordination in Chromium: the dashboard for the last full year, then the annual report downloaded
as XLSX and as a printable page, whose numbers are the dashboard's (exact in the internal version, as
the funder reads them in the protected one)."""

import re
from html.parser import HTMLParser
from io import BytesIO

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from services.report.export import SUMMARY_SHEET
from tests.browser.harness import (
    assert_no_streamlit_error,
    click_and_wait,
    click_until,
    goto,
    login,
    main_text,
    open_from_menu,
    wait_idle,
)
from ui.navigation import PAGE_BY_KEY

pytestmark = pytest.mark.browser

INTERNAL = "Interne — chiffres exacts, à ne pas diffuser"
FUNDER_VIEW = "Voir comme le financeur (petits effectifs protégés, sans détail)"


def tiles(page) -> list[str]:
    """The values of the dashboard's tiles, in the catalogue's order (the report's order too)."""
    values = [v.inner_text().strip() for v in page.get_by_test_id("stMetricValue").all()]
    return ["non disponible" if value == "—" else value for value in values]


class SummaryTable(HTMLParser):
    """The first table of the printable report: number -> the year's value."""

    def __init__(self):
        super().__init__()
        self.rows, self.row, self.cell, self.done = [], None, None, False

    def handle_starttag(self, tag, attrs):
        if self.done:
            return
        if tag == "tr":
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = ""

    def handle_endtag(self, tag):
        if self.done:
            return
        if tag in ("td", "th") and self.cell is not None:
            self.row.append(self.cell.strip())
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.rows.append(self.row)
            self.row = None
        elif tag == "table":
            self.done = True

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data

    def values(self) -> list[str]:
        return [row[2] for row in self.rows if row and row[0].isdigit()]


def download(page, button: str) -> bytes:
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name=button).click()
    with open(info.value.path(), "rb") as file:
        return file.read()


def report_values(html: bytes) -> list[str]:
    parser = SummaryTable()
    parser.feed(html.decode("utf-8"))
    return parser.values()


def shows(cell, text: str) -> bool:
    """Whether a workbook cell holds what a tile shows: « 1 234 » is 1234, « 26 % » is 0.2563 once rounded as
    the tile rounds it, « 3,5 j » is 3.5; a mark (« < 5 », « non disponible ») is written as is."""
    plain = re.sub(r"[\s\u202f\u00a0]", "", re.sub(r"\s*j$", "", text))
    percent = plain.endswith("%")
    try:
        shown = float(plain.rstrip("%").replace(",", "."))
    except ValueError:
        return cell == text
    if not isinstance(cell, (int, float)):
        return False
    decimals = len(plain.rstrip("%").partition(",")[2])
    return abs((cell * 100 if percent else cell) - shown) <= 0.5 * 10**-decimals + 1e-9


def test_annual_report_downloads_with_the_dashboards_numbers(page):
    goto(page, "")
    login(page, "coordination")
    open_from_menu(page, PAGE_BY_KEY["dashboard"].title)
    page.get_by_test_id("stSelectbox").filter(has_text="Période").click()
    click_and_wait(page.get_by_role("option", name="Année", exact=True))
    wait_idle(page)
    shown = re.search(r"(\d{4}) \(du 01/01/\1 au 31/12/\1\)", main_text(page))  # the period's caption
    assert shown, main_text(page)
    last_full_year = shown.group(1)
    exact = tiles(page)
    assert len(exact) >= 8 and exact[0] not in ("non disponible", "0")
    click_until(page.get_by_text(FUNDER_VIEW), page.get_by_text("secret statistique", exact=False).first)
    published = tiles(page)
    assert_no_streamlit_error(page)

    open_from_menu(page, PAGE_BY_KEY["annual_report"].title)
    expect(page.get_by_role("button", name=f"Rapport {last_full_year} imprimable (HTML)")).to_be_visible()
    assert "< 5" in published or published != exact  # the funder's view differs from the exact figures
    assert report_values(download(page, f"Rapport {last_full_year} imprimable (HTML)")) == published

    click_until(page.get_by_text(INTERNAL), page.get_by_text("Version interne : petits effectifs non protégés"))
    html = download(page, f"Rapport {last_full_year} imprimable (HTML)")
    assert "version interne (chiffres exacts)" in html.decode("utf-8")
    assert report_values(html) == exact
    book = load_workbook(BytesIO(download(page, f"Classeur {last_full_year} (XLSX)")))
    summary = [row[2] for row in book[SUMMARY_SHEET].iter_rows(values_only=True) if isinstance(row[0], int)]
    assert len(summary) == len(exact)
    assert [(cell, value) for cell, value in zip(summary, exact) if not shows(cell, value)] == []
    assert_no_streamlit_error(page)
