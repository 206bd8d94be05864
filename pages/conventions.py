"""Agreements with conseils départementaux (coordination): list, in force, record, sign, terminate."""

import streamlit as st

from core.clock import paris_today
from core.formatting import fr_number
from services.directory.conventions import convention_list
from services.directory.coverage import indicator_partners
from ui.auth import page_guard
from ui.cache import cached
from ui.conventions import convention_filters, convention_forms, conventions_table
from ui.pagination import paginate

actor = page_guard("conventions")
st.title("Conventions avec les conseils départementaux")
if flash := st.session_state.pop("conventions_flash", None):
    st.success(flash)

today = paris_today()
indicator = cached(indicator_partners, actor=actor, on=today)
a, b = st.columns(2)
a.metric("Conseils départementaux engagés aujourd'hui", fr_number(indicator.conseils_engaged))
b.metric("Conventions en vigueur", fr_number(indicator.conventions_in_force))
st.caption(
    "Une convention est en vigueur de sa date de signature à sa date de fin incluse (pour une convention "
    "dénoncée, le jour de la dénonciation). Un conseil départemental est engagé lorsque son département a "
    "une convention en vigueur."
)

filters = convention_filters(today)
page = paginate(
    "conventions_page",
    lambda limit, offset: cached(convention_list, actor=actor, filters=filters, limit=limit, offset=offset),
)
conventions_table(page, today)
convention_forms(actor, page)
