"""Completeness board (coordination): who reported, on time or late, and whom to remind this week."""

import pandas as pd
import streamlit as st

from core.formatting import fr_number, fr_percent, fr_week
from services.directory.referential import region_options
from services.weekly.board import (
    weekly_board_grid,
    weekly_board_overview,
    weekly_board_reminders,
    weekly_board_structures,
)
from services.weekly.weeks import fr_deadline
from ui.auth import page_guard
from ui.cache import cached, chart
from ui.pagination import paginate
from ui.text import md
from ui.weekly_charts import completeness_grid_chart

actor = page_guard("weekly_board")
st.title("Complétude des chiffres hebdomadaires")

left, right = st.columns(2)
past_weeks = left.selectbox(
    "Période",
    [4, 8, 13, 26, 52],
    index=2,
    key="weekly_board_weeks",
    format_func=lambda n: f"les {n} dernières semaines",
)
weeks = past_weeks + 1  # and the current week, counted once its deadline has passed
regions = dict(region_options())
region = right.selectbox(
    "Région", ["", *regions], format_func=lambda c: regions.get(c, "Toutes"), key="weekly_board_region"
)

overview = cached(weekly_board_overview, actor=actor, weeks=weeks, region_code=region or None)
network = overview.network
cols = st.columns(4)
cols[0].metric(
    "Complétude", fr_percent(network.completeness), help="Rapports reçus / rapports attendus (semaines échues)."
)
cols[1].metric(
    "Ponctualité", fr_percent(network.timeliness), help="Rapports reçus avant l'échéance / rapports attendus."
)
cols[2].metric("Rapports manquants", fr_number(network.missing))
cols[3].metric("Renvoyés pour correction", fr_number(network.sent_back))

reminders = cached(weekly_board_reminders, actor=actor)
st.subheader(f"À relancer cette semaine — chiffres de la {fr_week(reminders.week_start)}")
st.caption(("Échéance passée : " if reminders.deadline_passed else "Échéance : ") + fr_deadline(reminders.deadline))
if reminders.missing:
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Structure": r.structure_name,
                    "Région": r.region,
                    "E-mail": r.email or "",
                    "Téléphone": r.phone or "",
                    "Saisie": "brouillon non envoyé" if r.status else "rien",
                    "Manquants sur 8 semaines": r.missing_recent,
                }
                for r in reminders.missing
            ]
        ),
        hide_index=True,
        width="stretch",
    )
    emails = sorted({r.email for r in reminders.missing if r.email})
    if emails:
        st.text_area("Adresses à copier pour la relance", "; ".join(emails), key="weekly_board_emails", height=68)
else:
    st.success("Toutes les structures attendues ont envoyé leurs chiffres.")
if reminders.sent_back:
    st.markdown(
        "**Renvoyés pour correction, pas encore corrigés :** "
        + ", ".join(md(r.structure_name) for r in reminders.sent_back)
    )

st.subheader("Par région")
st.dataframe(
    pd.DataFrame(
        [
            {
                "Région": r.label,
                "Attendus": r.expected,
                "Reçus": r.received,
                "À l'heure": r.on_time,
                "Manquants": r.missing,
                "Complétude": fr_percent(r.completeness),
                "Ponctualité": fr_percent(r.timeliness),
            }
            for r in overview.regions
        ]
    ),
    hide_index=True,
    width="stretch",
)

st.subheader("Par structure (les plus en manque d'abord)")
page = paginate(
    "weekly_board_page",
    lambda limit, offset: cached(
        weekly_board_structures, actor=actor, weeks=weeks, region_code=region or None, limit=limit, offset=offset
    ),
)
st.dataframe(
    pd.DataFrame(
        [
            {
                "Structure": r.label,
                "Région": r.region,
                "Attendus": r.expected,
                "Reçus": r.received,
                "À l'heure": r.on_time,
                "Manquants": r.missing,
                "Complétude": fr_percent(r.completeness),
                "Ponctualité": fr_percent(r.timeliness),
            }
            for r in page.rows
        ]
    ),
    hide_index=True,
    width="stretch",
)
if page.rows:
    window, cells = cached(
        weekly_board_grid, actor=actor, structure_ids=[r.key for r in page.rows], weeks=min(weeks, 27)
    )
    st.vega_lite_chart(
        chart(completeness_grid_chart, cells=cells, structure_order=[r.label for r in page.rows]), width="stretch"
    )
