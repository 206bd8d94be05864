"""Signalements shared by both views: the summary table, the pick list and the open record."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd
import streamlit as st

from core.access import Actor
from core.formatting import fr_datetime
from models.base import utcnow
from models.signalement import Category, Severity, SignalementStatus
from services.signalements.reads import signalement_get
from ui.cache import cached
from ui.feedback import handled
from ui.signalements import SELECTED, render_acknowledge_button, render_actions, render_detail


def minute() -> datetime:
    """Now, to the minute: reads that depend on the clock (deadlines) are cached per minute."""
    return utcnow().replace(second=0, microsecond=0)


def summary_frame(rows: list[Any]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "Référence": r.reference,
                "Déclaré le": fr_datetime(r.declared_at),
                "Structure": r.structure_name,
                "Catégorie": Category.label_of(r.category),
                "Gravité": Severity.label_of(r.severity),
                "Enfant": r.child_code or "",
                "État": SignalementStatus.label_of(r.status),
            }
            for r in rows
        ]
    )


def pick(rows: list[Any], key: str) -> None:
    """A pick list that opens one of `rows` below."""
    by_id = {r.id: r for r in rows}

    def open_chosen() -> None:
        st.session_state[SELECTED] = st.session_state[key]

    st.selectbox(
        "Ouvrir le signalement",
        [None, *by_id],
        key=key,
        on_change=open_chosen,
        placeholder="Choisir",
        format_func=lambda i: (
            "—"
            if i is None
            else f"{by_id[i].reference} — {Category.label_of(by_id[i].category)} — "
            f"{SignalementStatus.label_of(by_id[i].status)}"
        ),
    )


def detail_panel(actor: Actor) -> None:
    selected = st.session_state.get(SELECTED)
    if selected is None:
        return
    st.divider()
    detail = None
    with handled():
        detail = cached(signalement_get, actor=actor, signalement_id=selected)
    if detail is None:
        st.session_state.pop(SELECTED, None)
        return
    if st.button("Fermer la fiche", key="signalements_close_detail", icon=":material/close:"):
        st.session_state.pop(SELECTED, None)
        st.rerun()
    render_detail(actor, detail, key="signalements_detail")
    if actor.is_coordination:
        render_acknowledge_button(actor, detail.summary, key="signalements_detail")
    render_actions(actor, detail, key="signalements_detail")
