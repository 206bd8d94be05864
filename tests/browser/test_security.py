"""What a visitor and a partner can make the app (and the coordination's spreadsheet) do."""

import pytest

from tests.browser.harness import goto, shows_login_form

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
