"""Log-in, role menus, refusals, first requests, lock-out and log-out, as seen in Chromium."""

from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from core.config import get_settings
from tests.browser.harness import (
    AUTH_COOKIE,
    assert_never_appears,
    assert_no_streamlit_error,
    go_back,
    goto,
    has_auth_cookie,
    headings,
    login,
    logout,
    main_text,
    menu_titles,
    open_from_menu,
    path_of,
    reload,
    screenshot,
    shows_login_form,
    submit_login,
    wait_idle,
)
from ui.auth import BAD_CREDENTIALS, REFUSED_PAGE
from ui.navigation import PAGE_BY_KEY, PAGES, pages_for

pytestmark = pytest.mark.browser

COORDINATION_ONLY = [spec for spec in PAGES if spec.roles == {"coordination"}]
# Red on purpose: the home page's urgent to-do items (the demo has requests waiting for more than 48 h).
HOME_ALERTS = ("sollicitation(s) pas encore orientée(s)",)


def assert_shows_no_data(page) -> None:
    """Logged-out look: the log-in screen only, no menu, no table."""
    assert shows_login_form(page), main_text(page)
    assert headings(page) == ["Ancrage", "Connexion"]
    assert "Bonjour" not in main_text(page)
    assert page.get_by_test_id("stPageLink").count() == 0 and page.get_by_test_id("stSidebarNav").count() == 0
    assert_never_appears(page.get_by_test_id("stDataFrame"))


def test_coordination_opens_every_page_of_its_menu(page, request):
    goto(page, "")
    login(page, "coordination")
    menu = pages_for("coordination")
    assert menu_titles(page) == [spec.title for spec in menu]
    for spec in menu:
        open_from_menu(page, spec.title)
        assert urlparse(page.url).path == path_of(spec)
        assert_no_streamlit_error(page, expected=HOME_ALERTS if spec.key == "home" else ())
        text = main_text(page)
        assert text.strip() and REFUSED_PAGE not in text and not shows_login_form(page, within_s=0), text
        screenshot(page, f"{request.node.name}-{spec.url}")


def test_partner_typing_a_coordination_page_url_is_refused_in_french(page):
    goto(page, "")
    login(page, "partenaire")
    assert set(menu_titles(page)) == {spec.title for spec in pages_for("partenaire")}
    assert COORDINATION_ONLY
    for spec in COORDINATION_ONLY:
        goto(page, spec.url)
        assert urlparse(page.url).path == path_of(spec)
        expect(page.get_by_test_id("stMain")).to_contain_text(REFUSED_PAGE)
        assert spec.title not in headings(page)
        assert page.get_by_test_id("stForm").count() == 0
        assert_never_appears(page.get_by_test_id("stDataFrame"))
        assert_no_streamlit_error(page, expected=(REFUSED_PAGE,))


def test_financeur_sees_its_home_and_no_coordination_page(page):
    goto(page, "")
    login(page, "financeur")
    expect(page.get_by_test_id("stMain")).to_contain_text("Bonjour")
    titles = menu_titles(page)
    assert titles == [spec.title for spec in pages_for("financeur")]
    assert not {spec.title for spec in COORDINATION_ONLY} & set(titles)
    assert_no_streamlit_error(page)


def test_first_requests_on_a_fresh_server_show_the_log_in(new_page, fresh_app_server):
    # Until a session declares its navigation, Streamlit runs pages/<url>.py straight away for a
    # first request to /<url>: send the accounts page's URL first, the home page last.
    specs = sorted(PAGES, key=lambda spec: (spec.key != "accounts", spec.key == "home"))
    first = None
    for spec in specs:
        page = new_page(fresh_app_server)
        page.goto(path_of(spec))
        wait_idle(page)
        assert_shows_no_data(page)
        assert REFUSED_PAGE not in main_text(page)
        assert_no_streamlit_error(page)
        first = first or (page, spec)
    # Logging in there opens the page asked for, inside the app: role menu, log-out, cookie.
    page, spec = first
    login(page, "coordination")
    assert urlparse(page.url).path == path_of(spec)
    assert headings(page)[0] == spec.title
    assert menu_titles(page) == [s.title for s in pages_for("coordination")]
    assert page.get_by_role("button", name="Se déconnecter", exact=True).is_visible()
    assert_no_streamlit_error(page)


def test_wrong_passwords_slow_down_alike_for_known_and_unknown_names(new_page, fresh_app_server):
    # On a server of its own: the demo account stays usable for the other scenarios.
    page = new_page(fresh_app_server)
    goto(page, "")
    attempts = get_settings().lockout_attempts
    answers = {}
    for name in ("financeur", "personne-inconnue"):
        answers[name] = []
        for _ in range(attempts):
            submit_login(page, name, "pas-le-bon-mot-de-passe")
            errors = [e.strip() for e in page.get_by_test_id("stAlertContentError").all_inner_texts()]
            answers[name].append("délai" if errors and errors[0].startswith("Trop d'essais") else errors)
    assert answers["financeur"] == answers["personne-inconnue"] == [[BAD_CREDENTIALS]] * (attempts - 1) + ["délai"]
    submit_login(page, "financeur")  # the right password, during the wait
    assert page.get_by_test_id("stAlertContentError").inner_text().startswith("Trop d'essais")
    assert_shows_no_data(page)
    assert not has_auth_cookie(page)


def test_after_log_out_back_and_reload_show_the_log_in(page):
    goto(page, "")
    login(page, "coordination")
    accounts = PAGE_BY_KEY["accounts"]
    open_from_menu(page, accounts.title)
    expect(page.get_by_test_id("stDataFrame")).to_have_count(1)
    kept = [c for c in page.context.cookies() if c["name"] == AUTH_COOKIE]
    logout(page)
    assert page.get_by_test_id("stDataFrame").count() == 0 and accounts.title not in headings(page)

    go_back(page)
    assert_shows_no_data(page)

    reload(page)
    assert_shows_no_data(page)
    assert not has_auth_cookie(page)

    # A browser that kept the cookie (reloaded before the log-out could delete it) is not let in.
    page.context.add_cookies(kept)
    goto(page, accounts.url)
    assert_shows_no_data(page)
    assert_no_streamlit_error(page)
