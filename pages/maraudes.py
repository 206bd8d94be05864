"""Outreach log: street and digital outreach sessions (counts only), platforms, links to requests."""

import streamlit as st

from core.bounds import text_limit
from core.formatting import fr_number
from models.child import Child
from models.outreach import OutreachKind
from services.outreach.sessions import (
    PLATFORM_NAME_MAX,
    outreach_list,
    platform_add,
    platform_list,
    platform_set_active,
    referral_link,
)
from ui.auth import page_guard
from ui.cache import cached
from ui.feedback import handled
from ui.outreach import outreach_form, sessions_frame
from ui.text import md

actor = page_guard("outreach")
st.title("Maraudes")
st.caption(
    "Aucun nom, pseudonyme, identifiant de compte ni image d'une personne : seulement des nombres, "
    "le département et le type de lieu ou les plateformes."
)
platforms = {p.id: p.name for p in cached(platform_list, actor=actor)}


if flash := st.session_state.pop("outreach_flash", None):
    st.success(flash)
with st.expander("Nouvelle maraude", expanded=True):
    outreach_form(actor, platforms)

rows = cached(outreach_list, actor=actor)
st.subheader("Maraudes enregistrées")
if rows:
    st.dataframe(sessions_frame(rows, with_structure=actor.is_coordination), hide_index=True, key="outreach_table")
else:
    st.info("Aucune maraude enregistrée.")

if actor.is_coordination:
    with st.expander("Relier une sollicitation à la maraude qui a repéré l'enfant"):
        with st.form("outreach_link"):
            by_id = {r.id: r for r in rows}
            session_id = st.selectbox(
                "Maraude",
                list(by_id),
                format_func=lambda i: (
                    f"{by_id[i].held_on:%d/%m/%Y} — {OutreachKind.label_of(by_id[i].kind)} — "
                    f"{by_id[i].structure_name or 'Coordination'}"
                ),
                key="outreach_link_session",
            )
            code = st.text_input("Code de l'enfant", max_chars=text_limit(Child, "code"), key="outreach_link_code")
            if st.form_submit_button("Relier"):
                with handled():
                    origin = referral_link(actor=actor, session_id=session_id, child_code=code)
                    st.success(f"Sollicitation reliée : {md(origin.text)}.")
    with st.expander("Plateformes surveillées (maraude numérique)"):
        every = cached(platform_list, actor=actor, include_inactive=True)
        for p in every:
            name_col, button_col = st.columns([4, 1])
            name_col.write(md(p.name) + ("" if p.active else " *(retirée)*"))
            label = "Retirer" if p.active else "Rétablir"
            if button_col.button(label, key=f"outreach_platform_{p.id}"):
                saved = False
                with handled():
                    platform_set_active(actor=actor, platform_id=p.id, active=not p.active)
                    saved = True
                if saved:  # after the block: the caches are refreshed first
                    st.rerun()
        with st.form("outreach_platform_new", clear_on_submit=True):
            name = st.text_input("Nouvelle plateforme", max_chars=PLATFORM_NAME_MAX, key="outreach_platform_name")
            if st.form_submit_button("Ajouter"):
                with handled():
                    added = platform_add(actor=actor, name=name)
                    st.success(f"Plateforme ajoutée : {md(added.name)}.")
    st.caption(f"{fr_number(len(every))} plateforme(s) dans la liste.")
