"""Data elements of the weekly figures (coordination): define, change or retire them without code."""

import pandas as pd
import streamlit as st

from core.bounds import text_limit
from core.formatting import fr_number
from models.weekly import Aggregation, ValueKind, WeeklyElement, WeeklyElementCreate, WeeklyElementUpdate
from services.weekly.elements import weekly_element_create, weekly_element_list, weekly_element_update
from ui.auth import page_guard
from ui.cache import cached
from ui.feedback import handled
from ui.inputs import fr_number_input, refuse_unreadable

actor = page_guard("weekly_elements")
st.title("Éléments de saisie hebdomadaire")
st.caption(
    "Ce que chaque structure renseigne chaque semaine. Un élément ajouté apparaît aussitôt dans la grille "
    "de saisie ; un élément retiré disparaît de la grille mais garde son historique."
)

elements = cached(weekly_element_list, actor=actor)
st.dataframe(
    pd.DataFrame(
        [
            {
                "Ordre": e.position,
                "Libellé": e.label,
                "Code": e.code,
                "Type": ValueKind.label_of(e.value_kind),
                "Min": "" if e.minimum is None else fr_number(e.minimum, 0 if float(e.minimum).is_integer() else 2),
                "Max": "" if e.maximum is None else fr_number(e.maximum, 0 if float(e.maximum).is_integer() else 2),
                "Requis": e.required,
                "≤ capacité": e.capped_by_capacity,
                "Agrégation": Aggregation.label_of(e.aggregation),
                "Actif": e.active,
                "Aide": e.help_text,
            }
            for e in elements
        ]
    ),
    hide_index=True,
    width="stretch",
)


def element_fields(prefix: str, current=None) -> dict:
    """The element's fields as widgets (inside a form), pre-filled with `current` when editing."""
    kinds, rules = list(ValueKind.labels()), list(Aggregation.labels())
    values = {
        "label": st.text_input(
            "Libellé",
            value=current.label if current else "",
            key=f"{prefix}_label",
            max_chars=text_limit(WeeklyElement, "label"),
        ),
        "help_text": st.text_area(
            "Aide affichée à la saisie",
            value=current.help_text if current else "",
            key=f"{prefix}_help",
            max_chars=text_limit(WeeklyElement, "help_text"),
        ),
        "value_kind": st.selectbox(
            "Type de valeur",
            kinds,
            format_func=ValueKind.label_of,
            key=f"{prefix}_kind",
            index=kinds.index(current.value_kind) if current else 0,
        ),
        "aggregation": st.selectbox(
            "Cumul sur plusieurs semaines",
            rules,
            format_func=Aggregation.label_of,
            index=rules.index(current.aggregation) if current else 0,
            key=f"{prefix}_aggregation",
        ),
    }
    low, high = st.columns(2)
    values["minimum"] = fr_number_input(
        "Minimum (vide : aucun)", value=current.minimum if current else 0, key=f"{prefix}_min", where=low
    )
    values["maximum"] = fr_number_input(
        "Maximum (vide : aucun)", value=current.maximum if current else None, key=f"{prefix}_max", where=high
    )
    values["required"] = st.checkbox(
        "Valeur requise pour l'envoi", value=current.required if current else True, key=f"{prefix}_required"
    )
    values["capped_by_capacity"] = st.checkbox(
        "Ne peut pas dépasser la capacité de la structure",
        value=current.capped_by_capacity if current else False,
        key=f"{prefix}_capped",
    )
    values["position"] = fr_number_input(
        "Ordre dans la grille",
        integer=True,
        required=True,
        min_value=-1_000_000,
        max_value=1_000_000,
        value=current.position if current else 100,
        key=f"{prefix}_position",
    )
    return values


create_tab, edit_tab = st.tabs(["Nouvel élément", "Modifier ou retirer un élément"])
with create_tab, st.form("weekly_elements_create", clear_on_submit=False):
    fields = element_fields("weekly_elements_new")
    if st.form_submit_button("Ajouter l'élément", type="primary"):
        with handled():
            refuse_unreadable(*fields.values())
            created = weekly_element_create(actor=actor, data=WeeklyElementCreate(**fields))
            st.success(
                f"Élément « {created.label} » ajouté (code {created.code}) : il apparaît dans la grille de saisie."
            )

with edit_tab:
    by_id = {e.id: e for e in elements}
    chosen = st.selectbox(
        "Élément",
        list(by_id),
        format_func=lambda i: by_id[i].label + ("" if by_id[i].active else " (retiré)"),
        key="weekly_elements_edit_choice",
        index=None,
        placeholder="Choisissez un élément",
    )
    if chosen is not None:
        element = by_id[chosen]
        with st.form(f"weekly_elements_edit_{element.id}_{element.version}", clear_on_submit=False):
            fields = element_fields(f"weekly_elements_edit_{element.id}_{element.version}", element)
            fields["active"] = st.checkbox(
                "Actif (décocher pour retirer l'élément de la grille)",
                value=element.active,
                key=f"weekly_elements_edit_active_{element.id}_{element.version}",
            )
            if st.form_submit_button("Enregistrer"):
                with handled():
                    refuse_unreadable(*fields.values())
                    weekly_element_update(
                        actor=actor,
                        element_id=element.id,
                        expected_version=element.version,
                        data=WeeklyElementUpdate(**fields),
                    )
                    st.success("Élément mis à jour.")
