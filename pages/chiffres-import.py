"""Import several weeks of figures from a CSV or XLSX file (all or nothing)."""

import streamlit as st

from core.formatting import fr_number
from services.weekly.imports import weekly_import_file, weekly_import_template
from ui.auth import page_guard
from ui.feedback import handled

actor = page_guard("weekly_import")
st.title("Import de chiffres")
st.markdown(
    "Une ligne par structure et par semaine. Colonnes : **semaine** (la date d'un jour de la semaine, par "
    "exemple 10/02/2025, ou son numéro, par exemple semaine 7 de 2025), **structure** (nom exact ou numéro ; inutile pour "
    "votre propre structure), puis un élément par colonne, sous son libellé ou le nom de colonne du modèle. Une "
    "valeur requise laissée vide s'explique dans la colonne « commentaire_ » de l'élément, par exemple "
    "commentaire_arrivees pour les arrivées. Les nombres s'écrivent à la française (8,5 ; 1 234).\n\n"
    "L'import est **tout ou rien** : au moindre défaut, rien n'est enregistré et chaque erreur est indiquée "
    "avec son numéro de ligne. Chaque ligne importée vaut envoi à la coordination."
)
st.download_button(
    "Télécharger un modèle (CSV)",
    weekly_import_template(actor=actor),
    file_name="modele-chiffres.csv",
    mime="text/csv",
    key="weekly_import_template",
)

with st.form("weekly_import_form", clear_on_submit=False):
    upload = st.file_uploader("Fichier CSV ou XLSX", type=["csv", "xlsx"], key="weekly_import_file")
    confirm = st.checkbox("Je confirme les valeurs inhabituelles éventuelles", key="weekly_import_confirm")
    submitted = st.form_submit_button("Importer", type="primary")
if submitted:
    if upload is None:
        st.warning("Choisissez d'abord un fichier.")
    else:
        with handled():
            report = weekly_import_file(
                actor=actor, filename=upload.name, content=upload.getvalue(), confirm_unusual=confirm
            )
            st.success(f"{fr_number(report.written)} semaine(s) importée(s) et envoyée(s) à la coordination.")
