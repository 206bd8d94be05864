"""Outreach log: street and digital outreach sessions (counts only), platforms, links to requests."""

import streamlit as st

from core.bounds import text_limit
from core.clock import paris_today
from core.formatting import fr_number
from models.child import Child
from models.outreach import OUTREACH_COUNTS, OutreachKind, PlaceKind
from services.directory.referential import departement_options
from services.outreach.sessions import (
    PLATFORM_NAME_MAX,
    OutreachData,
    outreach_create,
    outreach_list,
    platform_add,
    platform_list,
    platform_set_active,
    referral_link,
)
from ui.auth import page_guard
from ui.cache import cached
from ui.feedback import handled
from ui.outreach import sessions_frame
from ui.text import md

actor = page_guard("outreach")
st.title("Maraudes")
st.caption(
    "Aucun nom, pseudonyme, identifiant de compte ni image d'une personne : seulement des nombres, "
    "le département et le type de lieu ou les plateformes."
)
departements = {o.code: o.label for o in departement_options()}
platforms = {p.id: p.name for p in cached(platform_list, actor=actor)}


def session_form() -> None:
    generation = st.session_state.setdefault("outreach_form_generation", 0)
    with st.form(f"outreach_new_{generation}"):
        left, middle, right = st.columns(3)
        held_on = left.date_input("Date", value=paris_today(), format="DD/MM/YYYY", key="outreach_day")
        kind = middle.radio(
            "Type de maraude", list(OutreachKind.labels()), format_func=OutreachKind.label_of, key="outreach_kind"
        )
        departement = right.selectbox(
            "Département",
            [None, *departements],
            format_func=lambda v: "—" if v is None else departements[v],
            key="outreach_departement",
        )
        duration = left.number_input(
            "Durée (minutes)", min_value=1, max_value=1440, value=120, step=15, key="outreach_duration"
        )
        team = middle.number_input("Intervenants", min_value=1, max_value=50, value=2, step=1, key="outreach_team")
        place = right.selectbox(
            "Type de lieu (maraude de rue)",
            [None, *PlaceKind.labels()],
            format_func=lambda v: "—" if v is None else PlaceKind.label_of(v),
            key="outreach_place",
        )
        chosen = st.multiselect(
            "Plateformes (maraude numérique)",
            list(platforms),
            format_func=lambda i: platforms[i],
            placeholder="Choisir…",
            key="outreach_platforms",
        )
        st.markdown("**Ce qui a été fait**")
        columns = st.columns(3)
        counts = {}
        for i, (column, label) in enumerate(OUTREACH_COUNTS.items()):
            counts[column] = columns[i % 3].number_input(
                label, min_value=0, max_value=100_000, value=0, step=1, key=f"outreach_count_{column}"
            )
        if st.form_submit_button("Enregistrer la maraude", type="primary"):
            saved = False
            with handled():
                outreach_create(
                    actor=actor,
                    data=OutreachData(
                        held_on=held_on,
                        kind=kind,
                        duration_minutes=int(duration),
                        team_size=int(team),
                        departement_code=departement,
                        place_kind=place,
                        platform_ids=chosen,
                        counts={k: int(v) for k, v in counts.items()},
                    ),
                )
                st.session_state["outreach_form_generation"] = generation + 1
                st.session_state["outreach_flash"] = "Maraude enregistrée."
                saved = True

            if saved:  # after the block: the caches are refreshed first
                st.rerun()


if flash := st.session_state.pop("outreach_flash", None):
    st.success(flash)
with st.expander("Nouvelle maraude", expanded=True):
    session_form()

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
