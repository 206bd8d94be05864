"""One request's record (coordination): facts, placement, proposals, the placement finder, closure, history."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from core.access import Actor
from core.bounds import text_limit
from core.formatting import fr_date, fr_datetime, fr_number
from models.child import ChildRequest, ClosureReason, ProposalStatus, RefusalReason, RequesterKind, RequestStatus
from services.directory.referential import departement_label
from services.path.finder import placement_finder
from services.path.orientation import proposal_create, proposal_withdraw
from services.path.requests import OPEN_STATUSES, request_close, request_get
from ui.cache import cached
from ui.feedback import handled
from ui.outreach import render_request_origin
from ui.path_forms import (
    answer_form,
    arrival_form,
    consent_form,
    flash,
    forms_label,
    km,
    nationality_label,
    placement_actions,
    placement_status,
    risks_label,
    sex_label,
)
from ui.path_requests import OPEN_KEY
from ui.text import md

FINDER_SHOWN = 10


def finder(actor: Actor, detail: Any) -> None:
    st.subheader("Recherche de place")
    result = cached(placement_finder, actor=actor, request_id=detail.id)
    st.caption(
        f"Structures actives classées pour cet enfant : places libres, profil accepté, puis éloignement du "
        f"lieu d'exploitation ({departement_label(result.exploitation_departement_code)}, minimum "
        f"{fr_number(result.min_distance_km)} km à vol d'oiseau entre centres de départements)."
    )

    def line(r) -> str:
        return f"{r.rank}. **{md(r.structure_name)}** ({departement_label(r.departement_code)}) — {r.reason}"

    top, rest = result.rows[:FINDER_SHOWN], result.rows[FINDER_SHOWN:]
    st.markdown("\n".join(line(r) for r in top) if top else "Aucune structure active.")
    if rest:
        with st.expander(f"Les {len(rest)} autres structures actives, classées"):
            st.markdown("\n".join(line(r) for r in rest))
    candidates = {r.structure_id: r for r in result.rows if r.can_propose}
    with st.form(f"sollicitations_propose_{detail.id}", clear_on_submit=False):
        chosen = st.multiselect(
            "Proposer à",
            list(candidates),
            format_func=lambda i: (
                f"{candidates[i].rank}. {candidates[i].structure_name} ({candidates[i].verdict}, "
                f"{km(candidates[i].distance_km)})"
            ),
            placeholder="Choisir une ou plusieurs structures",
            select_all=False,
            max_selections=5,
            key=f"sollicitations_propose_choice_{detail.id}",
        )
        if st.form_submit_button("Envoyer la proposition d'orientation", type="primary"):
            with handled():
                if not chosen:
                    st.warning("Choisissez au moins une structure.")
                else:
                    for structure_id in chosen:
                        proposal_create(actor=actor, request_id=detail.id, structure_id=structure_id)
                    flash(f"{len(chosen)} proposition(s) envoyée(s).")


def proposals(actor: Actor, detail: Any) -> None:
    st.subheader("Propositions d'orientation")
    if not detail.proposals:
        st.info("Aucune structure proposée pour l'instant.")
        return
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Structure": p.structure_name,
                    "Distance": km(p.distance_km),
                    "Statut": ProposalStatus.label_of(p.status),
                    "Proposée le": fr_datetime(p.proposed_at),
                    "Réponse le": fr_datetime(p.answered_at),
                    "Motif / précision": " — ".join(
                        x
                        for x in [
                            RefusalReason.label_of(p.refusal_reason) if p.refusal_reason else "",
                            p.answer_detail or "",
                        ]
                        if x
                    ),
                    "Consentements": ("Enregistrés" if p.consent_complete else "À enregistrer")
                    if p.status in (ProposalStatus.PENDING.value, ProposalStatus.ACCEPTED.value)
                    else "—",
                }
                for p in detail.proposals
            ]
        ),
        hide_index=True,
        width="stretch",
    )
    for p in detail.proposals:
        if p.status == ProposalStatus.PENDING.value:
            with st.expander(f"{md(p.structure_name)} : saisir sa réponse ou retirer la proposition"):
                answer_form(actor, proposal_id=p.id, version=p.version, key="sollicitations", on_behalf=True)
                withdraw_button(actor, p)
        elif p.status == ProposalStatus.ACCEPTED.value and detail.placement is None:
            with st.expander(f"{md(p.structure_name)} a accepté : consentements et arrivée", expanded=True):
                consent_form(actor, proposal=p, key="sollicitations")
                if p.consent_complete:
                    arrival_form(actor, proposal_id=p.id, version=p.version, key="sollicitations")
                else:
                    st.warning("L'arrivée pourra être confirmée une fois les consentements enregistrés.")
                withdraw_button(actor, p)


def withdraw_button(actor: Actor, p: Any) -> None:
    if st.button("Retirer cette proposition", key=f"sollicitations_withdraw_{p.id}"):
        with handled():
            proposal_withdraw(actor=actor, proposal_id=p.id, expected_version=p.version)
            flash("Proposition retirée.")


def closure(actor: Actor, detail: Any) -> None:
    with st.expander("Clore sans placement"):
        with st.form(f"sollicitations_close_{detail.id}", clear_on_submit=False):
            reason = st.selectbox(
                "Motif",
                [None, *ClosureReason.labels()],
                format_func=lambda v: "—" if v is None else ClosureReason.label_of(v),
                key=f"sollicitations_close_reason_{detail.id}",
            )
            text = st.text_input(
                "Précision (sans nom)",
                max_chars=text_limit(ChildRequest, "closure_detail"),
                key=f"sollicitations_close_detail_{detail.id}",
            )
            if st.form_submit_button("Clore la sollicitation"):
                with handled():
                    request_close(
                        actor=actor, request_id=detail.id, expected_version=detail.version, reason=reason, detail=text
                    )
                    flash("Sollicitation close.")


def record(actor: Actor, request_id: int) -> None:
    detail = request_get(actor=actor, request_id=request_id)
    st.divider()
    head, close_col = st.columns([5, 1])
    head.header(f"{md(detail.code)} — {RequestStatus.label_of(detail.status)}")
    if close_col.button("Fermer la fiche", key="sollicitations_close_record"):
        st.session_state.pop(OPEN_KEY, None)
        st.rerun()
    waiting = f", en attente depuis {detail.age_hours} h" if detail.status in OPEN_STATUSES else ""
    st.caption(f"Reçue le {fr_datetime(detail.received_at)}{waiting} — saisie par {md(detail.created_by)}")
    child, facts, requester = st.columns(3)
    child.markdown(
        f"**Enfant** : {detail.child_age} ans, {sex_label(detail.sex).lower()}  \n"
        f"Nationalité : {nationality_label(detail.nationality_group)}"
    )
    facts.markdown(
        f"**Exploitation** : {forms_label(detail.exploitation_forms)}  \n"
        f"Lieu : {departement_label(detail.exploitation_departement_code)}"
    )
    requester.markdown(
        f"**Demandeur** : {RequesterKind.label_of(detail.requester_kind)}  \n"
        f"{departement_label(detail.requester_departement_code)}"
    )
    render_request_origin(actor, detail.id)
    if detail.risk_flags:
        st.warning(f"Risques : {risks_label(detail.risk_flags)}", icon=":material/warning:")
    else:
        st.info("Risques : aucun signalé")
    if detail.status == RequestStatus.CLOSED.value:
        st.warning(
            f"Close sans placement : {ClosureReason.label_of(detail.closure_reason)}"
            + (f" — {md(detail.closure_detail)}" if detail.closure_detail else "")
        )
    if detail.placement is not None:
        st.subheader("Placement")
        placement = detail.placement
        st.markdown(
            f"**{md(placement.structure_name)}** ({km(placement.distance_km)} du lieu d'exploitation) — "
            f"{placement_status(placement)}"
        )
        placement_actions(actor, placement=placement, key="sollicitations")
    proposals(actor, detail)
    if detail.status in (RequestStatus.NEW.value, RequestStatus.IN_PROGRESS.value):
        finder(actor, detail)
    if detail.status in OPEN_STATUSES:
        closure(actor, detail)
    st.subheader("Historique")
    st.markdown(
        "\n".join(
            f"- {fr_datetime(line.at) if line.timed else fr_date(line.at)} — {md(line.text)}" for line in detail.history
        )
    )
