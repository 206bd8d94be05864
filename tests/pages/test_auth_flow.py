"""The log-in cookie and the first request to a page's URL, run through the app with AppTest."""

from datetime import UTC, datetime

import jwt
import pytest
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from core.config import PROJECT_ROOT, get_settings
from models.user import Role
from tests.factories import make_user
from tests.pages.helpers import TIMEOUT, app_as, texts
from ui.auth import COOKIE_PENDING, REFUSED_PAGE, _issued_at
from ui.navigation import PAGES, pages_for


@pytest.mark.parametrize("page", PAGES, ids=[p.key for p in PAGES])
def test_first_request_to_a_page_url_is_handed_to_the_app(sqlite_db, page):
    # AppTest starts each run the way a fresh server does: Streamlit itself runs pages/<url>.py.
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=TIMEOUT)
    at.switch_page(page.script)
    at.run()
    assert not at.exception, at.exception
    assert PagesManager.uses_pages_directory is False  # app.py's navigation took over
    assert [t.label for t in at.text_input] == ["Identifiant", "Mot de passe"]
    assert "Bonjour" not in texts(at) and not at.dataframe


@pytest.mark.parametrize("page", pages_for(Role.PARTENAIRE.value), ids=lambda p: p.key)
def test_logged_in_first_request_gets_the_app_menu_and_log_out(sqlite_db, page):
    at = app_as(make_user(Role.PARTENAIRE))
    at.switch_page(page.script)
    at.run()
    assert not at.exception, at.exception
    assert [b.label for b in at.sidebar.button] == ["Se déconnecter"]
    assert REFUSED_PAGE not in texts(at)


def _cookie_claims(token: str) -> dict:
    return jwt.decode(token, get_settings().cookie_key(), algorithms=["HS256"])


def test_log_in_cookie_is_drawn_again_until_the_browser_confirms(sqlite_db):
    actor = make_user(Role.COORDINATION)
    at = app_as(actor)
    at.session_state[COOKIE_PENDING] = True  # as left by a successful log-in
    at.run()
    pending = at.session_state[COOKIE_PENDING]
    claims = _cookie_claims(pending["token"])
    assert claims["username"] == actor.username and claims["issued_at"] < claims["exp_date"]
    at.run()  # a rerun before the component answered: same cookie, still pending
    assert at.session_state[COOKIE_PENDING] == pending
    assert not at.exception
    # The browser's answer (the component returning True) clears it: checked in tests/browser.


def test_cookie_issue_time_read_from_the_token_or_its_expiry():
    issued = datetime(2026, 3, 1, 8, 30, tzinfo=UTC)
    assert _issued_at({"username": "a", "exp_date": 0, "issued_at": issued.timestamp()}) == issued
    expiry = issued.timestamp() + get_settings().cookie_expiry_hours * 3600
    assert _issued_at({"username": "a", "exp_date": expiry}) == issued
