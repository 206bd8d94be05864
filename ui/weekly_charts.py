"""Charts of the weekly figures (Altair): each element over time, and the completeness grid."""

from __future__ import annotations

from datetime import date

import altair as alt
import pandas as pd

from services.weekly.board import Cell, GridCell
from services.weekly.validation import fr_value
from services.weekly.weeks import week_label, week_short_label
from ui.maps import FRENCH_LOCALE

CELL_COLORS = {
    Cell.ON_TIME: "#2e7d32",
    Cell.LATE: "#f9a825",
    Cell.MISSING: "#c62828",
    Cell.PENDING: "#90caf9",
    Cell.NOT_EXPECTED: "#eeeeee",
}
OPEN_COLOR = "#ef6c00"
OPEN_TEXT = "en cours : chiffres encore attendus"
MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]


def series_chart(frame: pd.DataFrame, *, monthly: bool = False, network: bool = False) -> alt.FacetChart:
    """Small multiples, one per element, over time; a week (or month) without figures breaks the line.

    `frame` comes from services.weekly.series (weekly_series_* or weekly_series_by_month): one row per
    period × element, value NaN where nothing was counted.
    """
    data = pd.DataFrame(
        {
            "periode": pd.to_datetime(frame["week_start"]),
            "element": frame["label"],
            "valeur": frame["value"].astype(float),
            "texte": [("pas de chiffres" if pd.isna(v) else fr_value(v)) for v in frame["value"]],
            "quand": [_period_label(d, monthly) for d in frame["week_start"]],
            "structures": frame["structures"].astype(int),
            "etat": [OPEN_TEXT if o else "" for o in frame["open"]],
        }
    )
    # Closed periods make the line; a period still open (figures still coming in) is a lone marker,
    # so a half-reported current week never looks like a collapse.
    data["ferme"] = data["valeur"].where(data["etat"] == "")
    data["ouvert"] = data["valeur"].where(data["etat"] != "")
    # What a screen reader says of a point (else Vega reads out the column names, "ferme: null").
    data["description"] = (
        data["element"]
        + ", "
        + data["quand"]
        + " : "
        + data["texte"]
        + data["etat"].map(lambda etat: f" ({etat})" if etat else "")
    )
    if network:
        data["description"] += data["structures"].map(lambda n: f", {n} structure(s) ayant répondu")
    tooltip = [
        alt.Tooltip("element:N", title="Élément"),
        alt.Tooltip("quand:N", title="Période"),
        alt.Tooltip("texte:N", title="Valeur"),
        alt.Tooltip("etat:N", title="État"),
    ]
    if network:
        tooltip.append(alt.Tooltip("structures:Q", title="Structures ayant répondu"))
    order = list(dict.fromkeys(frame["label"]))
    x = alt.X(
        "periode:T", title=None, axis=alt.Axis(format="%m/%Y" if monthly else "%d/%m/%y", labelAngle=0, tickCount=6)
    )
    closed = (
        alt.Chart()
        .mark_line(point=alt.OverlayMarkDef(size=28), invalid="break-paths-show-domains", strokeWidth=2)
        .encode(
            x=x,
            y=alt.Y("ferme:Q", title=None, scale=alt.Scale(zero=True), axis=alt.Axis(tickMinStep=1)),
            tooltip=tooltip,
            description="description:N",
        )
    )
    still_open = (
        alt.Chart()
        .mark_point(shape="diamond", size=70, filled=True, color=OPEN_COLOR, invalid="filter")
        .encode(x=x, y=alt.Y("ouvert:Q", title=None), tooltip=tooltip, description="description:N")
    )
    return (
        alt.layer(closed, still_open, data=data)
        .properties(width=330, height=150)
        .facet(
            facet=alt.Facet(
                "element:N",
                title=None,
                sort=order,
                header=alt.Header(labelFontSize=13, labelFontWeight="bold", labelAnchor="start"),
            ),
            columns=2,
        )
        .resolve_scale(y="independent")
        .configure(locale=FRENCH_LOCALE)
    )


def _period_label(day: date, monthly: bool) -> str:
    if monthly:
        return f"{MONTHS[day.month - 1]} {day.year}"
    return week_label(day)


def completeness_grid_chart(cells: list[GridCell], structure_order: list[str]) -> alt.Chart:
    """Structures × weeks coloured on time / late / missing / pending."""
    data = pd.DataFrame(
        [
            {
                "structure": c.structure_name,
                "semaine": week_short_label(c.week_start),
                "ordre": c.week_start.isoformat(),
                "etat": c.cell.label,
                "detail": week_label(c.week_start),
                "statut": {"renvoye": "renvoyé pour correction", "valide": "validé"}.get(c.status or "", ""),
            }
            for c in cells
        ]
    )
    weeks = list(dict.fromkeys(data.sort_values("ordre")["semaine"])) if not data.empty else []
    return (
        alt.Chart(data)
        .mark_rect(stroke="white", strokeWidth=1)
        .encode(
            x=alt.X("semaine:O", title=None, sort=weeks, axis=alt.Axis(labelAngle=-45)),
            y=alt.Y(
                "structure:N",
                title=None,
                sort=structure_order,
                axis=alt.Axis(labelLimit=320, labelOverlap=False, labelFontSize=11),
            ),
            color=alt.Color(
                "etat:N",
                title="État",
                scale=alt.Scale(domain=[c.label for c in CELL_COLORS], range=list(CELL_COLORS.values())),
                legend=alt.Legend(orient="top"),
            ),
            tooltip=[
                alt.Tooltip("structure:N", title="Structure"),
                alt.Tooltip("detail:N", title="Semaine"),
                alt.Tooltip("etat:N", title="État"),
                alt.Tooltip("statut:N", title="Revue"),
            ],
        )
        .properties(height=alt.Step(22))
        .configure(locale=FRENCH_LOCALE)
    )
