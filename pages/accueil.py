"""Home: what needs the logged-in person today, the most urgent first."""

import streamlit as st

from core.formatting import fr_date, fr_datetime, fr_number
from models.base import utcnow
from services.alerts.inbox import notification_unread_count
from services.home.items import home_items
from services.home.todo import TodoItem
from services.home.urgent import countdown_text
from ui.auth import page_guard
from ui.cache import cached
from ui.navigation import PAGE_BY_KEY
from ui.text import md

actor = page_guard("home")

st.title(f"Bonjour {md(actor.display_name)}")
st.caption(f"Aujourd'hui, {fr_date(utcnow())}")
items = cached(home_items, actor=actor)
# Read each time: the worker writes notifications without touching the cached data.
unread = notification_unread_count(actor=actor)
if not items and not unread:
    st.success("Rien ne vous attend aujourd'hui.")


@st.fragment(run_every=30)
def _countdowns(timed: list) -> None:
    """Deadlines counted down live: the fragment reruns alone every 30 seconds."""
    for index, item in enumerate(timed):
        with st.container(key=f"home_urgent_{index}"):
            st.error(
                f"**{item.label}**  \n{md(item.detail or '')} {fr_datetime(item.due_at)} — "
                f"**{countdown_text(item.due_at)}**"
            )


def _link(item) -> None:
    if item.page and item.page in PAGE_BY_KEY:
        spec = PAGE_BY_KEY[item.page]
        if actor.role in spec.roles:
            st.page_link(spec.script, label=f"Ouvrir « {spec.title} »", icon=spec.icon)


with st.container(key="home_todo"):
    timed = [item for item in items if item.due_at is not None]
    if timed:
        _countdowns(timed)
        _link(timed[0])
    for item in items:
        if item.due_at is not None:
            continue
        text = item.label if item.count is None else f"**{fr_number(item.count)}** {item.label}"
        box = {"error": st.error, "warning": st.warning}.get(item.level, st.info)
        box(text)
        _link(item)
    if unread:
        st.info(f"**{fr_number(unread)}** notification(s) non lue(s)")
        _link(TodoItem("", page="notifications"))
