"""The directory's list (coordination, partner staff): filters, the table, opening a record, export,
creation and import."""

from __future__ import annotations

from functools import partial
from typing import Any

import pandas as pd
import streamlit as st

from core.access import Action, Actor, can
from core.bounds import text_limit
from core.formatting import fr_date, fr_number, fr_percent
from models.structure import ExploitationForm, Structure, StructureCreate
from services.directory.referential import departement_options, region_options
from services.directory.structure_export import structure_export
from services.directory.structure_import import structure_import
from services.directory.structure_listing import StructureFilters
from services.directory.structure_rules import LABELS
from services.directory.structures import structure_create
from ui.directory import KIND_LABELS, STATUS_LABELS, ages_text, filter_select, structure_fields
from ui.feedback import handled
from ui.inputs import validated


def directory_filters() -> StructureFilters:
    """The search box and filters above the list."""
    regions = dict(region_options())
    a, b, c = st.columns([2, 1, 1])
    search = a.text_input(
        "Rechercher (nom, commune, département)", key="directory_search", max_chars=text_limit(Structure, "name")
    )
    region = filter_select(b, "Région", regions, all_label="Toutes", key="directory_filter_region")
    departements = {o.code: o.label for o in departement_options() if region is None or o.region_code == region}
    departement = filter_select(c, "Département", departements, all_label="Tous", key="directory_filter_departement")
    a, b, c, d = st.columns([1, 1, 1, 1])
    kind = filter_select(a, "Type", KIND_LABELS, all_label="Tous", key="directory_filter_kind")
    status = filter_select(b, "Statut", STATUS_LABELS, all_label="Tous", key="directory_filter_status")
    form = filter_select(
        c, "Forme d'exploitation", ExploitationForm.labels(), all_label="Toutes", key="directory_filter_form"
    )
    d.write("")
    overseas = d.checkbox("Outre-mer seulement", key="directory_filter_overseas")
    return StructureFilters(
        search=search,
        region_code=region,
        departement_code=departement if departement in departements else None,
        kind=kind,
        status=status,
        exploitation_form=form,
        overseas_only=overseas,
    )


def _compliance_text(result: Any, structure_id: int) -> str:
    compliance = result.compliance.get(structure_id)
    if compliance is None or not compliance.assessed:
        return "jamais évaluée"
    text = f"{compliance.met}/{compliance.criteria} atteints ({fr_percent(compliance.rate)})"
    return text + (" — évaluation ancienne" if compliance.stale else "")


def structures_table(actor: Actor, result: Any) -> None:
    """The page of structures, then a pick list that opens one record."""
    table = pd.DataFrame(
        [
            {
                "Nom": r.name,
                "Type": KIND_LABELS.get(r.kind, r.kind),
                "Département": f"{r.departement_code} — {r.departement_name}",
                "Commune": r.commune,
                "Places": r.capacity,
                "Âges": ages_text(r.age_min, r.age_max),
                "Statut": STATUS_LABELS.get(r.status, r.status),
                "Adhésion": fr_date(r.joined_on),
                "Téléphone": r.phone or "",
                "E-mail": r.email or "",
                **({"Référentiel": _compliance_text(result, r.id)} if actor.is_coordination else {}),
            }
            for r in result.rows
        ]
    )
    if result.rows:
        st.dataframe(table, hide_index=True, width="stretch", height=38 + 35 * min(len(table), 15))
    else:
        st.info("Aucune structure ne correspond à ces critères.")
    left, middle, right = st.columns([1, 2, 1])
    by_id = {r.id: r.name for r in result.rows}
    if by_id:
        chosen = middle.selectbox("Voir la fiche de", list(by_id), format_func=by_id.get, key="directory_open_choice")
        right.write("")
        if right.button("Ouvrir la fiche", key="directory_open", icon=":material/open_in_new:"):
            st.session_state["structure_selected_id"] = chosen
            st.switch_page("pages/structure.py")


def directory_actions(actor: Actor, filters: StructureFilters) -> None:
    """Export what is listed; create and import for those allowed."""
    with st.expander("Exporter la liste affichée (tous les filtres appliqués)", icon=":material/download:"):
        a, b = st.columns(2)
        a.download_button(
            "Télécharger en CSV",
            data=partial(structure_export, actor=actor, filters=filters, file_format="csv"),
            file_name="annuaire-structures.csv",
            mime="text/csv",
            on_click="ignore",
            key="directory_export_csv",
        )
        b.download_button(
            "Télécharger en XLSX",
            data=partial(structure_export, actor=actor, filters=filters, file_format="xlsx"),
            file_name="annuaire-structures.xlsx",
            on_click="ignore",
            key="directory_export_xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )

    if can(actor, Action.STRUCTURE_CREATE):
        with st.expander("Nouvelle structure", icon=":material/add_business:"):
            with st.form("directory_create", clear_on_submit=False):
                values = structure_fields("directory_new", None)
                if st.form_submit_button("Créer la structure", type="primary"):
                    with handled():
                        data = validated(StructureCreate, values, labels=LABELS)
                        created = structure_create(actor=actor, data=data)
                        st.session_state["directory_flash"] = f"Structure « {created.name} » créée."
                    if "directory_flash" in st.session_state:  # saved: reload the list after the cache refresh
                        st.rerun()

    if can(actor, Action.STRUCTURE_IMPORT):
        with st.expander("Importer un fichier (CSV ou XLSX)", icon=":material/upload_file:"):
            st.caption(
                "Mêmes colonnes que l'export. « N° » vide : nouvelle structure ; « N° » rempli : mise à jour de la "
                "structure. Toutes les lignes sont enregistrées, ou aucune si une seule est fautive. "
                "La ligne 1 est celle des titres."
            )
            upload = st.file_uploader("Fichier", type=["csv", "xlsx"], key="directory_import_file")
            if upload is not None and st.button("Importer", key="directory_import", type="primary"):
                with handled():
                    report = structure_import(actor=actor, content=upload.getvalue(), filename=upload.name)
                    if report.ok:
                        st.session_state["directory_flash"] = (
                            f"Import réussi : {fr_number(report.written)} ligne(s) enregistrée(s)."
                        )
                    else:
                        rows = len({e.row for e in report.errors})
                        st.error(
                            f"Rien n'a été importé : {fr_number(len(report.errors))} erreur(s) sur "
                            f"{fr_number(rows)} ligne(s). Corrigez le fichier puis importez-le de nouveau."
                        )
                        st.dataframe(
                            pd.DataFrame(
                                [{"Ligne": e.row, "Colonne": e.field, "Erreur": e.message} for e in report.errors]
                            ),
                            hide_index=True,
                            width="stretch",
                        )
                if "directory_flash" in st.session_state:
                    st.rerun()
