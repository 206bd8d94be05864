"""Requests (coordination): the board by status with ageing, a new request, and one request's record
with the placement finder, the proposals, the placement and the history."""

from datetime import datetime
from functools import partial

import pandas as pd
import streamlit as st

from core.bounds import text_limit
from core.formatting import PARIS, fr_date, fr_datetime, fr_number
from models.child import (
    Child,
    ChildRequest,
    ClosureReason,
    NationalityGroup,
    ProposalStatus,
    RefusalReason,
    RequesterKind,
    RequestStatus,
    RiskFlag,
)
from models.structure import ExploitationForm, Sex
from services.directory.referential import departement_label, departement_options
from services.path.orientation import placement_finder, proposal_create, proposal_withdraw
from services.path.requests import (
    OPEN_STATUSES,
    RequestCreate,
    request_board,
    request_close,
    request_create,
    request_export,
    request_get,
    request_id_for_code,
)
from ui.auth import page_guard
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
    show_flash,
    today,
)
from ui.text import md

PAGE_SIZE = 50
FINDER_SHOWN = 10
OPEN_KEY = "sollicitations_open_id"
VIEW_KEY = "sollicitations_view"
GOTO_KEY = "sollicitations_goto_board"
VIEWS = ["Tableau", "Nouvelle sollicitation"]

actor = page_guard("requests")
st.title("Sollicitations")
show_flash()
if st.session_state.pop(GOTO_KEY, False) or VIEW_KEY not in st.session_state:
    st.session_state[VIEW_KEY] = VIEWS[0]

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

view = st.segmented_control("Vue", VIEWS, key=VIEW_KEY, label_visibility="collapsed")
departements = {o.code: o.label for o in departement_options()}


def new_request_form() -> None:
    # Defaults set once (Paris time), so that reruns keep what was typed.
    st.session_state.setdefault("sollicitations_new_day", today())
    st.session_state.setdefault("sollicitations_new_time", datetime.now(PARIS).time().replace(second=0, microsecond=0))
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
        requester_dep = right.selectbox(
            "Département du demandeur",
            [None, *departements],
            format_func=lambda v: "—" if v is None else departements[v],
            key="sollicitations_new_requester_dep",
        )
        age = left.number_input(
            "Âge (années)", min_value=0, max_value=99, value=None, step=1, key="sollicitations_new_age"
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
        exploitation_dep = st.selectbox(
            "Département où l'exploitation a eu lieu",
            [None, *departements],
            format_func=lambda v: "—" if v is None else departements[v],
            key="sollicitations_new_exploitation_dep",
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


def board() -> None:
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
    page_number = right.number_input("Page", min_value=1, value=1, step=1, key="sollicitations_page")
    result = cached(
        request_board,
        actor=actor,
        statuses=statuses or None,
        code=code,
        limit=PAGE_SIZE,
        offset=(page_number - 1) * PAGE_SIZE,
        with_counts=False,
    )  # the counts are drawn above
    st.caption(
        f"{fr_number(result.total)} sollicitation(s) — page {page_number} sur "
        f"{max(1, -(-result.total // PAGE_SIZE))}. Cliquez une ligne pour ouvrir la fiche."
    )
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


def finder(detail) -> None:
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


def proposals(detail) -> None:
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
                withdraw_button(p)
        elif p.status == ProposalStatus.ACCEPTED.value and detail.placement is None:
            with st.expander(f"{md(p.structure_name)} a accepté : consentements et arrivée", expanded=True):
                consent_form(actor, proposal=p, key="sollicitations")
                if p.consent_complete:
                    arrival_form(actor, proposal_id=p.id, version=p.version, key="sollicitations")
                else:
                    st.warning("L'arrivée pourra être confirmée une fois les consentements enregistrés.")
                withdraw_button(p)


def withdraw_button(p) -> None:
    if st.button("Retirer cette proposition", key=f"sollicitations_withdraw_{p.id}"):
        with handled():
            proposal_withdraw(actor=actor, proposal_id=p.id, expected_version=p.version)
            flash("Proposition retirée.")


def closure(detail) -> None:
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


def record(request_id: int) -> None:
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
    proposals(detail)
    if detail.status in (RequestStatus.NEW.value, RequestStatus.IN_PROGRESS.value):
        finder(detail)
    if detail.status in OPEN_STATUSES:
        closure(detail)
    st.subheader("Historique")
    st.markdown(
        "\n".join(
            f"- {fr_datetime(line.at) if line.timed else fr_date(line.at)} — {md(line.text)}" for line in detail.history
        )
    )


if view == VIEWS[1]:
    new_request_form()
else:
    board()
    with st.expander("Ouvrir une fiche par son code"):
        with st.form("sollicitations_open_code"):
            typed = st.text_input(
                "Code de l'enfant", max_chars=text_limit(Child, "code"), key="sollicitations_open_code_value"
            )
            if st.form_submit_button("Ouvrir"):
                with handled():
                    st.session_state[OPEN_KEY] = request_id_for_code(actor=actor, code=typed)
    if st.session_state.get(OPEN_KEY):
        with handled():
            record(st.session_state[OPEN_KEY])
