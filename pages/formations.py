"""Training sessions (coordination): list, record, complete or correct, import past sessions."""

import streamlit as st

from core.clock import paris_today
from services.directory.structures import structure_options
from services.training.modules import training_module_list
from ui.auth import page_guard
from ui.cache import cached
from ui.training_sessions import edit_tab, import_tab, new_session_tab, sessions_list, year_summary

actor = page_guard("trainings")
st.title("Formations — sessions")
summary = st.container()  # filled last, so that a session recorded below shows at once
year = paris_today().year
modules = cached(training_module_list, actor=actor)
structures = dict(cached(structure_options, actor=actor))

list_tab, new_tab, change_tab, file_tab = st.tabs(
    ["Sessions", "Enregistrer une session", "Compléter ou corriger", "Importer des sessions passées"]
)
# The tabs that write are filled first, the list and the figures last: they show a write at once.
with new_tab:
    new_session_tab(actor, modules, structures)
with file_tab:
    import_tab(actor)
with change_tab:
    edit_tab(actor, modules, structures)
with list_tab:
    sessions_list(actor, modules, structures, year)
with summary:
    year_summary(actor, year)
