"""Prevention actions and staff protection (supervision, « analyse de pratique ») of a structure."""

from datetime import date

import streamlit as st

from core.clock import paris_today
from core.formatting import fr_number
from models.outreach import Audience, PreventionKind, SupervisionKind
from services.outreach.staff import prevention_create, prevention_totals, staff_protection, supervision_create
from ui.auth import page_guard
from ui.cache import cached
from ui.feedback import handled
from ui.inputs import departement_select, fr_number_input, refuse_unreadable

actor = page_guard("prevention")
st.title("Prévention et supervision")
today = paris_today()
year_start = date(today.year, 1, 1)

if flash := st.session_state.pop("prevention_flash", None):
    st.success(flash)

prevention_tab, supervision_tab = st.tabs(["Actions de prévention", "Supervision des équipes"])
with prevention_tab:
    with st.form("prevention_new", clear_on_submit=True):
        left, middle, right = st.columns(3)
        held_on = left.date_input("Date", value=today, format="DD/MM/YYYY", key="prevention_day")
        kind = middle.selectbox(
            "Type d'action", list(PreventionKind.labels()), format_func=PreventionKind.label_of, key="prevention_kind"
        )
        audience = right.selectbox(
            "Public", list(Audience.labels()), format_func=Audience.label_of, key="prevention_audience"
        )
        reached = fr_number_input(
            "Personnes touchées",
            integer=True,
            required=True,
            min_value=0,
            max_value=1_000_000,
            value=0,
            key="prevention_reached",
            where=left,
        )
        departement = departement_select("Département", key="prevention_departement", where=middle)
        if st.form_submit_button("Enregistrer l'action", type="primary"):
            saved = False
            with handled():
                refuse_unreadable(reached)
                prevention_create(
                    actor=actor,
                    held_on=held_on,
                    kind=kind,
                    audience=audience,
                    reached=int(reached),  # type: ignore[arg-type]
                    departement_code=departement,
                )
                st.session_state["prevention_flash"] = "Action de prévention enregistrée."
                saved = True
            if saved:  # after the block: the caches are refreshed first
                st.rerun()
    totals = cached(prevention_totals, actor=actor, start=year_start, end=today)
    st.subheader(f"Depuis le 1er janvier {today.year}")
    if totals:
        for code, (actions, persons) in totals.items():
            st.write(
                f"{Audience.label_of(code)} : {fr_number(actions)} action(s), {fr_number(persons)} personne(s) touchée(s)"
            )
    else:
        st.info("Aucune action de prévention cette année.")

with supervision_tab:
    with st.form("supervision_new", clear_on_submit=True):
        left, middle, right = st.columns(3)
        held_on = left.date_input("Date", value=today, format="DD/MM/YYYY", key="supervision_day")
        kind = middle.selectbox(
            "Type de séance",
            list(SupervisionKind.labels()),
            format_func=SupervisionKind.label_of,
            key="supervision_kind",
        )
        hours = fr_number_input(
            "Durée (heures)", required=True, min_value=0.5, max_value=24, value=2, key="supervision_hours", where=right
        )
        participants = fr_number_input(
            "Participants",
            integer=True,
            required=True,
            min_value=1,
            max_value=200,
            value=1,
            key="supervision_participants",
            where=left,
        )
        if st.form_submit_button("Enregistrer la séance", type="primary"):
            saved = False
            with handled():
                refuse_unreadable(hours, participants)
                supervision_create(
                    actor=actor,
                    held_on=held_on,
                    kind=kind,
                    hours=float(hours),  # type: ignore[arg-type]
                    participants=int(participants),  # type: ignore[arg-type]
                )
                st.session_state["prevention_flash"] = "Séance enregistrée."
                saved = True
            if saved:  # after the block: the caches are refreshed first
                st.rerun()
    protection = cached(staff_protection, actor=actor, start=year_start, end=today)
    st.subheader(f"Depuis le 1er janvier {today.year}")
    first, second, third = st.columns(3)
    first.metric("Séances de supervision", fr_number(protection.supervision_sessions))
    second.metric("Heures de supervision × participants", fr_number(protection.participant_hours, 1))
    third.metric("Heures d'exposition en maraude numérique", fr_number(protection.digital_exposure_hours, 1))
    st.caption(
        "Exposition : durée des maraudes numériques multipliée par le nombre d'intervenants. "
        "La supervision des équipes exposées à des contenus pédocriminels est un critère de qualité."
    )
