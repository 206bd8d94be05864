"""Annual evaluation report (coordination): the year's qualitative sections, and the report in one click."""

from datetime import date

import pandas as pd
import streamlit as st
import streamlit.components.v1 as components

from services.indicators.catalogue import indicator_overview
from services.indicators.publication import protection_rule
from services.periods import period_of
from services.report.annual import (
    annual_report_html,
    annual_report_xlsx,
    annual_report_years,
)
from ui.annual_report import qualitative_sections
from ui.auth import page_guard
from ui.cache import cached

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

actor = page_guard("annual_report")
st.title("Rapport annuel d'évaluation")
st.caption(
    "Le rapport remis au ministère : les indicateurs de l'appel à projets pour l'année civile et les rubriques "
    "qualitatives rédigées ci-dessous."
)
year = st.selectbox("Année", cached(annual_report_years, actor=actor), key="annual_report_year")
period = period_of("annee", date(year, 1, 1))
VERSIONS = {"Protégée — à remettre au ministère": True, "Interne — chiffres exacts, à ne pas diffuser": False}
protected = VERSIONS[
    st.radio(
        "Version",
        list(VERSIONS),
        horizontal=True,
        key="annual_report_version",
        help="La version protégée publie les chiffres tels que le financeur les lit (petits "
        "effectifs d'enfants masqués et arrondis). La version interne donne les chiffres "
        "exacts du tableau de bord, pour le travail de la coordination.",
    )
]

flash = st.session_state.pop("annual_report_flash", None)
if flash:
    st.success(flash)

st.subheader("Produire le rapport")
suffix = "" if protected else "-interne"
a, b = st.columns(2)
a.download_button(
    f"Classeur {year} (XLSX)",
    lambda: annual_report_xlsx(actor=actor, year=year, protected=protected),
    f"rapport-annuel-{year}{suffix}.xlsx",
    mime=XLSX,
    key="annual_report_download_xlsx",
    type="primary",
    icon=":material/table:",
)
b.download_button(
    f"Rapport {year} imprimable (HTML)",
    lambda: annual_report_html(actor=actor, year=year, protected=protected).encode("utf-8"),
    f"rapport-annuel-{year}{suffix}.html",
    mime="text/html",
    key="annual_report_download_html",
    type="primary",
    icon=":material/print:",
)
st.caption(
    "Le classeur a une feuille par indicateur (définition, valeur, mois, répartitions) ; le rapport HTML "
    "s'imprime depuis le navigateur (Ctrl+P, « Enregistrer en PDF »)."
)

views = cached(indicator_overview, actor=actor, period=period, protected=protected)
st.dataframe(
    pd.DataFrame(
        [
            {
                "N°": v.info.number,
                "Indicateur": v.info.title,
                str(year): v.headline.value.text if v.headline else "non disponible",
                str(year - 1): v.headline.previous.text if v.headline else "",
                "Évolution": (v.headline.change or "") if v.headline else "",
            }
            for v in views
        ]
    ),
    hide_index=True,
    width="stretch",
)
if protected:
    st.caption(
        f"Mêmes chiffres que le tableau de bord de l'année {year} en « Voir comme le financeur » et que la page "
        "du financeur. " + cached(protection_rule).legend
    )
else:
    st.caption(
        f"Mêmes chiffres que le tableau de bord de l'année {year}. Version interne : petits effectifs non "
        "protégés, à ne pas diffuser."
    )
if st.toggle("Aperçu du rapport imprimable", key="annual_report_preview"):
    components.html(cached(annual_report_html, actor=actor, year=year, protected=protected), height=700, scrolling=True)

st.subheader(f"Rubriques qualitatives {year}")
qualitative_sections(actor, year)
