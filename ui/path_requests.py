"""The requests board (coordination): the new-request form, the paged board with its export, opening a record."""

from __future__ import annotations

from datetime import datetime
from functools import partial

import pandas as pd
import streamlit as st

from core.access import Actor
from core.bounds import text_limit
from core.clock import paris_now, paris_today
from core.formatting import PARIS, fr_datetime, fr_number
from models.child import Child, NationalityGroup, RequesterKind, RequestStatus, RiskFlag
from models.structure import ExploitationForm, Sex
from services.directory.referential import departement_label
from services.path.request_export import request_export
from services.path.requests import OPEN_STATUSES, RequestCreate, request_board, request_create, request_id_for_code
from ui.cache import cached
from ui.feedback import handled
from ui.inputs import departement_select, fr_number_input, refuse_unreadable
from ui.pagination import paginate
from ui.path_forms import flash, forms_label, risks_label, sex_label

OPEN_KEY = "sollicitations_open_id"
GOTO_KEY = "sollicitations_goto_board"


def status_metrics(actor: Actor) -> None:
    """One metric per status, with the age of the oldest open request."""
    board_counts = cached(request_board, actor=actor, limit=0)
    metrics = st.columns(5)
    for column, status in zip(metrics, RequestStatus):
        oldest = board_counts.oldest_open_hours.get(status.value)
        column.metric(
            status.label,
            fr_number(board_counts.counts[status.value]),
            delta=f"la plus ancienne : {oldest} h" if oldest is not None else None,
            delta_color="off",
            delta_arrow="off",
        )


def new_request_form(actor: Actor) -> None:
    # Defaults set once (Paris time), so that reruns keep what was typed.
    st.session_state.setdefault("sollicitations_new_day", paris_today())
    st.session_state.setdefault("sollicitations_new_time", paris_now().time().replace(second=0, microsecond=0))
    with st.form("sollicitations_new", clear_on_submit=False):
        st.caption("Aucun nom, aucune date de naissance : le système attribue un code à l'enfant.")
        left, right = st.columns(2)
        received_day = left.date_input("Reçue le", format="DD/MM/YYYY", key="sollicitations_new_day")
        received_time = right.time_input("à", key="sollicitations_new_time", step=60)
        requester = left.selectbox(
            "Demandeur",
            [None, *RequesterKind.labels()],
            format_func=lambda v: "—" if v is None else RequesterKind.label_of(v),
            key="sollicitations_new_requester",
        )
        requester_dep = departement_select(
            "Département du demandeur", key="sollicitations_new_requester_dep", where=right
        )
        age = fr_number_input(
            "Âge (années)", integer=True, min_value=0, max_value=99, key="sollicitations_new_age", where=left
        )
        sex = right.selectbox(
            "Sexe",
            [None, *Sex.labels()],
            format_func=lambda v: "—" if v is None else Sex.label_of(v),
            key="sollicitations_new_sex",
        )
        nationality = left.selectbox(
            "Groupe de nationalité",
            [None, *NationalityGroup.labels()],
            format_func=lambda v: "Inconnu" if v is None else NationalityGroup.label_of(v),
            key="sollicitations_new_nationality",
        )
        known_code = right.text_input(
            "Code d'un enfant déjà connu (facultatif)",
            max_chars=text_limit(Child, "code"),
            key="sollicitations_new_code",
        )
        forms = st.multiselect(
            "Formes d'exploitation",
            list(ExploitationForm.labels()),
            format_func=ExploitationForm.label_of,
            placeholder="Choisir…",
            select_all=False,
            key="sollicitations_new_forms",
        )
        exploitation_dep = departement_select(
            "Département où l'exploitation a eu lieu", key="sollicitations_new_exploitation_dep"
        )
        risks = st.multiselect(
            "Évaluation du risque",
            list(RiskFlag.labels()),
            format_func=RiskFlag.label_of,
            placeholder="Aucun critère",
            select_all=False,
            key="sollicitations_new_risks",
        )
        if st.form_submit_button("Enregistrer la sollicitation", type="primary"):
            with handled():
                refuse_unreadable(age)
                created = request_create(
                    actor=actor,
                    data=RequestCreate(
                        received_at=datetime.combine(received_day, received_time, PARIS)
                        if received_day and received_time
                        else None,
                        child_age=int(age) if age is not None else None,
                        sex=sex,
                        nationality_group=nationality,
                        requester_kind=requester,
                        requester_departement_code=requester_dep,
                        exploitation_forms=forms,
                        exploitation_departement_code=exploitation_dep,
                        risk_flags=risks,
                        existing_child_code=known_code.strip() or None,
                    ),
                )
                st.session_state[OPEN_KEY] = created.id
                st.session_state[GOTO_KEY] = True
                for key in [k for k in st.session_state if str(k).startswith("sollicitations_new_")]:
                    del st.session_state[key]  # the next request starts from an empty form
                flash(f"Sollicitation enregistrée : l'enfant porte le code {created.code}.")


def board(actor: Actor) -> None:
    left, middle, right = st.columns([3, 2, 1])
    statuses = left.pills(
        "Statuts",
        list(RequestStatus.labels()),
        selection_mode="multi",
        default=list(OPEN_STATUSES),
        format_func=RequestStatus.label_of,
        key="sollicitations_statuses",
    )
    code = (
        middle.text_input("Code de l'enfant", max_chars=text_limit(Child, "code"), key="sollicitations_code").strip()
        or None
    )
    result = paginate(
        "sollicitations_page",
        lambda limit, offset: cached(
            request_board,
            actor=actor,
            statuses=statuses or None,
            code=code,
            limit=limit,
            offset=offset,
            with_counts=False,
        ),  # the counts are drawn above
        where=right,
    )
    st.caption("Cliquez une ligne pour ouvrir la fiche.")
    frame = pd.DataFrame(
        [
            {
                "Code": r.code,
                "Statut": RequestStatus.label_of(r.status),
                "Reçue le": fr_datetime(r.received_at),
                "Attente (h)": r.age_hours if r.status in OPEN_STATUSES else None,
                "Enfant": f"{r.child_age} ans, {sex_label(r.sex).lower()}",
                "Exploitation": forms_label(r.exploitation_forms),
                "Lieu": departement_label(r.exploitation_departement_code),
                "Demandeur": RequesterKind.label_of(r.requester_kind),
                "Risques": risks_label(r.risk_flags),
                "Structure": r.structure_name or "",
            }
            for r in result.rows
        ],
        columns=[
            "Code",
            "Statut",
            "Reçue le",
            "Attente (h)",
            "Enfant",
            "Exploitation",
            "Lieu",
            "Demandeur",
            "Risques",
            "Structure",
        ],
    )
    event = st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        placeholder="—",
        key="sollicitations_table",
        column_config={"Attente (h)": st.column_config.NumberColumn(format="%d h")},
    )
    selected = event.selection.rows if event is not None else []
    if selected and selected[0] < len(result.rows):
        chosen = result.rows[selected[0]].id
        if st.session_state.get("sollicitations_last_selected") != chosen:
            st.session_state["sollicitations_last_selected"] = chosen
            st.session_state[OPEN_KEY] = chosen
    with st.expander("Exporter (CSV ou Excel, catégories du Human Trafficking Case Data Standard)"):
        period = st.date_input("Reçues entre", value=(), format="DD/MM/YYYY", key="sollicitations_export_period")
        start, end = (tuple(period) + (None, None))[:2] if isinstance(period, tuple) else (period, period)
        csv_col, xlsx_col = st.columns(2)
        # Built only when clicked: the whole history can be tens of thousands of rows.
        csv_col.download_button(
            "Télécharger en CSV",
            partial(request_export, actor=actor, fmt="csv", start=start, end=end),
            file_name="sollicitations.csv",
            mime="text/csv",
            key="sollicitations_export_csv",
            on_click="ignore",
        )
        xlsx_col.download_button(
            "Télécharger en Excel",
            partial(request_export, actor=actor, fmt="xlsx", start=start, end=end),
            file_name="sollicitations.xlsx",
            key="sollicitations_export_xlsx",
            on_click="ignore",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )


def open_by_code(actor: Actor) -> None:
    with st.expander("Ouvrir une fiche par son code"):
        with st.form("sollicitations_open_code"):
            typed = st.text_input(
                "Code de l'enfant", max_chars=text_limit(Child, "code"), key="sollicitations_open_code_value"
            )
            if st.form_submit_button("Ouvrir"):
                with handled():
                    st.session_state[OPEN_KEY] = request_id_for_code(actor=actor, code=typed)
