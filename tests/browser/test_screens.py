"""Shared screen points, as seen in Chromium: the favicon comes from the app itself, Streamlit's own
English (file uploader) is replaced by French, titles start near the top of the page, and long labels
are not cut."""

import pytest
from playwright.sync_api import expect

from tests.browser.harness import SEEN_MS, assert_no_streamlit_error, goto, login
from ui.screen import UPLOADER_BUTTON, UPLOADER_HINT

pytestmark = pytest.mark.browser

ENGLISH = ("Upload", "per file", "Browse files", "Drag and drop", "Download as", "Fullscreen")


def test_favicon_is_served_by_the_app(page):
    goto(page, "")
    icons = page.evaluate("Array.from(document.querySelectorAll('link[rel*=icon]')).map((l) => l.href)")
    assert icons and all(
        href.startswith(page.url.split("/", 3)[0] + "//" + page.url.split("/")[2]) for href in icons
    ), icons
    assert page.request.get(icons[0]).ok


def test_import_page_speaks_french_and_its_title_starts_near_the_top(page):
    goto(page, "")
    login(page, "partenaire")
    goto(page, "chiffres-import")
    main = page.get_by_test_id("stMain")
    zone = main.get_by_test_id("stFileUploaderDropzone")
    expect(zone).to_be_visible(timeout=SEEN_MS)
    seen = page.evaluate(
        """(zone) => {
          const box = document.querySelector(zone);
          const after = getComputedStyle(box.querySelector('button'), '::after').content;
          const before = getComputedStyle(box.querySelector('[data-testid=stFileUploaderDropzoneInstructions] > div'), '::before').content;
          return {text: document.querySelector('[data-testid=stMain]').innerText, after, before};
        }""",
        "[data-testid=stFileUploaderDropzone]",
    )
    assert not [word for word in ENGLISH if word in seen["text"]], seen["text"]
    assert UPLOADER_BUTTON in seen["after"] and UPLOADER_HINT in seen["before"]
    title = main.get_by_role("heading", level=1).first.bounding_box()
    assert title and title["y"] < 100, title
    assert_no_streamlit_error(page)


@pytest.mark.parametrize("slug", ["signalements", "chiffres"])
def test_partner_forms_fit_a_phone_and_every_field_is_named(page, slug):
    page.set_viewport_size({"width": 390, "height": 844})
    goto(page, "")
    login(page, "partenaire")
    goto(page, slug)
    form = page.get_by_test_id("stMain").get_by_test_id("stForm").first
    expect(form).to_be_visible(timeout=SEEN_MS)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    unnamed = page.evaluate(
        """() => Array.from(document.querySelectorAll('[data-testid=stForm] input, [data-testid=stForm] textarea'))
          .filter((i) => i.type !== 'hidden' && i.tabIndex >= 0 && !(i.getAttribute('aria-label') || (i.labels && i.labels.length
            && i.labels[0].innerText.trim()) || '').trim())
          .map((i) => i.outerHTML.slice(0, 120))"""
    )
    assert not unnamed, unnamed
    for button in form.get_by_role("button").all():  # the form's buttons big enough to touch
        box = button.bounding_box()
        if box and button.is_visible() and button.inner_text().strip():
            assert box["height"] >= 32, (button.inner_text(), box)
    assert_no_streamlit_error(page)


def test_request_statuses_are_shown_whole_in_metrics_and_pills(page):
    """« Close sans placement » is the longest status and the last pill: its metric label is not cut with
    « … », and the row of pills wraps instead of hiding it past the column's edge."""
    goto(page, "")
    login(page, "coordination")
    goto(page, "sollicitations")
    main = page.get_by_test_id("stMain")
    pills = main.get_by_test_id("stButtonGroup").filter(has_text="Placée")
    pill = pills.get_by_role("button", name="Close sans placement")
    expect(pill).to_be_visible(timeout=SEEN_MS)
    expect(main.get_by_test_id("stMetricLabel").filter(has_text="Close sans placement")).to_be_visible()
    row, box = pills.bounding_box(), pill.bounding_box()
    assert row and box and box["x"] + box["width"] <= row["x"] + row["width"] + 1, (row, box)
    hidden = page.evaluate(
        """() => [...document.querySelectorAll('[data-testid=stButtonGroup] > div')]
          .filter((row) => row.scrollWidth > row.clientWidth + 1).map((row) => row.innerText)"""
    )
    assert not hidden, hidden
    cut = page.evaluate(
        """() => [...document.querySelectorAll('[data-testid=stMetricLabel] *')]
          .filter((el) => getComputedStyle(el).textOverflow === 'ellipsis' || el.scrollWidth > el.clientWidth + 1)
          .map((el) => el.innerText)"""
    )
    assert not cut, cut
    assert_no_streamlit_error(page)
