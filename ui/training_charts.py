"""Altair charts of the training indicators; the figures come already grouped from SQL."""

from __future__ import annotations

import altair as alt
import pandas as pd

from models.training import TrainingProfile
from services.training.indicators import PlanGap, TrainedRow
from ui.maps import FRENCH_LOCALE

PROFILE_ORDER = [p.label for p in TrainingProfile]
PLANNED_COLOR, DELIVERED_COLOR = "#c6d3e3", "#1f5fa8"


def trained_over_time_chart(rows: list[TrainedRow], *, period: str = "month") -> alt.Chart:
    """Stacked bars: professionals trained per month (or quarter / year), coloured by profile.

    A month without a delivered session has no bar: a gap, not a zero.
    """
    frame = pd.DataFrame(
        [
            {
                "Période": r.period,
                "Profil": TrainingProfile.label_of(r.profile),
                "Professionnels formés": r.participants,
            }
            for r in rows
        ]
    )
    if frame.empty:
        frame = pd.DataFrame({"Période": pd.Series(dtype="datetime64[ns]"), "Profil": [], "Professionnels formés": []})
    frame["Période"] = pd.to_datetime(frame["Période"])
    time_unit, fmt = {"month": ("yearmonth", "%b %y"), "quarter": ("yearquarter", "T%q %Y"), "year": ("year", "%Y")}[
        period
    ]
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X(
                f"{time_unit}(Période):T",
                title=None,
                axis=alt.Axis(format=fmt, labelAngle=0, labelAlign="left", labelOverlap=True),
            ),
            y=alt.Y("sum(Professionnels formés):Q", title="Professionnels formés"),
            color=alt.Color(
                "Profil:N",
                sort=PROFILE_ORDER,
                scale=alt.Scale(scheme="tableau20"),
                legend=alt.Legend(title="Profil", orient="bottom", columns=2),
            ),
            order=alt.Order("Profil:N"),
            tooltip=[
                alt.Tooltip(f"{time_unit}(Période):T", title="Période", format=fmt),
                alt.Tooltip("Profil:N"),
                alt.Tooltip("sum(Professionnels formés):Q", title="Professionnels formés"),
            ],
        )
        .properties(height=420)  # as tall as the table of profiles beside it
        .configure(locale=FRENCH_LOCALE)
    )


def plan_vs_delivered_chart(gaps: list[PlanGap], *, label: str = "module") -> alt.Chart:
    """Per module (or profile): the plan as a pale bar, what was delivered as a dark bar over it."""
    frame = pd.DataFrame(
        [
            {
                "Libellé": (g.module_title if label == "module" else TrainingProfile.label_of(g.profile)) or "",
                "Prévu": g.planned,
                "Réalisé": g.delivered,
                "Écart": g.gap,
                "Taux": g.rate if g.rate is not None else float("nan"),
            }
            for g in gaps
        ]
    )
    if frame.empty:
        frame = pd.DataFrame({"Libellé": [], "Prévu": [], "Réalisé": [], "Écart": [], "Taux": []})
    order = frame.sort_values("Prévu", ascending=False)["Libellé"].tolist()
    tooltip = [
        alt.Tooltip("Libellé:N", title="Module" if label == "module" else "Profil"),
        alt.Tooltip("Prévu:Q", title="Prévus au plan"),
        alt.Tooltip("Réalisé:Q", title="Formés"),
        alt.Tooltip("Écart:Q", title="Reste à former"),
        alt.Tooltip("Taux:Q", title="Réalisation", format=".0%"),
    ]
    y = alt.Y("Libellé:N", sort=order, title=None, axis=alt.Axis(labelLimit=320))
    top = float(max(frame["Prévu"].max(), frame["Réalisé"].max())) if len(frame) else 1.0
    x_scale = alt.Scale(domain=[0, max(top * 1.15, 1.0)])  # room for the « reste N » labels
    base = alt.Chart(frame).encode(y=y, tooltip=tooltip)
    planned = base.mark_bar(color=PLANNED_COLOR, size=22).encode(
        x=alt.X("Prévu:Q", title="Professionnels", scale=x_scale)
    )
    delivered = base.mark_bar(color=DELIVERED_COLOR, size=10).encode(x="Réalisé:Q")
    text = (
        base.mark_text(align="left", dx=4, fontSize=11)
        .encode(
            x=alt.X("max_value:Q"),
            text=alt.Text("label:N"),
        )
        .transform_calculate(
            max_value="max(datum['Prévu'], datum['Réalisé'])",
            label="datum['Écart'] > 0 ? 'reste ' + datum['Écart'] : 'plan atteint'",
        )
    )
    return (
        alt.layer(planned, delivered, text).properties(height=max(120, 34 * len(frame))).configure(locale=FRENCH_LOCALE)
    )
