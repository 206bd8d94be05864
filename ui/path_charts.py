"""Altair charts of the child-path indicators; the counts come already grouped from SQL."""

from __future__ import annotations

import altair as alt
import pandas as pd

from services.path.indicators import MEASURES


def path_series_chart(series: list[dict]) -> alt.Chart:
    """Grouped bars per period, one per indicator: rows of {Période, clé (sort key), Indicateur, Nombre}."""
    frame = pd.DataFrame(series)
    order = sorted(frame["clé"].dropna().unique())
    labels = frame.drop_duplicates("clé").set_index("clé")["Période"]
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("Période:N", sort=[labels[k] for k in order], title=None),
            xOffset=alt.XOffset("Indicateur:N", sort=list(MEASURES.values())),
            y=alt.Y("Nombre:Q", title="Nombre"),
            color=alt.Color(
                "Indicateur:N", sort=list(MEASURES.values()), legend=alt.Legend(orient="bottom", title=None)
            ),
            tooltip=["Période", "Indicateur", alt.Tooltip("Nombre:Q", format=",d")],
        )
        .properties(height=300)
    )
