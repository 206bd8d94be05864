"""Children of my structure (partner staff): proposals to answer, arrivals expected, children present,
and the quick actions: arrival, runaway, return, exit."""

import pandas as pd
import streamlit as st

from core.clock import paris_today
from core.formatting import fr_date, fr_number
from models.child import ExitReason
from services.path.placements import structure_child_open, structure_children
from ui.auth import page_guard
from ui.cache import cached
from ui.feedback import handled
from ui.path_forms import (
    answer_form,
    arrival_form,
    child_summary,
    consent_form,
    forms_label,
    km,
    nationality_label,
    placement_actions,
    placement_status,
    risks_label,
    sex_label,
    show_flash,
)

actor = page_guard("children")
lists = cached(structure_children, actor=actor)
st.title("Enfants accueillis")
st.caption(lists.structure_name)
show_flash()

on_runaway = sum(1 for line in lists.present if line.on_runaway)
metrics = st.columns(4)
metrics[0].metric("Propositions à examiner", fr_number(len(lists.pending)))
metrics[1].metric("Arrivées attendues", fr_number(len(lists.expected)))
metrics[2].metric("Enfants présents", fr_number(len(lists.present) - on_runaway))
metrics[3].metric("En fugue", fr_number(on_runaway))

if lists.pending:
    st.subheader("Propositions d'orientation à examiner")
    for line in lists.pending:
        with st.container(border=True):
            st.markdown(
                f"**{child_summary(line.code, line.age, line.sex)}** — proposée il y a {line.waiting_hours} h, "
                f"à {km(line.distance_km)} du lieu d'exploitation"
            )
            st.markdown(
                f"Exploitation : {forms_label(line.exploitation_forms)}  \nRisques : {risks_label(line.risk_flags)}"
            )
            answer_form(actor, proposal_id=line.proposal_id, version=line.proposal_version, key="children")

st.subheader("Enfants de la structure")
rows = [*lists.expected, *lists.present]
if not rows:
    st.info("Aucun enfant attendu ni présent dans votre structure.")
else:
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Code": line.code,
                    "Âge": f"{line.age} ans",
                    "Sexe": sex_label(line.sex),
                    "Situation": (
                        "Arrivée attendue"
                        if line.placement_id is None
                        else "En fugue"
                        if line.on_runaway
                        else "Présent(e)"
                    ),
                    "Arrivée": fr_date(line.arrival_date),
                    "Jours": (paris_today() - line.arrival_date).days if line.arrival_date else None,
                    "Exploitation": forms_label(line.exploitation_forms),
                }
                for line in rows
            ]
        ),
        hide_index=True,
        width="stretch",
        placeholder="—",
    )

    st.subheader("Actions rapides")
    by_child = {line.child_id: line for line in rows}
    chosen = st.selectbox(
        "Enfant",
        [None, *by_child],
        format_func=lambda c: (
            "— choisir un enfant —" if c is None else child_summary(by_child[c].code, by_child[c].age, by_child[c].sex)
        ),
        key="children_chosen",
    )
    if chosen is not None:
        with handled():
            card = structure_child_open(actor=actor, child_id=chosen)
            with st.container(border=True):
                st.markdown(
                    f"**{card.code}** — {card.age} ans, {sex_label(card.sex).lower()}, nationalité : "
                    f"{nationality_label(card.nationality_group)}  \n"
                    f"Exploitation : {forms_label(card.exploitation_forms)}  \n"
                    f"Risques : {risks_label(card.risk_flags)}"
                )
                if card.placement is not None and card.placement.is_open:
                    st.markdown(placement_status(card.placement))
                    placement_actions(actor, placement=card.placement, key="children")
                elif card.proposal is not None:
                    consent_form(actor, proposal=card.proposal, key="children")
                    if card.proposal.consent_complete:
                        arrival_form(actor, proposal_id=card.proposal.id, version=card.proposal.version, key="children")
                    else:
                        st.warning(
                            "Enregistrez les consentements (ou la raison de leur absence) pour confirmer l'arrivée."
                        )

if lists.recent_exits:
    with st.expander(f"Sorties des 90 derniers jours ({len(lists.recent_exits)})"):
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "Code": line.code,
                        "Âge": f"{line.age} ans",
                        "Sexe": sex_label(line.sex),
                        "Arrivée": fr_date(line.arrival_date),
                        "Sortie": fr_date(line.end_date),
                        "Motif": ExitReason.label_of(line.exit_reason),
                    }
                    for line in lists.recent_exits
                ]
            ),
            hide_index=True,
            width="stretch",
        )
