"""The funder's view: every indicator of the network, aggregated only, small counts protected."""

import streamlit as st

from services.indicators.catalogue import indicator_coverage_map, indicator_overview, indicator_series, indicator_view
from services.indicators.disclosure_policy import publication_rules
from services.indicators.publication import protection_rule
from services.indicators.territories import territory_note
from services.report.annual import annual_report_html, annual_report_xlsx, annual_report_years, indicator_workbook
from ui.auth import page_guard
from ui.cache import cached, chart
from ui.indicators import (
    coverage_map,
    period_caption,
    period_filter,
    scope_filter,
    series_chart,
    show_table,
    table_chart,
    tile,
)

TILES_PER_ROW = 4

actor = page_guard("funder_indicators")
st.title("Indicateurs du réseau")
rule = cached(protection_rule)
short_legend = f"« {rule.small_text} » et « s » : voir « Protection des petits effectifs » plus haut."
period = period_filter("funder", funder=True)
scope = scope_filter("funder", actor)
st.caption(period_caption(period, scope))

views = cached(indicator_overview, actor=actor, period=period, scope=scope)
for start in range(0, len(views), TILES_PER_ROW):
    columns = st.columns(TILES_PER_ROW, border=True)
    for column, view in zip(columns, views[start : start + TILES_PER_ROW]):
        tile(column, view)
st.info(
    f"**Protection des petits effectifs.** {rule.legend} Les parts sont calculées sur les effectifs publiés.",
    icon=":material/shield:",
)
with st.expander("Méthode : ce qui est publié, et pourquoi"):
    for line in publication_rules(threshold=rule.threshold):
        st.text(line)

st.divider()
labels = {v.info.key: v.info.label for v in views if v.headline is not None}
if labels:
    key = st.selectbox("Indicateur détaillé", list(labels), format_func=labels.get, key="funder_indicator")
    view = cached(indicator_view, actor=actor, key=key, period=period, scope=scope)
    st.subheader(view.info.title)
    st.caption(view.info.definition)
    st.caption(territory_note(view.info.key, scope))
    evolution, breakdown, geography = st.tabs(["Évolution", "Répartitions", "Carte de couverture"])
    with evolution:
        points = cached(indicator_series, actor=actor, key=key, period=period, scope=scope)
        st.vega_lite_chart(
            chart(series_chart, points=points, title=view.info.short_title, percent=view.info.unit == "%"),
            width="stretch",
        )
        st.caption(
            "Chaque période est publiée comme la tuile ; une période dont l'effectif est petit est laissée "
            "vide (« < 5 » au survol)."
        )
    with breakdown:
        if not view.tables:
            st.caption("Pas de répartition pour cet indicateur.")
        for table in view.tables:
            left, right = st.columns([2, 3])
            with left:
                show_table(table, legend=short_legend if table.protected else None)
            with right:
                spec = chart(table_chart, table=table)
                if spec is not None:
                    st.vega_lite_chart(spec, width="stretch")
    with geography:
        st.caption("Structures partenaires actives par département à la fin de la période.")
        coverage_map("funder", cached(indicator_coverage_map, actor=actor, period=period, scope=scope))

st.divider()
st.subheader("Téléchargements")
st.caption("Les fichiers sont préparés au clic, avec la même protection des petits effectifs que cette page.")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
left, right = st.columns(2)
left.download_button(
    "Indicateurs de la période (XLSX)",
    lambda: indicator_workbook(actor=actor, period=period, scope=scope),
    f"indicateurs-{period.start.isoformat()}.xlsx",
    mime=XLSX,
    key="funder_download_period",
    icon=":material/table:",
)
with right:
    year = st.selectbox(
        "Rapport annuel d'évaluation", cached(annual_report_years, actor=actor), key="funder_report_year"
    )
    a, b = st.columns(2)
    a.download_button(
        "Rapport (XLSX)",
        lambda: annual_report_xlsx(actor=actor, year=year, scope=scope),
        f"rapport-annuel-{year}.xlsx",
        mime=XLSX,
        key="funder_download_xlsx",
        icon=":material/table:",
    )
    b.download_button(
        "Rapport imprimable (HTML)",
        lambda: annual_report_html(actor=actor, year=year, scope=scope).encode("utf-8"),
        f"rapport-annuel-{year}.html",
        mime="text/html",
        key="funder_download_html",
        icon=":material/print:",
    )
