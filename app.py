"""Entry point: start-up, log-in, and the menu of the logged-in role (st.navigation)."""

from __future__ import annotations

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from core.config import ConfigurationError, check_configuration
from core.db import database_unavailable
from core.errors import AncrageError
from startup.bootstrap import init_database
from ui.auth import APP_RAN, REFUSED_PAGE, clear_login_state, current_actor, login_screen, logout_control
from ui.navigation import PAGES, PageSpec, inside_app
from ui.outage import outage_notice, restore_typed_values, unexpected_error
from ui.screen import FAVICON, screen_style

st.set_page_config(page_title="Ancrage", page_icon=FAVICON, layout="wide")
screen_style()


@st.cache_resource(show_spinner="Mise à jour de la base de données…")
def _start() -> bool:
    init_database()
    return True


def _refusal(spec: PageSpec):
    def refuse() -> None:
        st.error(REFUSED_PAGE)

    refuse.__name__ = f"refus_{spec.key}"
    return refuse


def _page(spec: PageSpec, allowed: bool) -> st.Page:
    target = spec.script if allowed else _refusal(spec)
    return st.Page(target, title=spec.title, icon=spec.icon, url_path=spec.url, default=spec.key == "home")


def _menu(role: str) -> StreamlitPage:
    """Declare every page (a forbidden one shows a French refusal rather than Streamlit's "page not
    found") and draw the role's menu in the sidebar; returns the page to run."""
    pages = {spec.key: _page(spec, role in spec.roles) for spec in PAGES}
    navigation = st.navigation(list(pages.values()), position="hidden")
    with st.sidebar:
        st.markdown("### Ancrage")
        section = None
        for spec in PAGES:
            if role not in spec.roles:
                continue
            if spec.section != section:
                section = spec.section
                st.caption(section)
            st.page_link(pages[spec.key], label=spec.title, icon=spec.icon)
    return navigation


def _login_pages() -> StreamlitPage:
    # Logged out: every URL shows the log-in form but keeps its path, so a deep link still
    # leads to its page once logged in.
    return st.navigation(
        [st.Page(login_screen, title=s.title, url_path=s.url, default=s.key == "home") for s in PAGES],
        position="hidden",
    )


def _run_or_outage(page: StreamlitPage) -> None:
    """Run the page; if the database stops answering, a French notice that retries replaces it, and a
    French refusal a page did not catch is shown as such, and anything else unexpected as a French
    message (logged), never as Streamlit's English error screen."""
    try:
        page.run()
    except AncrageError as refusal:
        st.error(refusal.message)
    except Exception as error:  # noqa: BLE001 - shown in French, never as a traceback
        if not database_unavailable(error):
            unexpected_error(error)
            return
        outage_notice()


try:
    check_configuration()
except ConfigurationError as refused:
    # Normally caught earlier by `python -m startup.bootstrap` in the start script; never serve with it.
    st.error(str(refused))
    st.stop()

try:
    _start()
    actor = current_actor()
except Exception as error:  # noqa: BLE001
    if not database_unavailable(error):
        raise
    # Keep the menu of the role known from the log-in while the database is away.
    roles = st.session_state.get("roles") or []
    logged_in = st.session_state.get("authentication_status") and roles
    _menu(roles[0]) if logged_in else _login_pages()
    outage_notice()
    st.stop()

if actor is None:
    clear_login_state()
    _run_or_outage(_login_pages())
    st.stop()

restore_typed_values()
navigation = _menu(actor.role)
st.session_state[APP_RAN] = True
token = inside_app.set(True)
try:
    logout_control(actor)
    _run_or_outage(navigation)
finally:
    inside_app.reset(token)
