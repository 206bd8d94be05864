"""Home: what needs the logged-in person today."""

import streamlit as st

from core.formatting import fr_date, fr_number
from models.base import utcnow
from services.home.items import home_items
from ui.auth import page_guard
from ui.cache import cached
from ui.navigation import PAGE_BY_KEY
from ui.text import md

actor = page_guard("home")

st.title(f"Bonjour {md(actor.display_name)}")
st.caption(f"Aujourd'hui, {fr_date(utcnow())}")
items = cached(home_items, actor=actor)
if not items:
    st.success("Rien ne vous attend aujourd'hui.")
with st.container(key="home_todo"):
    for item in items:
        text = item.label if item.count is None else f"**{fr_number(item.count)}** {item.label}"
        box = {"error": st.error, "warning": st.warning}.get(item.level, st.info)
        box(text)
        if item.page and item.page in PAGE_BY_KEY:
            spec = PAGE_BY_KEY[item.page]
            if actor.role in spec.roles:
                st.page_link(spec.script, label=f"Ouvrir « {spec.title} »", icon=spec.icon)
