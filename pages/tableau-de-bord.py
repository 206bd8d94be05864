"""Dashboard (coordination): every indicator for a period and a territory, its change against the
previous period, charts over time and by category, the coverage map, and the records behind each number."""

import streamlit as st

from services.indicators.catalogue import indicator_overview, indicator_view
from services.indicators.publication import protection_rule
from services.indicators.territories import territory_note
from ui.auth import page_guard
from ui.cache import cached
from ui.dashboard import breakdown_tab, evolution_tab, map_tab, records_tab, tiles
from ui.indicators import period_caption, period_filter, scope_filter

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
tiles(views)
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
    evolution_tab(actor, view, period, scope, protected)
with breakdown:
    breakdown_tab(actor, view, period, scope, protected)
with records:
    records_tab(actor, view, period, scope, protected)
with geography:
    map_tab(actor, period, scope)
