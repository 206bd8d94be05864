"""Signalements, coordination view: the worklist, the whole history and the deadlines."""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from core.access import Actor
from core.formatting import fr_datetime, fr_number
from models.signalement import Category, Severity, SignalementStatus
from services.directory.structures import structure_options
from services.signalements.circuit import signalement_deadline_hours, signalement_deadlines_set
from services.signalements.reads import signalement_board, signalement_list, signalement_open_counts
from ui.cache import cached
from ui.inputs import fr_number_input, refuse_unreadable
from ui.pagination import paginate
from ui.signalement_lists import detail_panel, minute, pick, summary_frame
from ui.signalements import (
    PASSED_ON,
    SELECTED,
    attempt,
    countdown,
    render_acknowledge_button,
    render_pass_on_form,
    severity_badge,
)
from ui.text import md

# The board is a worklist of the most urgent open signalements: each card carries three buttons and a
# popover, so every card costs about a millisecond on each rerun; the rest is under « Tous les signalements ».
BOARD_SIZE = 20


@st.fragment(run_every=timedelta(seconds=60))
def board(actor: Actor) -> None:
    """Open signalements, overdue first; the countdowns refresh every minute."""
    done = st.session_state.pop(PASSED_ON, None)
    if done is not None:
        st.session_state[f"signalements_board_pop_{done}"] = False  # close the popover just used
    result = cached(signalement_board, actor=actor, now=minute(), limit=BOARD_SIZE)
    if not result.rows:
        st.success("Aucun signalement ouvert.")
    for row in result.rows:
        with st.container(border=True):
            head, buttons = st.columns([3, 2], vertical_alignment="center")
            late = ":red-badge[:material/alarm: En retard] " if row.is_overdue() else ""
            head.markdown(
                f"{late}{severity_badge(row.severity)} **{row.reference}** — {md(row.structure_name)} "
                f"({row.departement_code}) — {Category.label_of(row.category)}"
            )
            head.markdown(
                f"{SignalementStatus.label_of(row.status)} · déclaré le {fr_datetime(row.declared_at)} · "
                f"{countdown(row)}"
            )
            with buttons, st.container(horizontal=True, horizontal_alignment="right"):
                render_acknowledge_button(actor, row, key="signalements_board")
                popover = st.popover(
                    "Transmettre", icon=":material/forward:", key=f"signalements_board_pop_{row.id}", on_change="rerun"
                )
                if popover.open:
                    with popover:
                        render_pass_on_form(actor, row, key="signalements_board")
                if st.button("Ouvrir", key=f"signalements_board_open_{row.id}", icon=":material/open_in_full:"):
                    st.session_state[SELECTED] = row.id
                    st.rerun()
    if result.total > len(result.rows):
        st.caption(
            f"{fr_number(len(result.rows))} premiers sur {fr_number(result.total)} ; voir « Tous les signalements »."
        )


def history_tab(actor: Actor) -> None:
    structures = dict(cached(structure_options, actor=actor))
    c1, c2, c3, c4 = st.columns(4)
    state = c1.selectbox(
        "État",
        [None, True, False],
        key="signalements_filter_open",
        format_func=lambda v: {None: "Tous", True: "Ouverts", False: "Clôturés"}[v],
    )
    severity = c2.selectbox(
        "Gravité",
        [None, *Severity.labels()],
        key="signalements_filter_severity",
        format_func=lambda v: "Toutes" if v is None else Severity.label_of(v),
    )
    category = c3.selectbox(
        "Catégorie",
        [None, *Category.labels()],
        key="signalements_filter_category",
        format_func=lambda v: "Toutes" if v is None else Category.label_of(v),
    )
    structure = c4.selectbox(
        "Structure",
        [None, *structures],
        key="signalements_filter_structure",
        format_func=lambda i: "Toutes" if i is None else structures[i],
    )
    period = st.date_input("Période de déclaration", value=(), format="DD/MM/YYYY", key="signalements_filter_period")
    start, end = (tuple(period) + (None, None))[:2] if isinstance(period, (tuple, list)) else (period, period)
    result = paginate(
        "signalements_history_page",
        lambda limit, offset: cached(
            signalement_list,
            actor=actor,
            open_only=state,
            severity=severity,
            category=category,
            structure_id=structure,
            start=start,
            end=end,
            limit=limit,
            offset=offset,
        ),
    )
    if result.rows:
        st.dataframe(summary_frame(result.rows), hide_index=True, width="stretch")
        pick(result.rows, "signalements_history_pick")


def deadlines_tab(actor: Actor) -> None:
    hours = cached(signalement_deadline_hours)
    st.caption(
        "Délais comptés à partir de la déclaration, en heures ; 0 = pas de délai. "
        "Un changement vaut pour les signalements déclarés ensuite."
    )
    with st.form("signalements_deadlines", clear_on_submit=False):
        values = {}
        for severity, (ack, pas) in hours.items():
            left, right = st.columns(2)
            values[severity] = (
                fr_number_input(
                    f"{Severity.label_of(severity)} : prise en compte (h)",
                    required=True,
                    min_value=0,
                    max_value=720,
                    value=ack,
                    key=f"signalements_ack_{severity}",
                    where=left,
                ),
                fr_number_input(
                    f"{Severity.label_of(severity)} : transmission (h)",
                    required=True,
                    min_value=0,
                    max_value=720,
                    value=pas,
                    key=f"signalements_pass_{severity}",
                    where=right,
                ),
            )
        if st.form_submit_button("Enregistrer les délais") and attempt(lambda: _save_deadlines(actor, values)):
            st.success("Délais enregistrés.")


def _save_deadlines(actor: Actor, values: dict) -> None:
    refuse_unreadable(*(hours for pair in values.values() for hours in pair))
    signalement_deadlines_set(actor=actor, hours=values)


def coordination_view(actor: Actor) -> None:
    st.title("Signalements — tableau de bord")
    counts = cached(signalement_open_counts, actor=actor, now=minute())
    m1, m2, m3, m4 = st.columns(4)
    m1.metric("Ouverts", fr_number(counts.open))
    m2.metric("En retard", fr_number(counts.overdue))
    m3.metric("À prendre en compte", fr_number(counts.awaiting_ack))
    m4.metric("À transmettre", fr_number(counts.awaiting_pass))
    board_tab, history, deadlines = st.tabs(["À traiter", "Tous les signalements", "Délais"])
    with board_tab:
        board(actor)
    with history:
        history_tab(actor)
    with deadlines:
        deadlines_tab(actor)
    detail_panel(actor)
