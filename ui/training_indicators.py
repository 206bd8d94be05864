"""The training indicators page's sections (coordination, funders): professionals trained (6) and the
training strategy (7)."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from core.access import Actor
from core.formatting import fr_date, fr_number, fr_percent
from core.spreadsheet import csv_cell
from models.training import TrainingFormat, TrainingProfile
from services.training.indicators import (
    REMOTE_REGION,
    one_year_before,
    training_plan_vs_delivered,
    training_structure_coverage,
    training_totals,
    training_trained,
)
from services.training.modules import training_module_list
from ui.cache import cached, chart
from ui.training_charts import plan_vs_delivered_chart, trained_over_time_chart


def _hours(value: float) -> str:
    return fr_number(value, 1 if value % 1 else 0)


def period_picker(today: date) -> tuple[date, date, int]:
    """The period chosen: its first and last days, and the year of the plan shown."""
    periods = {f"year:{y}": f"Année {y}" for y in (today.year, today.year - 1, today.year - 2)}
    periods["12m"] = "12 derniers mois"
    chosen = st.selectbox("Période", list(periods), format_func=periods.get, key="training_indicators_period")
    if chosen == "12m":
        start, end = one_year_before(today) + timedelta(days=1), today
        plan_year = today.year
    else:
        plan_year = int(chosen.split(":")[1])
        start, end = date(plan_year, 1, 1), min(date(plan_year, 12, 31), today)
    return start, end, plan_year


def headline(actor: Actor, start: date, end: date, today: date) -> None:
    """The territory notice, the period and the key figures."""
    if actor.is_funder and (actor.departement_code or actor.region_code):
        st.info(
            "Chiffres de votre territoire : sessions qui s'y sont tenues, et sessions à distance suivies par au moins "
            "une structure du territoire. Le plan de formation est national."
        )
    st.caption(
        f"Du {fr_date(start)} au {fr_date(end)} — sessions réalisées, comptées à leur date de fin. "
        "Un professionnel qui suit deux sessions compte deux fois."
    )

    totals = cached(training_totals, actor=actor, start=start, end=end)
    coverage = cached(training_structure_coverage, actor=actor, as_of=today)
    a, b, c, d, e = st.columns(5)
    a.metric("Professionnels formés", fr_number(totals.participants))
    b.metric("Sessions réalisées", fr_number(totals.sessions))
    c.metric("Heures de formation", _hours(totals.session_hours))
    d.metric("Heures-stagiaires", _hours(totals.person_hours), help="Heures de chaque session × ses participants.")
    e.metric(
        "Structures formées (12 mois)",
        fr_percent(coverage.share),
        help=f"Part des structures actives du réseau ayant eu au moins un professionnel formé depuis le "
        f"{fr_date(coverage.window_start)} : {fr_number(coverage.trained_structures)} sur "
        f"{fr_number(coverage.active_structures)}.",
    )
    if totals.mean_satisfaction is not None:
        st.caption(
            f"Satisfaction moyenne : {fr_number(totals.mean_satisfaction, 1)} / 5 "
            f"({fr_number(totals.evaluated_sessions)} sessions évaluées)."
        )


def trained_sections(actor: Actor, start: date, end: date) -> None:
    """Professionals trained by profile over time, by module and by region."""
    st.subheader("Professionnels formés par profil")
    by_profile = cached(training_trained, actor=actor, start=start, end=end, group_by=("profile",))
    over_time = cached(training_trained, actor=actor, start=start, end=end, group_by=("period", "profile"))
    # Wide enough for the figures to show beside the profiles on a laptop screen (1280 px).
    left, right = st.columns([2, 3])
    left.dataframe(
        pd.DataFrame(
            [
                {"Profil": TrainingProfile.label_of(r.profile), "Formés": r.participants, "Sessions": r.sessions}
                for r in sorted(by_profile, key=lambda r: -r.participants)
            ]
        ),
        hide_index=True,
        width="stretch",
        height=35 * (len(by_profile) + 1) + 3,
    )
    right.vega_lite_chart(chart(trained_over_time_chart, rows=over_time), width="stretch")

    left, right = st.columns(2)
    with left:
        st.subheader("Par module")
        by_module = cached(training_trained, actor=actor, start=start, end=end, group_by=("module",))
        st.dataframe(
            pd.DataFrame(
                [
                    {"Module": r.module_title, "Professionnels formés": r.participants, "Sessions": r.sessions}
                    for r in sorted(by_module, key=lambda r: -r.participants)
                ]
            ),
            hide_index=True,
            width="stretch",
        )
    with right:
        st.subheader("Par région")
        by_region = cached(training_trained, actor=actor, start=start, end=end, group_by=("region",))
        st.dataframe(
            pd.DataFrame(
                [
                    {"Région": r.region_name, "Professionnels formés": r.participants, "Sessions": r.sessions}
                    for r in sorted(by_region, key=lambda r: -r.participants)
                ]
            ),
            hide_index=True,
            width="stretch",
        )
        st.caption(f"Région du lieu de la session ; « {REMOTE_REGION} » : sessions en distanciel.")


def plan_section(actor: Actor, plan_year: int) -> None:
    """The year's training plan against what was delivered."""
    st.subheader(f"Plan de formation {plan_year} et réalisé")
    per_module = cached(training_plan_vs_delivered, actor=actor, year=plan_year, by=("module",))
    if not per_module:
        st.info(f"Aucun plan ni aucune session réalisée en {plan_year}.")
    else:
        st.caption("Barre claire : professionnels prévus au plan ; barre foncée : professionnels formés dans l'année.")
        st.vega_lite_chart(chart(plan_vs_delivered_chart, gaps=per_module), width="stretch")
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "Module": g.module_title,
                        "Prévus": g.planned,
                        "Formés": g.delivered,
                        "Reste à former": max(g.gap, 0),
                        "Réalisation": fr_percent(g.rate),
                    }
                    for g in per_module
                ]
            ),
            hide_index=True,
            width="stretch",
        )
        with st.expander("Détail par module et par profil"):
            detail = cached(training_plan_vs_delivered, actor=actor, year=plan_year)
            st.dataframe(
                pd.DataFrame(
                    [
                        {
                            "Module": g.module_title,
                            "Profil": TrainingProfile.label_of(g.profile),
                            "Prévus": g.planned,
                            "Formés": g.delivered,
                            "Écart (prévus − formés)": g.gap,
                            "Réalisation": fr_percent(g.rate),
                        }
                        for g in detail
                    ]
                ),
                hide_index=True,
                width="stretch",
            )


def catalogue(actor: Actor) -> None:
    """The modules offered to partners."""
    st.subheader("Offre de formation proposée aux partenaires")
    modules = cached(training_module_list, actor=actor, active_only=True)
    st.caption(f"{fr_number(len(modules))} modules au catalogue.")
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Module": m.title,
                    "Format": TrainingFormat.label_of(m.format),
                    "Durée": m.duration_label,
                    "Profils visés": ", ".join(TrainingProfile.label_of(p) for p in m.target_profiles),
                    "Prérequis": ", ".join(m.prerequisite_titles),
                    "Objectifs": m.objectives,
                }
                for m in modules
            ]
        ),
        hide_index=True,
        width="stretch",
    )


def export_button(actor: Actor, start: date, end: date) -> None:
    """The CSV of professionals trained, built when clicked."""

    def _export() -> bytes:
        """The CSV of professionals trained, prepared when the button is clicked."""
        rows = training_trained(actor=actor, start=start, end=end, group_by=("module", "profile", "region"))
        return (
            pd.DataFrame(
                [
                    {
                        "module": r.module_title,
                        "profil": TrainingProfile.label_of(r.profile),
                        "region": r.region_name,
                        "professionnels_formes": r.participants,
                        "sessions": r.sessions,
                    }
                    for r in rows
                ]
            )
            .map(csv_cell)
            .to_csv(index=False, sep=";")
            .encode("utf-8-sig")
        )

    st.download_button(
        "Télécharger les professionnels formés (CSV)",
        _export,
        f"professionnels-formes-{start.isoformat()}-{end.isoformat()}.csv",
        mime="text/csv",
        key="training_indicators_export",
    )
