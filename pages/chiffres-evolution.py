"""Weekly figures over time, for one structure or the whole network (missing weeks are gaps)."""

import streamlit as st

from services.directory.referential import region_options
from services.directory.structures import structure_options
from services.weekly.series import weekly_series_by_month, weekly_series_network, weekly_series_structure
from ui.auth import page_guard
from ui.cache import cached, chart
from ui.feedback import handled
from ui.weekly_charts import series_chart

actor = page_guard("weekly_charts")
st.title("Évolution des chiffres")

top = st.columns(3)
scope = top[0].radio(
    "Périmètre",
    ["network", "structure"],
    horizontal=True,
    key="weekly_charts_scope",
    format_func={"network": "Tout le réseau", "structure": "Une structure"}.get,
)
weeks = top[1].selectbox(
    "Période", [13, 26, 52, 104], index=2, key="weekly_charts_weeks", format_func=lambda n: f"{n} semaines"
)
monthly = (
    top[2].radio(
        "Pas",
        ["week", "month"],
        horizontal=True,
        key="weekly_charts_step",
        format_func={"week": "Semaine", "month": "Mois"}.get,
    )
    == "month"
)

with handled():
    if scope == "network":
        regions = dict(region_options())
        region = st.selectbox(
            "Région", ["", *regions], format_func=lambda c: regions.get(c, "Toutes"), key="weekly_charts_region"
        )
        frame = cached(weekly_series_network, actor=actor, weeks=weeks, region_code=region or None)
    else:
        if actor.is_partner:
            structure_id = actor.structure_id
        else:
            structures = dict(structure_options(actor=actor))
            structure_id = st.selectbox(
                "Structure", list(structures), format_func=structures.get, key="weekly_charts_structure"
            )
        frame = cached(weekly_series_structure, actor=actor, structure_id=structure_id, weeks=weeks)
    labels = list(dict.fromkeys(frame["label"]))
    shown = st.multiselect("Éléments", labels, default=labels, key=f"weekly_charts_elements_{len(labels)}")
    frame = frame[frame["label"].isin(shown)]
    if monthly:
        frame = weekly_series_by_month(frame)
    withheld = list(dict.fromkeys(frame.loc[frame["withheld"] != "", "withheld"]))
    if frame.empty or frame["value"].isna().all():
        st.info(" ".join(withheld) if withheld else "Aucun chiffre envoyé sur cette période.")
    else:
        st.vega_lite_chart(chart(series_chart, frame=frame, monthly=monthly, network=scope == "network"))
        if withheld:
            st.caption("Points absents de la courbe — " + " ".join(withheld))
    st.caption(
        "Seuls les chiffres envoyés ou validés sont comptés ; une semaine sans chiffres interrompt la courbe "
        "(ce n'est pas un zéro). Losange orange : période encore ouverte, chiffres encore attendus. Réseau : somme des structures ayant répondu (nombre en infobulle). "
        "Par mois : les flux (arrivées…) sont additionnés, les stocks (enfants présents…) prennent la "
        "dernière semaine ou la moyenne, selon l'élément."
    )
