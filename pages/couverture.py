"""Coverage map (coordination): which départements the network covers, overseas included, at a chosen date."""

from datetime import date

import streamlit as st

from core.clock import paris_today
from core.collation import french_key
from core.formatting import fr_date, fr_number
from services.directory.coverage import COVERED_DEFINITION, coverage_map_values, indicator_coverage, indicator_partners
from ui.auth import page_guard
from ui.cache import cached
from ui.indicators import MAP_MEASURES, coverage_map_spec

actor = page_guard("coverage")
st.title("Couverture du territoire")
today = paris_today()
a, b = st.columns([1, 2])
on = a.date_input(
    "À la date du", value=today, format="DD/MM/YYYY", min_value=date(2015, 1, 1), max_value=today, key="coverage_date"
)
measure = b.radio(
    "Colorer selon", list(MAP_MEASURES), format_func=MAP_MEASURES.get, horizontal=True, key="coverage_measure"
)


values = cached(coverage_map_values, actor=actor, on=on)
partners = cached(indicator_partners, actor=actor, on=on)
covered = cached(indicator_coverage, actor=actor, on=on)
m1, m2, m3, m4 = st.columns(4)
m1.metric("Départements couverts", f"{covered.covered} / {covered.departements}")
m2.metric("dont outre-mer", f"{covered.covered_overseas} / {covered.overseas}")
m3.metric("Structures actives", fr_number(partners.active_structures))
m4.metric("Conseils départementaux engagés", fr_number(partners.conseils_engaged))

rows = tuple((v["code"], v["active_structures"], v["places"], v["conventions"], v["covered"]) for v in values)
left, right = st.columns([3, 1])
with left:
    st.vega_lite_chart(coverage_map_spec(measure, rows), width="content", key="coverage_map")
    st.caption(
        COVERED_DEFINITION + " Les chiffres des infobulles sont ceux de l'annuaire filtré sur le département "
        "et le statut « Active ». Paris et la petite couronne sont agrandis en encart ; les départements "
        "d'outre-mer sont dessinés en encarts."
    )
with right:
    uncovered = [v for v in values if not v["covered"]]
    st.subheader(f"Non couverts ({len(uncovered)})")
    st.caption(f"au {fr_date(on)} — par région ; « CD » : convention en vigueur avec le conseil départemental")
    if not uncovered:
        st.success("Tous les départements sont couverts.")
    by_region: dict[str, list[str]] = {}
    for v in uncovered:
        label = f"{v['code']} {v['name']}" + (" (CD)" if v["conventions"] else "")
        by_region.setdefault(v["region"] + (" — outre-mer" if v["overseas"] else ""), []).append(label)
    with st.container(height=560, border=False):
        st.markdown(
            "\n".join(
                f"- **{region}** : {', '.join(names)}"
                for region, names in sorted(by_region.items(), key=lambda item: french_key(item[0]))
            )
        )
