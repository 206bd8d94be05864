"""The dashboard's parts (coordination): the tiles, and one indicator's evolution, breakdowns, records
and map."""

from __future__ import annotations

from typing import Any

import streamlit as st

from core.access import Actor
from core.formatting import fr_number
from services.indicators.catalogue import indicator_coverage_map, indicator_records, indicator_series
from services.indicators.publication import protection_rule
from ui.cache import cached, chart
from ui.feedback import handled
from ui.indicators import coverage_map, records_frame, series_chart, show_table, table_chart, tile
from ui.pagination import paginate
from ui.text import md

TILES_PER_ROW = 4


def _select(key: str) -> None:
    st.session_state["dashboard_indicator"] = key


def _records(
    actor: Actor,
    period: Any,
    scope: Any,
    key: str,
    *,
    table: str | None = None,
    row: str | None = None,
    column: str | None = None,
    suffix: str = "",
) -> None:
    """One page of the records behind a number, with a page picker."""
    with handled():
        page = paginate(
            f"dashboard_records_page_{key}{suffix}",
            lambda limit, offset: cached(
                indicator_records,
                actor=actor,
                key=key,
                period=period,
                scope=scope,
                table=table,
                row=row,
                column=column,
                limit=limit,
                offset=offset,
            ),
        )
        st.caption(f"{page.title} : {fr_number(page.total)} enregistrement(s).")
        st.dataframe(records_frame(page), hide_index=True, width="stretch")


def tiles(views: list[Any]) -> None:
    """The indicators' tiles, four a row, each with a button that opens its detail."""
    for start in range(0, len(views), TILES_PER_ROW):
        columns = st.columns(TILES_PER_ROW, border=True)
        for column, view in zip(columns, views[start : start + TILES_PER_ROW]):
            tile(column, view)
            if view.headline is not None:
                column.button(
                    "Détail",
                    key=f"dashboard_open_{view.info.key}",
                    on_click=_select,
                    args=(view.info.key,),
                    icon=":material/zoom_in:",
                )


def evolution_tab(actor: Actor, view: Any, period: Any, scope: Any, protected: bool) -> None:
    """The indicator over the periods before this one."""
    key = view.info.key
    points = cached(indicator_series, actor=actor, key=key, period=period, scope=scope, protected=protected)
    percent = view.info.unit == "%"
    st.vega_lite_chart(
        chart(series_chart, points=points, title=view.info.short_title, percent=percent), width="stretch"
    )
    st.caption("Chaque période est calculée comme la tuile ; une période sans valeur publiée est laissée vide.")


def breakdown_tab(actor: Actor, view: Any, period: Any, scope: Any, protected: bool) -> None:
    """The indicator's tables with charts; a row selected shows its records."""
    key = view.info.key
    if not view.tables:
        st.caption("Pas de répartition pour cet indicateur.")
    for table in view.tables:
        left, right = st.columns([2, 3])
        with left:
            selected = show_table(
                table,
                key=f"dashboard_table_{key}_{table.key}",
                selectable=not protected,
                legend=cached(protection_rule).legend if table.protected else None,
            )
        with right:
            spec = chart(table_chart, table=table)
            if spec is not None:
                st.vega_lite_chart(spec, width="stretch")
        if selected is not None and not protected:
            label, row_key = table.row_labels[selected], table.row_keys[selected]
            column = None
            drillable = [c for c in table.column_keys if c in ("conseils", "covered", "uncovered")]
            if drillable:
                names = dict(zip(table.column_keys, table.column_labels))
                column = st.selectbox(
                    "Enregistrements de la colonne",
                    [None, *drillable],
                    format_func=lambda c: "Toutes" if c is None else names[c],  # noqa: B023 (used at once)
                    key=f"dashboard_column_{key}_{table.key}",
                )
            st.markdown(f"Enregistrements derrière « {md(label)} » :")
            _records(actor, period, scope, key, table=table.key, row=row_key, column=column, suffix=f"_{table.key}")
    if not protected:
        st.caption("Sélectionnez une ligne d'un tableau pour voir les enregistrements qui la composent.")


def records_tab(actor: Actor, view: Any, period: Any, scope: Any, protected: bool) -> None:
    """The records behind the number (never for the funder's view)."""
    key = view.info.key
    if protected:
        st.info("Le financeur n'a pas accès au détail des enregistrements.")
    else:
        _records(actor, period, scope, key)


def map_tab(actor: Actor, period: Any, scope: Any) -> None:
    """Coverage of the territory's départements."""
    st.caption(
        "Départements du territoire choisi, colorés selon la couverture à la fin de la période ; les autres "
        "sont en gris."
    )
    coverage_map("dashboard", cached(indicator_coverage_map, actor=actor, period=period, scope=scope))
