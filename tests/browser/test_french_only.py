"""No English a user can read: for each demo role, every page of its menu is opened in Chromium and
every visible text and every visible element's aria-label, title and placeholder is scanned for
English words Streamlit or a page could show (toolbars, uploader, help icons, empty values)."""

import re

import pytest

from tests.browser.harness import goto, login, path_of
from ui.navigation import pages_for

pytestmark = pytest.mark.browser

ROLES = ("coordination", "partenaire", "financeur", "orienteur")

# Whole words, case-sensitive: the capitalised forms are what Streamlit writes, and French text does
# not use them ("menu" in a French sentence is lower-case; "Menu" alone is Streamlit's).
ENGLISH_WORDS = (
    "Upload",
    "Download",
    "Search",
    "Fullscreen",
    "Browse",
    "files",
    "Drag",
    "drop",
    "Help",
    "Show",
    "Copy",
    "Clear",
    "Close",
    "Open",
    "Running",
    "Stop",
    "Deploy",
    "Settings",
    "Rerun",
    "Print",
    "Record",
    "View",
    "Menu",
    "Choose",
    "Select",
    "Loading",
    "None",
    "True",
    "False",
    "nan",
    "NaN",
    "null",
    "undefined",
)
ENGLISH_PHRASES = ("per file", "Press Enter", "No results", "Select all", "Show data")
# French despite the look: a request "close sans placement" is closed without a placement.
ALLOWED = {"Close sans placement"}
ENGLISH = re.compile(
    r"\b(?:" + "|".join(re.escape(w) for w in ENGLISH_WORDS) + r")\b|" + "|".join(map(re.escape, ENGLISH_PHRASES))
)

COLLECT = """() => {
  const seen = [];
  for (const area of document.querySelectorAll('[data-testid=stMain], [data-testid=stSidebar]')) {
    seen.push(...area.innerText.split('\\n'));
  }
  const visible = (el) => {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return box.width > 0 && box.height > 0 && style.visibility !== 'hidden' && style.display !== 'none';
  };
  for (const el of document.querySelectorAll('[aria-label], [title], [placeholder]')) {
    if (!visible(el)) continue;
    for (const name of ['aria-label', 'title', 'placeholder']) {
      const value = el.getAttribute(name);
      if (value) seen.push(value);
    }
  }
  return seen.map((s) => s.trim()).filter((s) => s);
}"""


def english_strings(page) -> list[str]:
    return sorted({text for text in page.evaluate(COLLECT) if ENGLISH.search(text) and text not in ALLOWED})


@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_the_role_speaks_french(page, role):
    goto(page, "")
    login(page, role)
    found = []
    for spec in pages_for(role):
        goto(page, path_of(spec))
        page.wait_for_timeout(300)  # tables and charts are drawn a moment after the run
        found += [(spec.url, text) for text in english_strings(page)]
    assert page.evaluate("document.documentElement.lang") == "fr"
    assert not found, "\n".join(f"{url}: {text!r}" for url, text in found)
