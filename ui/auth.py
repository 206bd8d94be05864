"""Log-in, log-out and the role guard every page script starts with.

streamlit-authenticator draws the form and keeps the cookie; the accounts, the failure count and
the lock-out live in the database (services.users), so they survive reruns and restarts.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import streamlit as st
import streamlit_authenticator as stauth
from streamlit_authenticator.utilities.exceptions import LoginError

from core.access import Actor
from core.config import get_settings
from models.user import Role
from services.settings import setting_get
from services.users import actor_for_username, login_credentials, login_failure_record, login_success_record
from ui.cache import cached
from ui.navigation import PAGE_BY_KEY

LOGIN_FIELDS = {"Form name": "Connexion", "Username": "Identifiant", "Password": "Mot de passe", "Login": "Se connecter"}
BAD_CREDENTIALS = "Identifiant ou mot de passe incorrect."
REFUSED_PAGE = "Accès refusé : cette page n'est pas ouverte à votre profil."
AUTH_KEYS = ("authentication_status", "username", "name", "roles", "email")
COOKIE_PENDING = "auth_cookie_pending"


def locked_message() -> str:
    s = get_settings()
    return (f"Compte verrouillé après {s.lockout_attempts} échecs de connexion : réessayez dans "
            f"{s.lockout_minutes} minutes, ou demandez à la coordination de le débloquer.")


def _authenticator(credentials: dict) -> stauth.Authenticate:
    s = get_settings()
    return stauth.Authenticate(
        credentials,
        cookie_name=s.cookie_name,
        cookie_key=s.cookie_key(),
        cookie_expiry_days=s.cookie_expiry_hours / 24,
        auto_hash=False,
        login_sleep_time=0.3,
    )


def current_actor() -> Actor | None:
    """The logged-in user's Actor, re-read from the database (a deactivated account is out at once)."""
    username = st.session_state.get("username")
    if st.session_state.get("authentication_status") and username:
        return cached(actor_for_username, username=username)
    return None


def authenticate() -> Actor:
    """The logged-in Actor; otherwise draw the log-in screen and stop the run."""
    actor = current_actor()
    if actor is not None:
        return actor
    clear_login_state()
    login_screen()
    st.stop()


def clear_login_state() -> None:
    for key in AUTH_KEYS:
        if st.session_state.get(key):
            st.session_state[key] = None


def login_screen() -> None:
    """The log-in form; a successful log-in (form or cookie) reruns into the app."""
    credentials = login_credentials()
    before = {name: data["failed_login_attempts"] for name, data in credentials["usernames"].items()}
    auth = _authenticator(credentials)
    st.title("Ancrage")
    st.caption("Pilotage du réseau national de lieux d'accueil des mineurs victimes de traite et d'exploitation")
    if setting_get(key="demo"):
        st.info("Base de démonstration — comptes `coordination`, `partenaire` et `financeur`, "
                "mot de passe `ancrage-demo`.")
    try:
        auth.login(location="main", max_login_attempts=get_settings().lockout_attempts,
                   fields=LOGIN_FIELDS, key="login")
    except LoginError as error:
        if "attempts" in str(error):
            st.error(locked_message())
        return
    status = st.session_state.get("authentication_status")
    if status is False:
        _record_failures(credentials, before)
    elif status:
        login_success_record(username=st.session_state["username"])
        if auth.cookie_controller.cookie_model.exp_date is not None:
            # The cookie component the library drew in this run dies with the rerun below: the
            # next run, already logged in, sets the cookie again (see `logout_control`).
            st.session_state[COOKIE_PENDING] = True
        st.rerun()


def _record_failures(credentials: dict, before: dict) -> None:
    failed = [n for n, d in credentials["usernames"].items() if d["failed_login_attempts"] > before[n]]
    locked = any([login_failure_record(username=name) for name in failed])
    st.error(locked_message() if locked else BAD_CREDENTIALS)


def _set_cookie(auth: stauth.Authenticate) -> None:
    model = auth.cookie_controller.cookie_model
    expires = datetime.now() + timedelta(hours=get_settings().cookie_expiry_hours)
    model.exp_date = expires.timestamp()
    model.cookie_manager.set(model.cookie_name, model._token_encode(), expires_at=expires, key="ancrage_set_cookie")


def logout_control(actor: Actor) -> None:
    """The sidebar identity line and log-out button; after log-out the run stops (see README)."""
    auth = _authenticator({"usernames": {}})
    if st.session_state.pop(COOKIE_PENDING, False):
        _set_cookie(auth)
    st.sidebar.caption(f"{actor.display_name} — {Role.label_of(actor.role)}")
    auth.logout("Se déconnecter", location="sidebar", key="sidebar_logout")
    if not st.session_state.get("authentication_status"):
        # A rerun here would drop the component that deletes the cookie: stop instead.
        st.success("Vous êtes déconnecté(e).")
        st.button("Se reconnecter", key="relogin")
        st.stop()


def page_guard(key: str) -> Actor:
    """First line of every page: the logged-in Actor, or the log-in screen / a French refusal."""
    actor = authenticate()
    if actor.role not in PAGE_BY_KEY[key].roles:
        st.error(REFUSED_PAGE)
        st.stop()
    return actor
