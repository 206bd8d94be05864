"""Directory (coordination, partner staff): search, filter, open a structure; create, export, import."""

import streamlit as st

from core.formatting import fr_number
from services.directory.structure_listing import structure_list
from ui.auth import page_guard
from ui.cache import cached
from ui.directory_list import directory_actions, directory_filters, structures_table
from ui.pagination import paginate

actor = page_guard("directory")
st.title("Annuaire des structures partenaires")
if flash := st.session_state.pop("directory_flash", None):
    st.success(flash)

filters = directory_filters()
result = paginate(
    "directory_page",
    lambda limit, offset: cached(structure_list, actor=actor, filters=filters, limit=limit, offset=offset),
)
st.markdown(
    f"**{fr_number(result.total)}** structure{'s' if result.total > 1 else ''} — **{fr_number(result.places)}** places"
)
structures_table(actor, result)
directory_actions(actor, filters)
