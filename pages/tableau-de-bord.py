"""Dashboard (coordination): every indicator for a period and a territory, its change against the
previous period, charts over time and by category, the coverage map, and the records behind each number."""

import streamlit as st

from core.formatting import fr_number
from services.indicators.catalogue import (
    indicator_coverage_map,
    indicator_overview,
    indicator_records,
    indicator_series,
    indicator_view,
)
from services.indicators.publication import protection_rule
from services.indicators.territories import territory_note
from ui.auth import page_guard
from ui.cache import cached, chart
from ui.feedback import handled
from ui.indicators import (
    coverage_map,
    period_caption,
    period_filter,
    records_frame,
    scope_filter,
    series_chart,
    show_table,
    table_chart,
    tile,
)
from ui.text import md

PAGE_SIZE = 25
TILES_PER_ROW = 4


def _select(key: str) -> None:
    st.session_state["dashboard_indicator"] = key


def _records(
    key: str, *, table: str | None = None, row: str | None = None, column: str | None = None, suffix: str = ""
) -> None:
    """One page of the records behind a number, with a page picker."""
    with handled():
        first = cached(
            indicator_records,
            actor=actor,
            key=key,
            period=period,
            scope=scope,
            table=table,
            row=row,
            column=column,
            limit=PAGE_SIZE,
            offset=0,
        )
        pages = max(1, -(-first.total // PAGE_SIZE))
        number = 1
        if pages > 1:
            number = st.number_input(
                f"Page (sur {pages})",
                min_value=1,
                max_value=pages,
                value=1,
                step=1,
                key=f"dashboard_records_page_{key}{suffix}",
            )
        page = (
            first
            if number == 1
            else cached(
                indicator_records,
                actor=actor,
                key=key,
                period=period,
                scope=scope,
                table=table,
                row=row,
                column=column,
                limit=PAGE_SIZE,
                offset=(number - 1) * PAGE_SIZE,
            )
        )
        st.caption(f"{page.title} : {fr_number(page.total)} enregistrement(s).")
        st.dataframe(records_frame(page), hide_index=True, width="stretch")


actor = page_guard("dashboard")
st.title("Tableau de bord")
period = period_filter("dashboard")
scope = scope_filter("dashboard", actor)
protected = st.toggle(
    "Voir comme le financeur (petits effectifs protégés, sans détail)",
    key="dashboard_protected",
    help="Les effectifs d'enfants de 1 à 4 sont affichés « < 5 », les autres arrondis, et des "
    "cases complémentaires sont masquées, comme sur la page du financeur et dans le rapport.",
)
st.caption(period_caption(period, scope))

views = cached(indicator_overview, actor=actor, period=period, scope=scope, protected=protected)
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
if protected:
    st.caption(cached(protection_rule).legend)

st.divider()
labels = {v.info.key: v.info.label for v in views if v.headline is not None}
if not labels:
    st.stop()
if st.session_state.get("dashboard_indicator") not in labels:
    st.session_state.pop("dashboard_indicator", None)
key = st.selectbox("Indicateur détaillé", list(labels), format_func=labels.get, key="dashboard_indicator")
view = cached(indicator_view, actor=actor, key=key, period=period, scope=scope, protected=protected)
st.subheader(view.info.title)
st.caption(view.info.definition)
st.caption(territory_note(view.info.key, scope))

evolution, breakdown, records, geography = st.tabs(["Évolution", "Répartitions", "Enregistrements", "Carte"])
with evolution:
    points = cached(indicator_series, actor=actor, key=key, period=period, scope=scope, protected=protected)
    percent = view.info.unit == "%"
    st.vega_lite_chart(
        chart(series_chart, points=points, title=view.info.short_title, percent=percent), width="stretch"
    )
    st.caption("Chaque période est calculée comme la tuile ; une période sans valeur publiée est laissée vide.")
with breakdown:
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
            _records(key, table=table.key, row=row_key, column=column, suffix=f"_{table.key}")
    if not protected:
        st.caption("Sélectionnez une ligne d'un tableau pour voir les enregistrements qui la composent.")
with records:
    if protected:
        st.info("Le financeur n'a pas accès au détail des enregistrements.")
    else:
        _records(key)
with geography:
    st.caption(
        "Départements du territoire choisi, colorés selon la couverture à la fin de la période ; les autres "
        "sont en gris."
    )
    coverage_map("dashboard", cached(indicator_coverage_map, actor=actor, period=period, scope=scope))
