"""Indicators of the children's path (coordination and funders): requests, children oriented and placed,
time to arrival, distance from the place of exploitation, runaways."""

from datetime import timedelta

import pandas as pd
import streamlit as st

from core.access import Action, can
from core.clock import paris_today
from core.formatting import fr_number, fr_percent
from services.admin.settings import setting_set
from services.indicators.disclosure import disclosure_legend
from services.path.indicators import GROUPS, MEASURES, path_indicator_counts, path_summary
from ui.auth import page_guard
from ui.cache import cached, chart
from ui.feedback import handled
from ui.indicators import month_range_filter
from ui.inputs import fr_number_input, refuse_unreadable
from ui.maps import coverage_map_chart
from ui.path_charts import path_series_chart
from ui.path_forms import flash, show_flash

PERIODS = {"month": "Mois", "quarter": "Trimestre", "year": "Année"}

actor = page_guard("path_indicators")
st.title("Indicateurs du parcours")
show_flash()

left, right = st.columns([2, 1])
if actor.is_funder:  # whole months that are over (services.indicators.disclosure_policy)
    start, end = month_range_filter("path_indicators", left)
else:
    period = left.date_input(
        "Période",
        value=(paris_today() - timedelta(days=365), paris_today()),
        format="DD/MM/YYYY",
        key="path_indicators_period",
    )
    start, end = (tuple(period) + (None, None))[:2] if isinstance(period, tuple) else (period, period)
granularity = right.selectbox(
    "Regrouper par", list(PERIODS), format_func=PERIODS.get, key="path_indicators_granularity"
)
if actor.is_funder and (actor.departement_code or actor.region_code):
    st.info(
        "Chiffres de votre territoire : sollicitations et orientations selon le département d'exploitation, "
        "accueils selon le département de la structure."
    )


def share_text(share) -> str:
    if share.rate is None:
        return "—"
    if share.numerator is None:
        return fr_percent(share.rate)
    return f"{fr_percent(share.rate)} ({fr_number(share.numerator)} / {fr_number(share.denominator)})"


summary = cached(path_summary, actor=actor, start=start, end=end)
if summary.rule is not None:
    st.caption(
        disclosure_legend(threshold=summary.rule.threshold, rounding=summary.rule.rounding)
        + " Un taux ou un délai n'est publié que si chaque effectif qui le compose peut l'être."
    )
row1 = st.columns(3)
row1[0].metric("1. Sollicitations reçues", summary.shown(summary.requests))
row1[1].metric("2. Enfants orientés", summary.shown(summary.oriented))
row1[2].metric("3. Enfants accueillis", summary.shown(summary.placed))
row2 = st.columns(4)
row2[0].metric(
    "Délai médian jusqu'à l'arrivée",
    "—" if summary.median_days_to_arrival is None else f"{fr_number(summary.median_days_to_arrival, 1)} j",
    help=f"Sur {summary.shown(summary.arrivals_timed)} arrivée(s) de la période.",
)
row2[1].metric(f"Placements à {fr_number(summary.min_distance_km)} km ou plus", share_text(summary.distance_share))
row2[2].metric(
    "Fugue dans les 7 jours",
    share_text(summary.runaway_7),
    help="Parmi les placements dont l'issue à 7 jours est connue.",
)
row2[3].metric(
    "Fugue dans les 30 jours",
    share_text(summary.runaway_30),
    help="Parmi les placements dont l'issue à 30 jours est connue.",
)

st.subheader("Évolution")
series = []
for measure, label in MEASURES.items():
    for row in cached(
        path_indicator_counts, actor=actor, measure=measure, group_by="period", start=start, end=end, period=granularity
    ).rows:
        series.append({"Période": row.label, "clé": row.key, "Indicateur": label, "Nombre": row.count})
if series:
    st.vega_lite_chart(chart(path_series_chart, series=series), width="stretch")
else:
    st.info("Aucune donnée sur la période.")

st.subheader("Répartition")
dim_col, measure_col = st.columns(2)
dimension = dim_col.selectbox(
    "Selon", [g for g in GROUPS if g != "period"], format_func=GROUPS.get, key="path_indicators_dimension"
)
measure = measure_col.selectbox("Indicateur", list(MEASURES), format_func=MEASURES.get, key="path_indicators_measure")
split = cached(path_indicator_counts, actor=actor, measure=measure, group_by=dimension, start=start, end=end)
rows = split.rows
if split.withheld:
    st.info(split.withheld, icon=":material/shield:")
table, picture = st.columns([1, 1])
total_label = "Total des sollicitations" if dimension == "exploitation_form" else "Total"
table.dataframe(
    pd.DataFrame(
        [{GROUPS[dimension]: r.label, MEASURES[measure]: r.shown} for r in rows]
        + [{GROUPS[dimension]: total_label, MEASURES[measure]: split.total_shown}],
        columns=[GROUPS[dimension], MEASURES[measure]],
    ),
    hide_index=True,
    width="stretch",
)
if dimension == "exploitation_form":
    table.caption("Une sollicitation peut citer plusieurs formes d'exploitation : elle compte dans chacune.")
if dimension in ("exploitation_departement", "requester_departement") and rows:
    values = pd.DataFrame([{"code": r.key, "valeur": r.count, "texte": r.shown} for r in rows if r.key])
    picture.vega_lite_chart(
        chart(
            coverage_map_chart,
            values=values,
            measure="valeur",
            measure_label=MEASURES[measure],
            tooltip=[("texte", MEASURES[measure])],
        ),
        width="content",
    )

if can(actor, Action.SETTINGS_MANAGE):
    with st.expander("Réglage : distance minimale entre le lieu d'exploitation et la structure d'accueil"):
        with st.form("path_indicators_distance"):
            value = fr_number_input(
                "Distance minimale (km)",
                integer=True,
                required=True,
                min_value=0,
                max_value=1000,
                value=int(summary.min_distance_km),
                key="path_indicators_distance_value",
            )
            if st.form_submit_button("Enregistrer"):
                with handled():
                    refuse_unreadable(value)
                    setting_set(actor=actor, key="path_min_distance_km", value=int(value))
                    flash(f"Distance minimale : {fr_number(value)} km.")
