"""A structure's record (coordination, partner staff): facts, référentiel, status history, edit form."""

import streamlit as st

from services.directory.structures import structure_get, structure_options
from ui.auth import page_guard
from ui.cache import cached
from ui.structure_record import edit_forms, standards_section, status_history, structure_facts

actor = page_guard("structure")
st.title("Fiche structure")
if flash := st.session_state.pop("structure_flash", None):
    st.success(flash)

options = dict(cached(structure_options, actor=actor))
if not options:
    st.info("L'annuaire ne compte encore aucune structure.")
    st.stop()
ids = list(options)
default = st.session_state.get("structure_selected_id") or actor.structure_id
structure_id = st.selectbox(
    "Structure", ids, index=ids.index(default) if default in ids else 0, format_func=options.get, key="structure_choice"
)
st.session_state["structure_selected_id"] = structure_id
structure = cached(structure_get, actor=actor, structure_id=structure_id)
own = actor.is_partner and actor.structure_id == structure.id

structure_facts(structure)
standards_section(actor, structure, own)
status_history(actor, structure)
edit_forms(actor, structure, own)
