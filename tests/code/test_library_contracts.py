"""What Ancrage relies on in its libraries' private parts still holds (see ui/streamlit_internals.py and
ui/authenticator_adapter.py).

An upgrade of Streamlit, streamlit-authenticator or its cookie component that renames or changes
these fails here, loudly, instead of breaking charts or log-in silently.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import sys
import typing
from datetime import datetime, timedelta
from importlib.metadata import version
from pathlib import Path
from types import SimpleNamespace

import altair as alt
import jwt
import pandas as pd
import pytest
import streamlit_authenticator as stauth
import streamlit_authenticator.models.cookie_model as cookie_model_module

from ui import authenticator_adapter as adapter
from ui import streamlit_internals as internals

# The module (the package's name of the same spelling is the class).
cookie_manager_module = importlib.import_module("extra_streamlit_components.CookieManager")


def test_streamlit_is_the_pinned_version():
    # The private pieces below were read in this version: re-read them before changing the pin.
    assert version("streamlit") == "1.67.0"


def test_the_private_chart_pieces_exist():
    with internals.altair_globals_lock:  # a lock: usable as a context manager
        pass
    assert callable(internals.altair_to_vega_lite_spec) and callable(internals.to_arrow_dataset)


def test_the_cached_spec_is_the_one_streamlit_would_send(monkeypatch):
    from ui.cache import _vega_lite_spec

    data = pd.DataFrame({"mois": ["janvier", "février"], "n": [3, 7]})
    built = alt.Chart(data).mark_bar().encode(x="mois", y="n")
    streamlit_spec = internals.altair_to_vega_lite_spec(built)
    monkeypatch.delenv("ANCRAGE_VALIDATE_CHARTS", raising=False)
    fast_spec = _vega_lite_spec(built)
    assert fast_spec == streamlit_spec
    assert streamlit_spec["datasets"] and "values" not in streamlit_spec["data"]  # data as named Arrow datasets


# --- Streamlit: the run context and the multipage mode (ui.auth, ui.outage) ---------------------------


def test_the_run_context_is_read_as_relied_on():
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.runtime.scriptrunner import ScriptRunContext

    assert internals.main_script_path() is None and internals.fragment_run() is False  # outside a run
    fields = {f.name for f in dataclasses.fields(ScriptRunContext)}
    assert {"main_script_path", "fragment_ids_this_run"} <= fields
    assert isinstance(PagesManager.uses_pages_directory, (bool, type(None)))
    before = PagesManager.uses_pages_directory
    try:
        PagesManager.uses_pages_directory = True
        assert internals.pages_directory_mode() is True
        PagesManager.uses_pages_directory = False
        assert internals.pages_directory_mode() is False
    finally:
        PagesManager.uses_pages_directory = before


def _app_reading_the_context() -> None:
    import streamlit as st

    from ui import streamlit_internals

    st.write(f"script {streamlit_internals.main_script_path()}")
    st.write(f"fragment {streamlit_internals.fragment_run()}")


def test_inside_a_run_the_main_script_is_known():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_app_reading_the_context).run()
    assert not at.exception
    script = at.markdown[0].value.removeprefix("script ")
    assert "_app_reading_the_context" in Path(script).read_text()  # the very script AppTest runs
    assert at.markdown[1].value == "fragment False"


# --- streamlit-authenticator and its cookie component (ui.authenticator_adapter) -----------------------

KEY = "contract-test-signing-key-" * 2


def test_the_authentication_libraries_are_the_pinned_versions():
    # ui/authenticator_adapter.py was written against these: re-read the libraries before changing a pin.
    assert version("streamlit-authenticator") == "0.4.2"
    assert version("extra-streamlit-components") == "0.1.81"
    assert version("PyJWT") == "2.15.1"


def test_the_library_takes_the_arguments_the_adapter_passes():
    init = inspect.signature(stauth.Authenticate.__init__).parameters
    assert {"credentials", "cookie_name", "cookie_key", "cookie_expiry_days", "auto_hash"} <= set(init)
    assert any(p.kind is inspect.Parameter.VAR_KEYWORD for p in init.values())  # login_sleep_time goes there
    source = inspect.getsource(sys.modules[stauth.Authenticate.__module__])
    assert "self.attrs.get('login_sleep_time'" in source
    # The adapter sets that sleep to 0 because the cookie is read from the request, not the component.
    assert "st.context.cookies[self.cookie_name]" in inspect.getsource(cookie_model_module)
    login = inspect.signature(stauth.Authenticate.login).parameters
    assert "unrendered" in typing.get_args(login["location"].annotation) and "key" in login
    assert issubclass(adapter.LoginError, Exception)


@pytest.fixture
def auth(monkeypatch):
    """The library's object as the adapter builds it, its cookie component recorded instead of drawn."""
    calls: list[dict] = []

    def component(**kwargs):
        calls.append(kwargs)
        return kwargs.get("default")

    monkeypatch.setattr(cookie_manager_module, "_component_func", component)
    built = adapter.authenticator({"usernames": {}}, cookie_name="ancrage_test", cookie_key=KEY, expiry_hours=12)
    built.recorded = calls
    return built


def test_the_adapter_reaches_the_cookie_model(auth):
    model = auth.cookie_controller.cookie_model
    assert adapter.signing_key(auth) == KEY == model.cookie_key
    assert model.cookie_name == "ancrage_test" and model.cookie_expiry_days == 0.5
    assert auth.attrs["login_sleep_time"] == 0  # no wait before reading the cookie


def _library_state(monkeypatch, *, cookies: dict, logout: bool | None = None, username: str = ""):
    """What CookieModel reads from Streamlit: the session's `logout` flag and the browser's cookies."""
    fake = SimpleNamespace(
        session_state={adapter.SKIP_COOKIE: logout, "username": username},
        context=SimpleNamespace(cookies=cookies),
    )
    monkeypatch.setattr(cookie_model_module, "st", fake)


def test_the_library_accepts_the_cookie_the_adapter_mints(auth, monkeypatch):
    now = datetime.now()
    token = adapter.token_encode(username="camille", key=KEY, issued=now, expires=now + timedelta(hours=12))
    _library_state(monkeypatch, cookies={"ancrage_test": token})
    claims = auth.cookie_controller.cookie_model.get_cookie()
    assert claims and claims[adapter.USERNAME_CLAIM] == "camille"


def test_the_library_ignores_the_cookie_while_the_skip_flag_is_set(auth, monkeypatch):
    now = datetime.now()
    token = adapter.token_encode(username="camille", key=KEY, issued=now, expires=now + timedelta(hours=12))
    _library_state(monkeypatch, cookies={"ancrage_test": token}, logout=True)
    assert not auth.cookie_controller.cookie_model.get_cookie()


def test_the_library_refuses_an_expired_cookie_by_its_expiry_claim(auth, monkeypatch):
    now = datetime.now()
    token = adapter.token_encode(
        username="camille", key=KEY, issued=now - timedelta(days=2), expires=now - timedelta(days=1)
    )
    _library_state(monkeypatch, cookies={"ancrage_test": token})
    assert auth.cookie_controller.cookie_model.get_cookie() is None


def test_the_library_signs_the_claims_the_adapter_reads(auth, monkeypatch):
    model = auth.cookie_controller.cookie_model
    _library_state(monkeypatch, cookies={}, username="camille")
    model.exp_date = (datetime.now() + timedelta(hours=1)).timestamp()
    claims = adapter.token_decode(model._token_encode(), key=KEY)
    assert claims == {adapter.USERNAME_CLAIM: "camille", adapter.EXPIRY_CLAIM: model.exp_date}
    assert jwt.get_unverified_header(model._token_encode())["alg"] == adapter.ALGORITHM


def test_the_direct_cookie_write_is_what_cookie_manager_set_sends(auth):
    model = auth.cookie_controller.cookie_model
    expires = datetime(2030, 1, 2, 3, 4, 5)
    model.cookie_manager.set(model.cookie_name, "token-value", key="k", expires_at=expires)
    by_library = auth.recorded[-1]
    drawn = len(auth.recorded)
    adapter.cookie_write(
        cookie_name=model.cookie_name, token="token-value", expires=expires.isoformat(), component_key="k"
    )
    assert auth.recorded[drawn:] == [by_library]  # that one component, and no cookie reader with it
    assert by_library["method"] == "set" and by_library["default"] is False


def test_the_app_log_out_deletes_the_cookie_as_the_library_log_out_does(auth, monkeypatch):
    state: dict = {"authentication_status": True, "username": "camille", adapter.SKIP_COOKIE: None}
    monkeypatch.setattr(
        sys.modules[type(auth.authentication_controller.authentication_model).__module__].st, "session_state", state
    )
    auth.authentication_controller.logout()
    auth.cookie_controller.delete_cookie()
    by_library = auth.recorded[-1]
    assert state[adapter.SKIP_COOKIE] is True  # what the app sets too, so that the cookie is ignored
    drawn = len(auth.recorded)
    adapter.cookie_delete(cookie_name="ancrage_test", component_key="delete")
    assert auth.recorded[drawn:] == [by_library]
    assert by_library == {"method": "delete", "cookie": "ancrage_test", "key": "delete", "default": False}
