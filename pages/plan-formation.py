"""Training catalogue and yearly plan (coordination): the continuing-training strategy."""

import streamlit as st

from core.clock import paris_today
from services.training.modules import training_module_list
from ui.auth import page_guard
from ui.cache import cached
from ui.training_plan import catalogue_tab, edit_module_tab, new_module_tab, plan_tab

actor = page_guard("training_plan")
st.title("Catalogue et plan de formation")
modules = cached(training_module_list, actor=actor)
year = paris_today().year

catalogue, new, edit, plan = st.tabs(["Catalogue", "Nouveau module", "Modifier un module", "Plan annuel"])
# The forms are handled first; the catalogue and the plan then read it again, so a change shows at once.
with new:
    new_module_tab(actor, modules)
with edit:
    edit_module_tab(actor, modules)
with catalogue:
    catalogue_tab(actor)
with plan:
    plan_tab(actor, year)
