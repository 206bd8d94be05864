"""The protected annual report of the demo year printed on A4 by a real office suite and a real browser.

The workbook goes through LibreOffice (headless) and the HTML through Chromium, both to PDF; the PDF's
text, read back with pdftotext, must hold every title whole and every share as a percentage, within
a bounded number of pages. Debian packages: libreoffice-calc, chromium, poppler-utils.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from core.clock import paris_today
from services.admin.users import actor_for_username
from services.indicators.catalogue import indicator_list
from services.report import annual as report

pytestmark = pytest.mark.slow

SOFFICE = shutil.which("soffice")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Bounds on the printed pages (26 and 22 measured on the demo year); a lost page setup or a near-empty
# page per indicator goes well beyond them.
XLSX_MAX_PAGES = 30
HTML_MAX_PAGES = 26


def _pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def _text(pdf: Path) -> str:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text


def _flat(text: str) -> str:
    """The text without line breaks, page breaks, hyphenation nor repeated spaces."""
    return " ".join(text.replace("\f", " ").split())


def _check_text(text: str, titles: list[str]) -> None:
    flat = _flat(text)
    missing = [t for t in titles if _flat(t) not in flat]
    assert missing == [], f"titles cut or missing: {missing}"
    assert "%" in flat
    fractions = re.findall(r"(?<![\d,.])0[.,]\d{2,}(?![\d %])", flat)
    assert fractions == [], f"shares written as fractions: {fractions[:5]}"


@pytest.fixture
def demo_report(demo_db, tmp_path):
    funder = actor_for_username(username="financeur")
    year = paris_today().year - 1
    titles = [f"{info.number}. {info.title}" for info in indicator_list(actor=funder)]
    return funder, year, titles, tmp_path


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (libreoffice-calc) is not installed")
def test_protected_workbook_prints_on_bounded_a4_pages_with_libreoffice(demo_report):
    funder, year, titles, tmp = demo_report
    source = tmp / "rapport.xlsx"
    source.write_bytes(report.annual_report_xlsx(actor=funder, year=year))
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{tmp / 'lo-profile'}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp),
            str(source),
        ],
        capture_output=True,
        check=True,
        timeout=240,
    )
    pdf = tmp / "rapport.pdf"
    pages = _pages(pdf)
    print(f"LibreOffice: {pages} pages")
    assert 1 < pages <= XLSX_MAX_PAGES
    text = _text(pdf)
    _check_text(text, [f"Rapport annuel d'évaluation {year}", *titles])
    assert "Version protégée" in text and "VERSION INTERNE" not in text


def test_protected_html_prints_on_bounded_a4_pages_with_chromium(demo_report):
    funder, year, titles, tmp = demo_report
    source = tmp / "rapport.html"
    source.write_text(report.annual_report_html(actor=funder, year=year), encoding="utf-8")
    pdf = tmp / "rapport-html.pdf"
    subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--user-data-dir={tmp / 'chromium-profile'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            source.as_uri(),
        ],
        capture_output=True,
        check=True,
        timeout=240,
    )
    pages = _pages(pdf)
    print(f"Chromium: {pages} pages")
    assert 1 < pages <= HTML_MAX_PAGES
    text = _text(pdf)
    _check_text(text, [f"Rapport annuel d'évaluation {year}", *titles])
    page_texts = text.split("\f")[:pages]
    assert all("Version protégée" in page for page in page_texts), "a page without the version's running header"
    assert min(len(_flat(page)) for page in page_texts[:-1]) > 300, "a near-empty page"
