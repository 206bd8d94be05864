"""The training sessions page's tabs (coordination): record, import, complete or correct, list, and the
year's figures."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from core.access import Actor
from core.clock import paris_today
from core.formatting import fr_date, fr_number
from models.training import SessionStatus, TrainingProfile
from services.training.imports import training_import_read, training_import_template, training_session_import
from services.training.indicators import training_totals, training_trained
from services.training.modules import fr_hours
from services.training.session_listing import training_pending_counts, training_session_list
from services.training.sessions import (
    SESSION_LABELS,
    training_session_create,
    training_session_delete,
    training_session_get,
    training_session_update,
)
from ui.cache import cached
from ui.feedback import handled
from ui.navigation import PAGE_BY_KEY
from ui.pagination import paginate
from ui.text import md
from ui.training_forms import module_picker, participants_summary, session_form

OPENED = "trainings_edit_opened"  # the session as it was when its edit form was opened


def new_session_tab(actor: Actor, modules: list[Any], structures: dict[int, str]) -> None:
    """Record a session: its module first, then the form."""
    module = module_picker(modules, key="trainings_new_module")
    if module is not None:
        data = session_form(key="trainings_new", module=module, structures=structures)
        if data is not None:
            with handled():
                created = training_session_create(actor=actor, data=data)
                st.success(
                    f"Session enregistrée ({SessionStatus.label_of(created.status).lower()}) : "
                    f"{md(created.module_title)}, {participants_summary(created.participants)}."
                )


def import_tab(actor: Actor) -> None:
    """Import past sessions from a file, with the templates to fill."""
    st.markdown(
        "Une ligne par session **réalisée** : dates, module (intitulé exact du catalogue), organisme formateur, lieu "
        "(code du département, ou « à distance »), heures, structures (noms séparés par « ; »), une colonne par profil "
        "de participants, satisfaction (1 à 5) et commentaire facultatifs. Tout le fichier est vérifié avant "
        "d'écrire : s'il reste une erreur, rien n'est importé."
    )
    a, b = st.columns(2)
    a.download_button(
        "Modèle CSV",
        cached(training_import_template, file_format="csv"),
        "modele-sessions.csv",
        mime="text/csv",
        key="trainings_template_csv",
    )
    b.download_button(
        "Modèle Excel (XLSX)",
        cached(training_import_template, file_format="xlsx"),
        "modele-sessions.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="trainings_template_xlsx",
    )
    upload = st.file_uploader("Fichier de sessions (CSV ou XLSX)", type=["csv", "xlsx"], key="trainings_import_file")
    if upload is not None and st.button("Importer", type="primary", key="trainings_import_go"):
        with handled():
            report = training_session_import(
                actor=actor, rows=training_import_read(content=upload.getvalue(), filename=upload.name)
            )
            if report.ok:
                st.success(f"{fr_number(report.written)} sessions importées.")
            else:
                st.error(
                    f"Rien n'a été importé : {fr_number(len(report.errors))} erreurs à corriger dans le fichier.\n\n"
                    + "\n".join(f"- {e}" for e in report.errors)
                )


def edit_tab(actor: Actor, modules: list[Any], structures: dict[int, str]) -> None:
    """Complete or correct a session, or delete it; a concurrent edit is refused."""
    counts = cached(training_pending_counts, actor=actor)
    only_pending = st.checkbox(
        "Seulement les sessions à compléter",
        value=bool(counts.overdue or counts.unevaluated),
        key="trainings_edit_pending",
    )
    choices = cached(training_session_list, actor=actor, pending_only=only_pending, limit=100).rows
    labels = {
        r.id: f"{fr_date(r.start_date)} — {r.module_title} — {r.place} — {SessionStatus.label_of(r.status)}"
        for r in choices
    }
    chosen = st.selectbox(
        "Session",
        list(labels),
        format_func=labels.get,
        key="trainings_edit_session",
        index=None,
        placeholder="Choisir une session (les 100 plus récentes)",
    )
    opened = st.session_state.get(OPENED)
    if chosen is not None and (opened is None or opened.id != chosen):
        opened = st.session_state[OPENED] = training_session_get(actor=actor, session_id=chosen)
    if chosen is not None and opened is not None:
        if opened.status == SessionStatus.PLANNED.value and opened.end_date <= paris_today():
            st.info("Session passée : passez-la en « Réalisée » et saisissez les participants par profil.")
        module = module_picker(modules, key=f"trainings_edit_module_{opened.id}", current=opened.module_id)
        data = (
            session_form(
                key=f"trainings_edit_{opened.id}",
                module=module,
                structures=structures,
                initial=opened,
                submit_label="Enregistrer les modifications",
            )
            if module
            else None
        )
        if data is not None:
            with handled():  # a concurrent edit is refused there; « Recharger » shows the other version
                st.session_state[OPENED] = training_session_update(
                    actor=actor,
                    session_id=opened.id,
                    expected_version=opened.version,
                    data=data,
                    seen={k: getattr(opened, k) for k in SESSION_LABELS},
                )
                st.success(f"Session mise à jour : {participants_summary(data.participants)}.")
        if st.button("Recharger la session", key="trainings_edit_reload"):
            st.session_state.pop(OPENED, None)
            st.rerun()
        with st.expander("Supprimer cette session"):
            confirm = st.checkbox(
                "Je confirme la suppression (participants et structures compris)",
                key=f"trainings_delete_confirm_{opened.id}",
            )
            if st.button("Supprimer", disabled=not confirm, key=f"trainings_delete_{opened.id}"):
                with handled():
                    training_session_delete(actor=actor, session_id=opened.id, expected_version=opened.version)
                    st.session_state.pop(OPENED, None)
                    st.success("Session supprimée.")


def sessions_list(actor: Actor, modules: list[Any], structures: dict[int, str], year: int) -> None:
    """The sessions, filtered and paged."""
    module_titles = {m.id: m.title for m in modules}
    a, b, c, d = st.columns(4)
    chosen_year = a.selectbox(
        "Année",
        [None, year + 1, year, year - 1, year - 2],
        index=2,
        key="trainings_filter_year",
        format_func=lambda y: "Toutes" if y is None else str(y),
    )
    module_id = b.selectbox(
        "Module",
        [None, *module_titles],
        key="trainings_filter_module",
        format_func=lambda i: "Tous" if i is None else module_titles[i],
    )
    status = c.selectbox(
        "Statut",
        [None, *SessionStatus.labels()],
        key="trainings_filter_status",
        format_func=lambda s: "Tous" if s is None else SessionStatus.label_of(s),
    )
    structure_id = d.selectbox(
        "Structure participante",
        [None, *structures],
        key="trainings_filter_structure",
        format_func=lambda i: "Toutes" if i is None else structures[i],
    )
    pending = st.checkbox(
        "Seulement les sessions à compléter (participants ou évaluation manquants)", key="trainings_filter_pending"
    )
    result = paginate(
        "trainings_page",
        lambda limit, offset: cached(
            training_session_list,
            actor=actor,
            year=chosen_year,
            module_id=module_id,
            status=status,
            structure_id=structure_id,
            pending_only=pending,
            limit=limit,
            offset=offset,
        ),
    )
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "N°": r.id,
                    "Début": fr_date(r.start_date),
                    "Fin": fr_date(r.end_date),
                    "Module": r.module_title,
                    "Lieu": r.place,
                    "Heures": fr_hours(r.hours),
                    "Statut": SessionStatus.label_of(r.status),
                    "Participants": r.participants,
                    "Structures": r.structures,
                    "Satisfaction": "—" if r.satisfaction is None else f"{r.satisfaction} / 5",
                    "Organisme": r.trainer_organisation,
                }
                for r in result.rows
            ]
        ),
        hide_index=True,
        width="stretch",
    )


def year_summary(actor: Actor, year: int) -> None:
    """The year's figures and the link to the detailed indicators."""
    totals = cached(training_totals, actor=actor, start=date(year, 1, 1), end=date(year, 12, 31))
    a, b, c, d = st.columns(4)
    a.metric(f"Professionnels formés en {year}", fr_number(totals.participants))
    b.metric("Sessions réalisées", fr_number(totals.sessions))
    c.metric("Heures de formation", fr_number(totals.session_hours, 1 if totals.session_hours % 1 else 0))
    d.metric("Heures-stagiaires", fr_number(totals.person_hours, 1 if totals.person_hours % 1 else 0))
    by_profile = cached(
        training_trained, actor=actor, start=date(year, 1, 1), end=date(year, 12, 31), group_by=("profile",)
    )
    if by_profile:
        st.caption(
            "Par profil : "
            + " · ".join(
                f"{TrainingProfile.label_of(r.profile)} {fr_number(r.participants)}"
                for r in sorted(by_profile, key=lambda r: -r.participants)
            )
        )
    st.page_link(
        PAGE_BY_KEY["training_indicators"].script,
        label="Indicateurs détaillés et plan / réalisé",
        icon=":material/bar_chart:",
    )
