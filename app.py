"""Entry point: start-up, log-in, and the menu of the logged-in role (st.navigation)."""

from __future__ import annotations

import streamlit as st

from core.bootstrap import init_database
from core.config import ConfigurationError, check_configuration
from ui.auth import APP_RAN, REFUSED_PAGE, clear_login_state, current_actor, login_screen, logout_control
from ui.navigation import PAGES, PageSpec, inside_app

st.set_page_config(page_title="Ancrage", page_icon=":material/anchor:", layout="wide")


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


try:
    check_configuration()
except ConfigurationError as refused:
    # Normally caught earlier by `python -m core.bootstrap` in the start script; never serve with it.
    st.error(str(refused))
    st.stop()
_start()
actor = current_actor()
if actor is None:
    # Logged out: every URL shows the log-in form but keeps its path, so a deep link still
    # leads to its page once logged in.
    clear_login_state()
    login_pages = [st.Page(login_screen, title=s.title, url_path=s.url, default=s.key == "home") for s in PAGES]
    st.navigation(login_pages, position="hidden").run()
    st.stop()

# Every page is registered, so a typed URL of a forbidden page meets a French refusal rather than
# Streamlit's "page not found"; only the allowed ones appear in the menu below.
pages = {spec.key: _page(spec, actor.role in spec.roles) for spec in PAGES}
navigation = st.navigation(list(pages.values()), position="hidden")
with st.sidebar:
    st.markdown("### Ancrage")
    section = None
    for spec in PAGES:
        if actor.role not in spec.roles:
            continue
        if spec.section != section:
            section = spec.section
            st.caption(section)
        st.page_link(pages[spec.key], label=spec.title, icon=spec.icon)
logout_control(actor)
st.session_state[APP_RAN] = True
token = inside_app.set(True)
try:
    navigation.run()
finally:
    inside_app.reset(token)
