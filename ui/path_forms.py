"""What the child-path pages share: French labels, a flash message, and the small action forms.

Each form only gathers input and calls one service inside `handled()`; the rules live in the services.
"""

from __future__ import annotations

import streamlit as st

from core.access import Actor
from core.bounds import text_limit
from core.clock import paris_today
from core.formatting import fr_date, fr_number
from models.child import (
    AuthorityBasis,
    ExitReason,
    NationalityGroup,
    OrientationProposal,
    Placement,
    RefusalReason,
    RiskFlag,
)
from models.structure import ExploitationForm, Sex
from services.path.orientation import consent_record, proposal_answer
from services.path.placements import placement_arrival, placement_exit, placement_return, placement_runaway
from ui.cache import invalidate
from ui.feedback import handled

FLASH_KEY = "path_flash"


def flash(message: str) -> None:
    """Show `message` after the rerun that follows a successful action (cached reads refreshed first)."""
    invalidate()
    st.session_state[FLASH_KEY] = message
    st.rerun()


def show_flash() -> None:
    message = st.session_state.pop(FLASH_KEY, None)
    if message:
        st.success(message)


def sex_label(code: str) -> str:
    return Sex.label_of(code)


def forms_label(codes: list[str]) -> str:
    return ", ".join(ExploitationForm.label_of(c) for c in codes) or "—"


def risks_label(codes: list[str]) -> str:
    return ", ".join(RiskFlag.label_of(c) for c in codes) or "Aucun signalé"


def nationality_label(code: str | None) -> str:
    return NationalityGroup.label_of(code) if code else "Inconnue"


def km(value: float | None) -> str:
    return "—" if value is None else f"{fr_number(value)} km"


def child_summary(code: str, age: int, sex: str) -> str:
    return f"{code} — {age} ans, {sex_label(sex).lower()}"


def answer_form(actor: Actor, *, proposal_id: int, version: int, key: str, on_behalf: bool = False) -> None:
    """Accept, or refuse with a reason, a pending proposal."""
    with st.form(f"{key}_answer_{proposal_id}", clear_on_submit=False):
        if on_behalf:
            st.caption("Réponse donnée par la structure (par téléphone ou par écrit), saisie pour elle.")
        decision = st.radio(
            "Réponse",
            ["accept", "refuse"],
            horizontal=True,
            format_func=lambda v: "Accepter l'accueil" if v == "accept" else "Refuser",
            key=f"{key}_decision_{proposal_id}",
        )
        reason = st.selectbox(
            "Motif du refus",
            [None, *RefusalReason.labels()],
            format_func=lambda v: "—" if v is None else RefusalReason.label_of(v),
            key=f"{key}_refusal_{proposal_id}",
        )
        detail = st.text_input(
            "Précision (facultative, sans nom)",
            max_chars=text_limit(OrientationProposal, "answer_detail"),
            key=f"{key}_detail_{proposal_id}",
        )
        if st.form_submit_button("Enregistrer la réponse"):
            with handled():
                proposal_answer(
                    actor=actor,
                    proposal_id=proposal_id,
                    expected_version=version,
                    accepted=decision == "accept",
                    refusal_reason=reason if decision == "refuse" else None,
                    detail=detail,
                )
                flash("Réponse enregistrée.")


def consent_form(actor: Actor, *, proposal, key: str) -> None:
    """The child's assent and the parental authority's consent (or the judge's order), or why not."""
    with st.form(f"{key}_consent_{proposal.id}", clear_on_submit=False):
        st.markdown("**Consentements** — sans eux (ou la raison de leur absence), l'accueil ne peut être confirmé.")
        assent = st.radio(
            "Assentiment de l'enfant",
            [None, True, False],
            horizontal=True,
            index=[None, True, False].index(proposal.assent_obtained),
            format_func=lambda v: {None: "Non renseigné", True: "Recueilli", False: "Non recueilli"}[v],
            key=f"{key}_assent_{proposal.id}",
        )
        assent_reason = st.text_input(
            "Si non recueilli, pourquoi",
            value=proposal.assent_missing_reason or "",
            max_chars=text_limit(OrientationProposal, "assent_missing_reason"),
            key=f"{key}_assent_reason_{proposal.id}",
        )
        options = [None, *AuthorityBasis.labels()]
        authority = st.selectbox(
            "Autorité parentale ou décision judiciaire",
            options,
            index=options.index(proposal.authority_basis),
            format_func=lambda v: "—" if v is None else AuthorityBasis.label_of(v),
            key=f"{key}_authority_{proposal.id}",
        )
        authority_reason = st.text_input(
            "Si non obtenu, pourquoi",
            value=proposal.authority_missing_reason or "",
            max_chars=text_limit(OrientationProposal, "authority_missing_reason"),
            key=f"{key}_authority_reason_{proposal.id}",
        )
        if st.form_submit_button("Enregistrer les consentements"):
            with handled():
                consent_record(
                    actor=actor,
                    proposal_id=proposal.id,
                    expected_version=proposal.version,
                    assent_obtained=assent,
                    assent_missing_reason=assent_reason,
                    authority_basis=authority,
                    authority_missing_reason=authority_reason,
                )
                flash("Consentements enregistrés.")


def arrival_form(actor: Actor, *, proposal_id: int, version: int, key: str) -> None:
    with st.form(f"{key}_arrival_{proposal_id}", clear_on_submit=False):
        day = st.date_input(
            "Date d'arrivée", value=paris_today(), format="DD/MM/YYYY", key=f"{key}_arrival_day_{proposal_id}"
        )
        if st.form_submit_button("Confirmer l'arrivée", type="primary"):
            with handled():
                placement_arrival(actor=actor, proposal_id=proposal_id, expected_version=version, arrival_date=day)
                flash(f"Arrivée du {fr_date(day)} enregistrée.")


def placement_actions(actor: Actor, *, placement, key: str) -> None:
    """Runaway or return, and exit, for an open placement."""
    if not placement.is_open:
        return
    event_col, exit_col = st.columns(2)
    with event_col, st.form(f"{key}_event_{placement.id}", clear_on_submit=False):
        if placement.on_runaway:
            st.markdown("**Retour de fugue**")
            day = st.date_input(
                "Date du retour", value=paris_today(), format="DD/MM/YYYY", key=f"{key}_return_{placement.id}"
            )
            if st.form_submit_button("Enregistrer le retour"):
                with handled():
                    placement_return(
                        actor=actor, placement_id=placement.id, expected_version=placement.version, occurred_on=day
                    )
                    flash("Retour enregistré.")
        else:
            st.markdown("**Fugue**")
            day = st.date_input(
                "Date de la fugue", value=paris_today(), format="DD/MM/YYYY", key=f"{key}_runaway_{placement.id}"
            )
            if st.form_submit_button("Signaler la fugue"):
                with handled():
                    placement_runaway(
                        actor=actor, placement_id=placement.id, expected_version=placement.version, occurred_on=day
                    )
                    flash("Fugue enregistrée : pensez au signalement de disparition inquiétante.")
    with exit_col, st.form(f"{key}_exit_{placement.id}", clear_on_submit=False):
        st.markdown("**Sortie**")
        day = st.date_input(
            "Date de sortie", value=paris_today(), format="DD/MM/YYYY", key=f"{key}_exit_day_{placement.id}"
        )
        reason = st.selectbox(
            "Motif de sortie",
            [None, *ExitReason.labels()],
            format_func=lambda v: "—" if v is None else ExitReason.label_of(v),
            key=f"{key}_exit_reason_{placement.id}",
        )
        detail = st.text_input(
            "Précision (sans nom)",
            max_chars=text_limit(Placement, "exit_detail"),
            key=f"{key}_exit_detail_{placement.id}",
        )
        if st.form_submit_button("Enregistrer la sortie"):
            with handled():
                placement_exit(
                    actor=actor,
                    placement_id=placement.id,
                    expected_version=placement.version,
                    end_date=day,
                    reason=reason,
                    detail=detail,
                )
                flash("Sortie enregistrée.")


def placement_status(placement) -> str:
    if not placement.is_open:
        return f"Sorti(e) le {fr_date(placement.end_date)} ({ExitReason.label_of(placement.exit_reason)})"
    if placement.on_runaway:
        last = placement.events[-1].occurred_on
        return f"En fugue depuis le {fr_date(last)}"
    return f"Présent(e) depuis le {fr_date(placement.arrival_date)}"
