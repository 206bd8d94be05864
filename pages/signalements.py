"""Signalements: partner staff declare and follow; the coordination's board, history and deadlines."""

from datetime import timedelta

import pandas as pd
import streamlit as st

from core.bounds import text_limit
from core.formatting import fr_datetime, fr_number
from models.base import utcnow
from models.child import Child
from models.signalement import ActionTaken, Category, Severity, Signalement, SignalementStatus
from services.directory.structures import structure_options
from services.signalements.circuit import signalement_deadline_hours, signalement_deadlines_set
from services.signalements.declarations import SignalementDeclaration, signalement_declare
from services.signalements.reads import (
    signalement_board,
    signalement_child_codes,
    signalement_get,
    signalement_list,
    signalement_open_counts,
)
from ui.auth import page_guard
from ui.cache import cached
from ui.feedback import handled
from ui.signalements import (
    NO_NAMES,
    PASSED_ON,
    SELECTED,
    attempt,
    aware,
    countdown,
    paris_now_naive,
    render_acknowledge_button,
    render_actions,
    render_detail,
    render_pass_on_form,
    severity_badge,
)
from ui.text import md

PAGE_SIZE = 50
# The board is a worklist of the most urgent open signalements: each card carries three buttons and a
# popover, so every card costs about a millisecond on each rerun; the rest is under « Tous les signalements ».
BOARD_SIZE = 20
actor = page_guard("signalements")


def minute():
    """Now, to the minute: reads that depend on the clock (deadlines) are cached per minute."""
    return utcnow().replace(second=0, microsecond=0)


def summary_frame(rows) -> pd.DataFrame:
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


def pick(rows, key: str) -> None:
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


def detail_panel() -> None:
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


def declaration_form() -> None:
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
        st.session_state["signalements_declared"] = created[0].id
        st.session_state[SELECTED] = created[0].id
        st.rerun()


def partner_view() -> None:
    st.title("Signalements de la structure")
    st.caption(
        "Toute situation préoccupante survenue dans la structure remonte ici à la coordination du réseau. "
        "En cas de danger immédiat, appelez d'abord le 17 ou le 112."
    )
    declared = st.session_state.get("signalements_declared")
    if declared is not None:
        st.success(
            "Signalement transmis à la coordination : il apparaît dans son tableau de bord. "
            "Téléchargez ci-dessous la confirmation écrite.",
            icon=":material/check_circle:",
        )
        st.session_state.pop("signalements_declared")
    counts = cached(signalement_open_counts, actor=actor, now=minute())
    declare_tab, follow_tab = st.tabs(
        ["Déclarer une situation", f"Nos signalements ({fr_number(counts.open)} en cours)"]
    )
    with declare_tab:
        declaration_form()
    with follow_tab:
        page = st.number_input("Page", min_value=1, value=1, step=1, key="signalements_partner_page")
        result = cached(signalement_list, actor=actor, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
        st.caption(f"{fr_number(result.total)} signalements, les plus récents d'abord.")
        if result.rows:
            st.dataframe(summary_frame(result.rows).drop(columns="Structure"), hide_index=True, width="stretch")
            pick(result.rows, "signalements_partner_pick")
    detail_panel()


@st.fragment(run_every=timedelta(seconds=60))
def board() -> None:
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


def history_tab() -> None:
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
    page = st.number_input("Page", min_value=1, value=1, step=1, key="signalements_history_page")
    result = cached(
        signalement_list,
        actor=actor,
        open_only=state,
        severity=severity,
        category=category,
        structure_id=structure,
        start=start,
        end=end,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    st.caption(f"{fr_number(result.total)} signalements — page {page} sur {max(1, -(-result.total // PAGE_SIZE))}")
    if result.rows:
        st.dataframe(summary_frame(result.rows), hide_index=True, width="stretch")
        pick(result.rows, "signalements_history_pick")


def deadlines_tab() -> None:
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
                left.number_input(
                    f"{Severity.label_of(severity)} : prise en compte (h)",
                    min_value=0.0,
                    max_value=720.0,
                    value=ack,
                    step=0.5,
                    format="%.1f",
                    key=f"signalements_ack_{severity}",
                ),
                right.number_input(
                    f"{Severity.label_of(severity)} : transmission (h)",
                    min_value=0.0,
                    max_value=720.0,
                    value=pas,
                    step=0.5,
                    format="%.1f",
                    key=f"signalements_pass_{severity}",
                ),
            )
        if st.form_submit_button("Enregistrer les délais") and attempt(
            lambda: signalement_deadlines_set(actor=actor, hours=values)
        ):
            st.success("Délais enregistrés.")


def coordination_view() -> None:
    st.title("Signalements — tableau de bord")
    counts = cached(signalement_open_counts, actor=actor, now=minute())
    m1, m2, m3, m4 = st.columns(4)
    m1.metric("Ouverts", fr_number(counts.open))
    m2.metric("En retard", fr_number(counts.overdue))
    m3.metric("À prendre en compte", fr_number(counts.awaiting_ack))
    m4.metric("À transmettre", fr_number(counts.awaiting_pass))
    board_tab, history, deadlines = st.tabs(["À traiter", "Tous les signalements", "Délais"])
    with board_tab:
        board()
    with history:
        history_tab()
    with deadlines:
        deadlines_tab()
    detail_panel()


if actor.is_partner:
    partner_view()
else:
    coordination_view()
