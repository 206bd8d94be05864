"""A structure's record (coordination, partner staff): facts, référentiel, status history and edit forms."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from core.access import Action, Actor, can
from core.formatting import fr_date, fr_number, fr_percent
from models.standard import AssessmentLevel, CriterionCategory
from models.structure import ExploitationForm, OnSiteService, Sex, StructureUpdate
from services.directory.referential import departement_label
from services.directory.standards import assessment_grid, compliance_for
from services.directory.structure_rules import LABELS
from services.directory.structures import structure_confirm_contact, structure_status_history, structure_update
from ui.cache import cached
from ui.directory import KIND_LABELS, STATUS_LABELS, ages_text, codes_text, contact_fields, structure_fields
from ui.feedback import handled
from ui.inputs import validated
from ui.text import md


def structure_facts(structure: Any) -> None:
    """Name, kind, place, capacity, ages, what is taken in charge and the contact."""
    st.subheader(md(structure.name))
    st.caption(
        f"{KIND_LABELS.get(structure.kind, structure.kind)} — {md(structure.commune)}, "
        f"{departement_label(structure.departement_code)} — {STATUS_LABELS.get(structure.status, structure.status)}"
    )
    a, b, c, d = st.columns(4)
    a.metric("Places", fr_number(structure.capacity))
    b.metric("Âges accueillis", ages_text(structure.age_min, structure.age_max))
    c.metric("Adhésion", fr_date(structure.joined_on) or "—")
    d.metric("Sortie du réseau", fr_date(structure.left_on) or "—")
    st.markdown(
        f"- **Sexes accueillis** : {codes_text(Sex, structure.sexes) or '—'}\n"
        f"- **Formes d'exploitation prises en charge** : {codes_text(ExploitationForm, structure.exploitation_forms) or '—'}\n"
        f"- **Services sur place** : {codes_text(OnSiteService, structure.services) or '—'}\n"
        f"- **Téléphone (standard)** : {md(structure.phone) or '—'}\n"
        f"- **E-mail fonctionnel** : {md(structure.email) or '—'}\n"
        f"- **Contact et capacité confirmés par la structure le** : {fr_date(structure.contact_checked_on) or 'jamais'}"
    )


def standards_section(actor: Actor, structure: Any, own: bool) -> None:
    """The structure's référentiel assessment, for the coordination and the structure itself."""
    if not (can(actor, Action.STANDARD_READ) and (actor.is_coordination or own)):
        return
    st.subheader("Référentiel")
    compliance = cached(compliance_for, actor=actor, structure_ids=[structure.id]).get(structure.id)
    grid = cached(assessment_grid, actor=actor, structure_id=structure.id)
    if compliance and compliance.assessed:
        st.markdown(
            f"**{compliance.met}** critères atteints, **{compliance.partly}** partiellement, "
            f"**{compliance.not_met}** non atteints, **{compliance.missing}** non évalués "
            f"sur {compliance.criteria} — conformité {fr_percent(compliance.rate)}"
        )
        if compliance.stale:
            st.warning(f"{compliance.stale} évaluation(s) datent de plus de 12 mois : à refaire.")
    else:
        st.info("Cette structure n'a pas encore été évaluée au regard du référentiel.")
    if grid:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "Critère": g.criterion_label,
                        "Catégorie": CriterionCategory.label_of(g.category),
                        "Niveau": AssessmentLevel.label_of(g.level) if g.level else "non évalué",
                        "Évalué le": fr_date(g.assessed_on),
                        "À refaire": "oui" if g.stale else "",
                        "Commentaire": g.comment or "",
                    }
                    for g in grid
                ]
            ),
            hide_index=True,
            width="stretch",
        )


def status_history(actor: Actor, structure: Any) -> None:
    """The structure's status in the network over time."""
    with st.expander("Historique du statut dans le réseau", icon=":material/timeline:"):
        st.dataframe(
            pd.DataFrame(
                [
                    {"Depuis le": fr_date(h.effective_on), "Statut": STATUS_LABELS.get(h.status, h.status)}
                    for h in cached(structure_status_history, actor=actor, structure_id=structure.id)
                ]
            ),
            hide_index=True,
            width="stretch",
        )


def edit_forms(actor: Actor, structure: Any, own: bool) -> None:
    """The whole record for the coordination; contact and capacity for the structure itself."""
    if can(actor, Action.STRUCTURE_EDIT_ALL):
        st.subheader("Modifier la fiche")
        with st.form(f"structure_edit_{structure.id}", clear_on_submit=False):
            values = structure_fields(f"structure_edit_{structure.id}", structure)
            if st.form_submit_button("Enregistrer", type="primary"):
                changes = {
                    k: v for k, v in values.items() if k != "status_changed_on" or values["status"] != structure.status
                }
                with handled():
                    saved = structure_update(
                        actor=actor,
                        structure_id=structure.id,
                        expected_version=structure.version,
                        changes=validated(StructureUpdate, changes, labels=LABELS),
                        seen={k: getattr(structure, k) for k in values if k in LABELS and k != "status_changed_on"},
                    )
                    st.session_state["structure_flash"] = f"Fiche « {saved.name} » enregistrée."
                if "structure_flash" in st.session_state:  # saved: reload after the cache refresh
                    st.rerun()
    elif own:
        st.subheader("Mettre à jour le contact et la capacité")
        st.caption(
            "Votre structure peut modifier son contact générique et son nombre de places ; le reste de la fiche "
            "est tenu par la coordination nationale."
        )
        with st.form(f"structure_contact_{structure.id}", clear_on_submit=False):
            values = contact_fields(f"structure_contact_{structure.id}", structure)
            if st.form_submit_button("Enregistrer", type="primary"):
                with handled():
                    structure_update(
                        actor=actor,
                        structure_id=structure.id,
                        expected_version=structure.version,
                        changes=validated(StructureUpdate, values, labels=LABELS),
                        seen={k: getattr(structure, k) for k in values},
                    )
                    st.session_state["structure_flash"] = "Contact et capacité enregistrés."
                if "structure_flash" in st.session_state:  # saved: reload after the cache refresh
                    st.rerun()
        if st.button("Confirmer que ces informations sont à jour", key="structure_confirm", icon=":material/task_alt:"):
            with handled():
                structure_confirm_contact(actor=actor, structure_id=structure.id)
                st.session_state["structure_flash"] = "Merci : informations confirmées."
            if "structure_flash" in st.session_state:  # saved: reload after the cache refresh
                st.rerun()
    elif actor.is_partner:
        st.info("Fiche en lecture seule : seule votre structure peut être modifiée par votre équipe.")
