"""Référentiel (coordination: criteria, assessments, compliance; partner staff: the criteria and its own assessment)."""

import streamlit as st

from core.access import Action, can
from services.admin.settings import setting_get
from ui.auth import page_guard
from ui.cache import cached
from ui.standards import assess_tab, criteria_tab, partner_view, synthesis_tab

actor = page_guard("standards")
st.title("Référentiel du réseau")
st.caption(
    "Les exigences que le réseau fixe à ses structures partenaires : encadrement, modalités de prise en "
    "charge, sécurité, suivi du parcours de chaque enfant."
)
if flash := st.session_state.pop("standards_flash", None):
    st.success(flash)

months = cached(setting_get, key="standard_stale_months")
if not can(actor, Action.STANDARD_MANAGE):
    partner_view(actor, months)
    st.stop()

synthesis, assess, criteria = st.tabs(["Synthèse par structure", "Évaluer une structure", "Critères"])
with synthesis:
    synthesis_tab(actor, months)
with assess:
    assess_tab(actor)
with criteria:
    criteria_tab(actor)
