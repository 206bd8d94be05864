"""Log-in, log-out and the role guard every page script starts with.

streamlit-authenticator draws the form and keeps the cookie; the accounts, the failure count and
the lock-out live in the database (services.admin.users), so they survive reruns and restarts.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import streamlit as st

from core.access import Actor
from core.bounds import text_limit
from core.config import get_settings
from core.passwords import MAX_BYTES
from models.base import utcnow
from models.user import Role, User
from services.admin.login_throttle import login_attempt
from services.admin.settings import setting_get
from services.admin.users import (
    actor_for_username,
    login_cookie_valid,
    login_credentials,
    login_logout_record,
    login_success_record,
)
from ui import authenticator_adapter as library
from ui import streamlit_internals
from ui.cache import cached
from ui.navigation import PAGE_BY_KEY, PAGES, inside_app
from ui.text import md

LOGIN_FIELDS = {
    "Form name": "Connexion",
    "Username": "Identifiant",
    "Password": "Mot de passe",
    "Login": "Se connecter",
}
BAD_CREDENTIALS = "Identifiant ou mot de passe incorrect."
REFUSED_PAGE = "Accès refusé : cette page n'est pas ouverte à votre profil."
AUTH_KEYS = ("authentication_status", "username", "name", "roles", "email")
COOKIE_PENDING = "auth_cookie_pending"
LOGGED_IN_AT = "auth_logged_in_at"
APP_RAN = "auth_app_ran"


def _authenticator(credentials: dict) -> library.Authenticator:
    s = get_settings()
    return library.authenticator(
        credentials, cookie_name=s.cookie_name, cookie_key=s.cookie_key(), expiry_hours=s.cookie_expiry_hours
    )


def current_actor() -> Actor | None:
    """The logged-in user's Actor, re-read from the database (a deactivated account is out at once).

    Every run also asks the database whether the account was logged out elsewhere or had its
    password reset since this session logged in (not cached: another app process may have
    written it): an open tab is then logged out at its next click.
    """
    username = st.session_state.get("username")
    if not (st.session_state.get("authentication_status") and username):
        return None
    since = st.session_state.setdefault(LOGGED_IN_AT, utcnow())
    if not login_cookie_valid(username=username, issued_at=since):
        clear_login_state()
        return None
    return cached(actor_for_username, username=username)


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
    st.session_state.pop(LOGGED_IN_AT, None)


def login_screen() -> None:
    """The log-in form; a successful log-in (form or cookie) reruns into the app.

    The form is the app's own (services.admin.login_throttle decides: same answer for every name, a
    growing delay instead of a lock-out); streamlit-authenticator only reads the cookie.
    """
    auth = _authenticator(login_credentials())
    st.title("Ancrage")
    st.caption("Pilotage du réseau national de lieux d'accueil des mineurs victimes de traite et d'exploitation")
    if setting_get(key="demo"):
        st.info(
            "Base de démonstration — comptes `coordination`, `partenaire`, `financeur` et `orienteur`, "
            "mot de passe `ancrage-demo`."
        )
    _ignore_revoked_cookie(auth)
    try:
        library.log_in_from_cookie(auth, key="login_cookie")  # a valid cookie logs in, nothing drawn
    except library.LoginError:
        pass  # a cookie of an account no longer active: the form below
    by_form = not st.session_state.get("authentication_status") and _login_form()
    if st.session_state.get("authentication_status"):
        login_success_record(username=st.session_state["username"])
        st.session_state[LOGGED_IN_AT] = utcnow()
        if by_form:
            # Written by the runs that follow, once logged in (see `_set_cookie`).
            st.session_state[COOKIE_PENDING] = True
        st.rerun()


def _login_form() -> bool:
    """The form; True when it just logged someone in."""
    with st.form("login", clear_on_submit=False):
        st.subheader(LOGIN_FIELDS["Form name"])
        username = st.text_input(
            LOGIN_FIELDS["Username"],
            autocomplete="username",
            key="login_username",
            max_chars=text_limit(User, "username"),
        )
        password = st.text_input(
            LOGIN_FIELDS["Password"],
            type="password",
            autocomplete="current-password",
            key="login_password",
            max_chars=MAX_BYTES,
        )
        submitted = st.form_submit_button(LOGIN_FIELDS["Login"])
    if not submitted:
        return False
    outcome = login_attempt(username=username, password=password, address=client_address())
    if outcome.username is None:
        st.error(BAD_CREDENTIALS if not outcome.wait else wait_message(outcome.wait))
        return False
    actor = actor_for_username(username=outcome.username)
    st.session_state.update(
        {
            "authentication_status": True,
            "username": actor.username,
            "name": actor.display_name,
            "roles": [actor.role],
            library.SKIP_COOKIE: None,
        }
    )
    return True


def wait_message(seconds: int) -> str:
    """The answer while a name or an address must wait; the same whether the account exists or not."""
    minutes = -(-seconds // 60)
    delay = f"{seconds} secondes" if seconds < 60 else f"{minutes} minute{'s' if minutes > 1 else ''}"
    return (
        f"Trop d'essais de connexion : réessayez dans {delay}. En cas de besoin, la coordination peut lever ce délai."
    )


def client_address() -> str:
    """The browser's address; behind a reverse proxy on this machine, the one it forwards."""
    direct = st.context.ip_address  # None for a connection from this machine
    if isinstance(direct, str):
        return direct
    forwarded = st.context.headers.get("X-Forwarded-For")
    return (forwarded.split(",")[-1].strip() if isinstance(forwarded, str) else "") or "locale"


def _ignore_revoked_cookie(auth: library.Authenticator) -> None:
    """Make the library ignore a cookie that is unreadable or that a log-out (or a password reset) revoked.

    The browser may still send a revoked cookie: the log-out's component deletes it only once the
    page has drawn it, and a reload can come first. A forged or damaged one (another algorithm,
    missing claims, garbage) would make the library raise. The library skips the cookie while
    `logout` is set, and the log-in form is drawn.
    """
    if st.session_state.get("authentication_status") or st.session_state.get(library.SKIP_COOKIE):
        return
    raw = st.context.cookies.get(get_settings().cookie_name)
    if raw is None:
        return
    claims = cookie_claims(raw, key=library.signing_key(auth))
    if claims is None or not login_cookie_valid(username=claims[library.USERNAME_CLAIM], issued_at=_issued_at(claims)):
        st.session_state[library.SKIP_COOKIE] = True


def cookie_claims(raw: str, *, key: str) -> dict | None:
    """The claims of a log-in cookie this app signed (HS256, our key, well-formed), else None.

    Example: `cookie_claims("garbage", key=k)` is None; so is a token with `alg: none`.
    """
    claims = library.token_decode(raw, key=key)
    number = (int, float)
    if not (
        isinstance(claims, dict)
        and isinstance(claims.get(library.USERNAME_CLAIM), str)
        and isinstance(claims.get(library.EXPIRY_CLAIM), number)
        and not isinstance(claims.get(library.EXPIRY_CLAIM), bool)
        and isinstance(claims.get(library.ISSUED_CLAIM, 0.0), number)
    ):
        return None
    try:
        _issued_at(claims)
    except (ValueError, OverflowError, OSError):
        return None
    return claims


def _issued_at(token: dict) -> datetime:
    """When a cookie was issued: its `issued_at`, or else its expiry minus the cookie lifetime."""
    issued = token.get(library.ISSUED_CLAIM)
    if issued is None:
        issued = token[library.EXPIRY_CLAIM] - get_settings().cookie_expiry_hours * 3600
    return datetime.fromtimestamp(float(issued), tz=UTC)


def _set_cookie() -> None:
    """Draw the component that writes the log-in cookie, run after run, until the browser confirms.

    A run can be replaced by a rerun something else asks for (a click, another component's value)
    before this component has loaded: drawn only once, the cookie would then be lost. The token is
    made once, so every attempt writes the same cookie.
    """
    pending = st.session_state.get(COOKIE_PENDING)
    if not pending:
        return
    settings = get_settings()
    if not isinstance(pending, dict):
        now = datetime.now()
        expires = now + timedelta(hours=settings.cookie_expiry_hours)
        # The library's claims, signed with the key it checks them with, plus when it was issued
        # (see `_ignore_revoked_cookie`).
        token = library.token_encode(
            username=st.session_state["username"], key=settings.cookie_key(), issued=now, expires=expires
        )
        pending = {"token": token, "expires": expires.isoformat()}
        st.session_state[COOKIE_PENDING] = pending
    if library.cookie_write(
        cookie_name=settings.cookie_name,
        token=pending["token"],
        expires=pending["expires"],
        component_key="ancrage_set_cookie",
    ):
        del st.session_state[COOKIE_PENDING]


def logout_control(actor: Actor) -> None:
    """The sidebar identity line and log-out button; after log-out the run stops (see docs/comptes.md).

    No library object here (see ui/authenticator_adapter.py): the log-out does what the library's
    does, the session forgets the log-in and ignores the browser's cookie, and a component drawn in
    this run deletes it."""
    _set_cookie()
    st.sidebar.caption(f"{md(actor.display_name)} — {Role.label_of(actor.role)}")
    if st.sidebar.button("Se déconnecter", key="sidebar_logout"):
        clear_login_state()
        st.session_state[library.SKIP_COOKIE] = True
        library.cookie_delete(cookie_name=get_settings().cookie_name, component_key="delete")
        # Until that component has run, the browser still holds the cookie: revoked on the server too.
        login_logout_record(username=actor.username)
        st.session_state.pop(COOKIE_PENDING, None)
        # A rerun here would drop the component that deletes the cookie: stop instead.
        st.success("Vous êtes déconnecté(e).")
        st.button("Se reconnecter", key="relogin")
        st.stop()


def page_guard(key: str) -> Actor:
    """First line of every page: the logged-in Actor, or the log-in screen / a French refusal."""
    _hand_over_to_app(key)
    actor = authenticate()
    if actor.role not in PAGE_BY_KEY[key].roles:
        st.error(REFUSED_PAGE)
        st.stop()
    return actor


def _hand_over_to_app(key: str) -> None:
    """Send a page script Streamlit runs by itself through app.py instead.

    Until some session has declared `st.navigation`, a server runs `pages/<url>.py` directly for a
    first request to `/<url>` (Streamlit's older multipage mode): no role menu, no log-out, no
    cookie after log-in, and Streamlit's own list of every page file in the sidebar. Declaring the
    app's pages ends that mode for the whole server; switching to this same page then reruns it
    through app.py, deep link kept.
    """
    if inside_app.get() or st.session_state.get(APP_RAN):
        return  # run by app.py, or in a session app.py already serves (not a first request)
    main_script = streamlit_internals.main_script_path()
    if main_script is None or Path(main_script).name != "app.py":
        return  # AppTest running a page script as the main script
    if not streamlit_internals.pages_directory_mode():
        return
    pages = {
        s.key: st.Page(s.script, title=s.title, icon=s.icon, url_path=s.url, default=s.key == "home") for s in PAGES
    }
    st.navigation(list(pages.values()), position="hidden")
    st.switch_page(pages[key])
