"""Log-in cookies that were forged or revoked, and sessions ended elsewhere."""

import time

import jwt
import pytest
import streamlit as st

from core.config import get_settings
from models.user import Role
from services.admin.users import login_logout_record, user_reset_password
from tests.factories import PASSWORD, make_user
from tests.pages.helpers import app_as, texts
from ui.auth import BAD_CREDENTIALS, cookie_claims

LOGIN_LABELS = ["Identifiant", "Mot de passe"]
# Submitting a form through app.py is lost in AppTest; the screen alone behaves as in a browser.
LOGIN_SCREEN = "tests/pages/login_screen_app.py"


def _claims(username: str) -> dict:
    now = time.time()
    return {"username": username, "exp_date": now + 3600, "issued_at": now}


def _forged(username: str) -> dict[str, str]:
    key = get_settings().cookie_key()
    claims = _claims(username)
    return {
        "alg_none": jwt.encode(claims, None, algorithm="none"),
        "hs512": jwt.encode(claims, key, algorithm="HS512"),
        "other_key": jwt.encode(claims, "not-the-key-" * 4, algorithm="HS256"),
        "no_expiry": jwt.encode({"username": username}, key, algorithm="HS256"),
        "expiry_text": jwt.encode({"username": username, "exp_date": "demain"}, key, algorithm="HS256"),
        "username_list": jwt.encode({**claims, "username": [username]}, key, algorithm="HS256"),
        "garbage": "a.b.c",
        "binary": "\x00\xff☃",
    }


@pytest.fixture
def browser_cookie(monkeypatch):
    """Make `st.context.cookies` send one log-in cookie, as a browser would."""

    def send(value: str) -> None:
        cookies = {get_settings().cookie_name: value}
        monkeypatch.setattr(type(st.context), "cookies", property(lambda self: cookies))

    return send


@pytest.mark.parametrize("kind", list(_forged("x")))
def test_a_forged_or_damaged_cookie_is_dropped_and_the_log_in_form_shown(sqlite_db, browser_cookie, kind):
    actor = make_user(Role.COORDINATION)
    browser_cookie(_forged(actor.username)[kind])
    at = app_as(None)
    at.run()
    assert not at.exception, at.exception
    assert [t.label for t in at.text_input] == LOGIN_LABELS
    assert not at.session_state["authentication_status"]


def test_a_well_signed_cookie_still_logs_in(sqlite_db, browser_cookie):
    actor = make_user(Role.COORDINATION)
    browser_cookie(jwt.encode(_claims(actor.username), get_settings().cookie_key(), algorithm="HS256"))
    at = app_as(None)
    at.run()
    assert not at.exception, at.exception
    assert at.session_state["username"] == actor.username


def test_cookie_claims_refuse_what_the_app_did_not_sign():
    key = get_settings().cookie_key()
    assert cookie_claims(jwt.encode(_claims("a"), key, algorithm="HS256"), key=key)["username"] == "a"
    for raw in _forged("a").values():
        assert cookie_claims(raw, key=key) is None


def _logged_in_page(actor):
    at = app_as(actor)
    at.run()
    assert not at.exception and "Bonjour" in texts(at)  # the home page: logged in
    return at


def test_a_log_out_in_another_browser_ends_this_tab_at_its_next_run(sqlite_db):
    actor = make_user(Role.COORDINATION)
    at = _logged_in_page(actor)
    login_logout_record(username=actor.username)  # the same account logs out in browser B
    at.run()
    assert not at.exception, at.exception
    assert [t.label for t in at.text_input] == LOGIN_LABELS
    assert "Bonjour" not in texts(at)


def test_a_password_reset_ends_open_tabs(sqlite_db):
    actor = make_user(Role.PARTENAIRE)
    at = _logged_in_page(actor)
    user_reset_password(actor=make_user(Role.COORDINATION), user_id=actor.user_id, new_password="Nouveau-mot-2026!")
    at.run()
    assert [t.label for t in at.text_input] == LOGIN_LABELS


def test_a_new_log_in_after_a_log_out_elsewhere_holds(sqlite_db):
    actor = make_user(Role.COORDINATION)
    login_logout_record(username=actor.username)
    at = _logged_in_page(actor)  # this session logged in after that log-out
    at.run()
    assert "Bonjour" in texts(at) and not at.text_input


def _submit(at, username: str, password: str) -> list[str]:
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(password)
    at.button[0].click()
    at.run()
    return [e.value for e in at.error]


def test_the_log_in_form_answers_alike_for_known_and_unknown_names(sqlite_db):
    make_user(Role.COORDINATION, username="coordination")
    tries = get_settings().lockout_attempts + 2
    answers = {}
    for name in ("coordination", "inconnu"):
        at = app_as(None, script=LOGIN_SCREEN)
        at.run()
        answers[name] = [_submit(at, name, "pas-le-bon") for _ in range(tries)]
        assert not at.exception
    assert answers["coordination"] == answers["inconnu"]
    assert answers["inconnu"][0] == [BAD_CREDENTIALS]
    assert "Trop d'essais" in answers["inconnu"][-1][0]


def test_the_log_in_form_logs_in(sqlite_db):
    actor = make_user(Role.PARTENAIRE)
    at = app_as(None, script=LOGIN_SCREEN)
    at.run()
    assert _submit(at, actor.username.upper(), PASSWORD) == []
    assert at.session_state["username"] == actor.username and at.session_state["authentication_status"]
