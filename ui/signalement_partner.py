"""Signalements, partner view: declare a situation and follow the structure's signalements."""

from __future__ import annotations

import streamlit as st

from core.access import Actor
from core.bounds import text_limit
from core.formatting import fr_datetime, fr_number
from models.child import Child
from models.signalement import ActionTaken, Category, Severity, Signalement
from services.signalements.declarations import SignalementDeclaration, signalement_declare
from services.signalements.reads import (
    signalement_child_codes,
    signalement_get,
    signalement_list,
    signalement_open_counts,
)
from ui.cache import cached
from ui.feedback import handled
from ui.pagination import paginate
from ui.signalement_lists import detail_panel, minute, pick, summary_frame
from ui.signalements import (
    NO_NAMES,
    SELECTED,
    attempt,
    aware,
    confirmation_html,
    paris_now_naive,
    severity_badge,
)
from ui.text import md

DECLARED = "signalements_declared"


def declaration_form(actor: Actor) -> None:
    generation = st.session_state.setdefault("signalements_form_generation", 0)
    codes = cached(signalement_child_codes, actor=actor)
    with st.form(f"signalements_declare_{generation}", clear_on_submit=False):
        left, right = st.columns(2)
        occurred = left.datetime_input(
            "Date et heure des faits",
            value=paris_now_naive(),
            format="DD/MM/YYYY",
            step=300,
            key=f"signalements_occurred_{generation}",
        )
        category = right.selectbox(
            "Catégorie",
            list(Category.labels()),
            index=None,
            format_func=Category.label_of,
            placeholder="Choisir une catégorie",
            key=f"signalements_category_{generation}",
        )
        severity = st.radio(
            "Gravité",
            list(Severity.labels()),
            index=None,
            format_func=Severity.label_of,
            horizontal=True,
            key=f"signalements_severity_{generation}",
            captions=[
                "l'enfant est en danger maintenant ou l'exploiteur est à proximité",
                "inquiétant, sans danger immédiat",
                "à connaître, sans inquiétude particulière",
            ],
        )
        child_code = st.text_input(
            "Code de l'enfant concerné (facultatif)",
            key=f"signalements_child_{generation}",
            max_chars=text_limit(Child, "code"),
            help="Un enfant accueilli par votre structure (ou sorti depuis moins de 30 jours).",
        )
        st.caption("Codes des enfants de votre structure : " + (", ".join(codes) if codes else "aucun enregistré"))
        st.warning(NO_NAMES, icon=":material/visibility_off:")
        facts = st.text_area(
            "Faits",
            height=160,
            key=f"signalements_facts_{generation}",
            max_chars=text_limit(Signalement, "facts"),
            placeholder="Ce qui s'est passé, où, ce que l'enfant a dit, qui était présent (par leur rôle).",
        )
        actions = st.multiselect(
            "Mesures déjà prises",
            list(ActionTaken.labels()),
            format_func=ActionTaken.label_of,
            placeholder="Police appelée, CRIP informée, soins…",
            key=f"signalements_actions_{generation}",
        )
        detail = st.text_input(
            "Précisions sur les mesures (facultatif)",
            key=f"signalements_actions_detail_{generation}",
            max_chars=text_limit(Signalement, "actions_detail"),
        )
        submitted = st.form_submit_button("Déclarer à la coordination", type="primary", icon=":material/send:")
    created = []
    if submitted and attempt(
        lambda: created.append(
            signalement_declare(
                actor=actor,
                data=SignalementDeclaration(
                    occurred_at=aware(occurred),
                    category=category,
                    severity=severity,
                    child_code=child_code,
                    facts=facts,
                    actions_taken=actions,
                    actions_detail=detail,
                ),
            )
        )
    ):
        st.session_state["signalements_form_generation"] = generation + 1
        st.session_state[DECLARED] = created[0].id
        st.session_state.pop(SELECTED, None)  # the receipt at the top stands for the record
        st.rerun()


def declared_receipt(actor: Actor) -> None:
    """Right after a declaration, before the next empty form: what was sent and its written
    confirmation to download, until closed or another declaration replaces it."""
    declared = st.session_state.get(DECLARED)
    if declared is None:
        return
    detail = None
    with handled():
        detail = cached(signalement_get, actor=actor, signalement_id=declared)
    if detail is None:
        st.session_state.pop(DECLARED, None)
        return
    s = detail.summary
    with st.container(border=True, key="signalements_receipt"):
        st.success(
            "Signalement transmis à la coordination : il apparaît dans son tableau de bord. "
            "Téléchargez ci-dessous la confirmation écrite.",
            icon=":material/check_circle:",
        )
        st.subheader(f"{s.reference} — {md(s.structure_name)}")
        st.markdown(
            f"{severity_badge(s.severity)} **{Category.label_of(s.category)}** · "
            f"déclaré le {fr_datetime(s.declared_at)} par {md(s.declared_by_name)}"
        )
        left, right = st.columns([3, 1])
        left.download_button(
            "Télécharger la confirmation écrite (à imprimer)",
            confirmation_html(detail),
            file_name=f"{s.reference}.html",
            mime="text/html",
            icon=":material/print:",
            on_click="ignore",
            key=f"signalements_receipt_confirmation_{s.id}",
        )
        if right.button("Fermer", key="signalements_receipt_close", icon=":material/close:"):
            st.session_state.pop(DECLARED, None)
            st.rerun()


def partner_view(actor: Actor) -> None:
    st.title("Signalements de la structure")
    st.caption(
        "Toute situation préoccupante survenue dans la structure remonte ici à la coordination du réseau. "
        "En cas de danger immédiat, appelez d'abord le 17 ou le 112."
    )
    declared_receipt(actor)
    counts = cached(signalement_open_counts, actor=actor, now=minute())
    declare_tab, follow_tab = st.tabs(
        ["Déclarer une situation", f"Nos signalements ({fr_number(counts.open)} en cours)"]
    )
    with declare_tab:
        declaration_form(actor)
    with follow_tab:
        result = paginate(
            "signalements_partner_page",
            lambda limit, offset: cached(signalement_list, actor=actor, limit=limit, offset=offset),
        )
        st.caption("Les plus récents d'abord.")
        if result.rows:
            st.dataframe(summary_frame(result.rows).drop(columns="Structure"), hide_index=True, width="stretch")
            pick(result.rows, "signalements_partner_pick")
    detail_panel(actor)
