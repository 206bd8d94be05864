"""The conventions page's parts (coordination): filters, the table and the create and edit forms."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from core.access import Actor
from core.bounds import text_limit
from core.formatting import fr_date, fr_number
from models.convention import Convention, ConventionCreate, ConventionScope, ConventionStatus
from services.directory.conventions import LABELS, ConventionFilters, convention_create, convention_update
from services.directory.referential import departement_options, region_options
from ui.directory import filter_select
from ui.feedback import handled
from ui.inputs import validated

statuses = ConventionStatus.labels()
scopes = ConventionScope.labels()


def convention_filters(today: date) -> ConventionFilters:
    """The filters above the list."""
    regions = dict(region_options())
    a, b, c, d = st.columns(4)
    status = filter_select(a, "Statut", statuses, all_label="Tous", key="conventions_filter_status")
    region = filter_select(b, "Région", regions, all_label="Toutes", key="conventions_filter_region")
    scope = filter_select(c, "Objet", scopes, all_label="Tous", key="conventions_filter_scope")
    d.write("")
    in_force = d.checkbox("En vigueur aujourd'hui", key="conventions_filter_in_force")
    return ConventionFilters(status=status, region_code=region, scope=scope, in_force_on=today if in_force else None)


def _state(c: Any, today: date) -> str:
    if c.in_force:
        return "en vigueur"
    if c.status == ConventionStatus.DRAFT.value:
        return "pas encore signée"
    if c.signed_on and c.signed_on > today:
        return "pas encore en vigueur"
    return "terminée"


def conventions_table(page: Any, today: date) -> None:
    """The page of conventions, or a notice when none matches."""
    st.markdown(f"**{fr_number(page.total)}** convention{'s' if page.total > 1 else ''}")
    if page.rows:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "Département": f"{c.departement_code} — {c.departement_name}",
                        "Région": c.region_name,
                        "Statut": statuses.get(c.status, c.status),
                        "Signée le": fr_date(c.signed_on),
                        "Fin": fr_date(c.ends_on),
                        "Aujourd'hui": _state(c, today),
                        "Objet": ", ".join(scopes.get(s, s) for s in c.scope),
                        "Remarques": c.notes or "",
                    }
                    for c in page.rows
                ]
            ),
            hide_index=True,
            width="stretch",
        )
    else:
        st.info("Aucune convention ne correspond à ces critères.")


def convention_fields(prefix: str, current: Any) -> dict[str, Any]:
    """The convention form's fields, filled with `current`; the values typed."""
    departements = {o.code: o.label for o in departement_options()}
    codes = list(departements)
    status_codes = list(statuses)
    a, b = st.columns(2)
    departement = a.selectbox(
        "Département *",
        codes,
        index=codes.index(current.departement_code) if current else None,
        format_func=departements.get,
        key=f"{prefix}_departement",
        placeholder="Choisir un département",
    )
    status = b.selectbox(
        "Statut *",
        status_codes,
        index=status_codes.index(current.status) if current else 0,
        format_func=statuses.get,
        key=f"{prefix}_status",
    )
    a, b = st.columns(2)
    signed_on = a.date_input(
        "Date de signature",
        value=current.signed_on if current else None,
        format="DD/MM/YYYY",
        key=f"{prefix}_signed",
        min_value=date(2000, 1, 1),
        max_value=date(2100, 1, 1),
    )
    ends_on = b.date_input(
        "Date de fin (ou de dénonciation)",
        value=current.ends_on if current else None,
        format="DD/MM/YYYY",
        key=f"{prefix}_ends",
        min_value=date(2000, 1, 1),
        max_value=date(2100, 1, 1),
    )
    scope = st.multiselect(
        "Objet de la convention *",
        list(scopes),
        default=current.scope if current else [],
        format_func=scopes.get,
        key=f"{prefix}_scope",
        placeholder="Choisir…",
    )
    notes = st.text_area(
        "Remarques",
        value=(current.notes or "") if current else "",
        key=f"{prefix}_notes",
        max_chars=text_limit(Convention, "notes"),
    )
    return {
        "departement_code": departement,
        "status": status,
        "signed_on": signed_on,
        "ends_on": ends_on,
        "scope": scope,
        "notes": notes,
    }


def convention_forms(actor: Actor, page: Any) -> None:
    """A new convention; a change to one of the conventions listed."""
    create_tab, edit_tab = st.tabs(["Nouvelle convention", "Modifier une convention"])
    with create_tab, st.form("conventions_create", clear_on_submit=False):
        values = convention_fields("conventions_new", None)
        if st.form_submit_button("Enregistrer la convention", type="primary"):
            with handled():
                created = convention_create(actor=actor, data=validated(ConventionCreate, values, labels=LABELS))
                st.session_state["conventions_flash"] = (
                    f"Convention avec le département {created.departement_name} enregistrée."
                )
            if "conventions_flash" in st.session_state:  # saved: reload after the cache refresh
                st.rerun()

    with edit_tab:
        by_id = {c.id: c for c in page.rows}
        if not by_id:
            st.info("Aucune convention affichée à modifier.")
        else:
            chosen = st.selectbox(
                "Convention (parmi celles affichées)",
                list(by_id),
                key="conventions_edit_choice",
                format_func=lambda i: (
                    f"{by_id[i].departement_code} — {by_id[i].departement_name}, "
                    f"{statuses[by_id[i].status].lower()} {fr_date(by_id[i].signed_on)}"
                ),
            )
            current = by_id[chosen]
            with st.form(f"conventions_edit_{current.id}", clear_on_submit=False):
                values = convention_fields(f"conventions_edit_{current.id}", current)
                if st.form_submit_button("Enregistrer les modifications", type="primary"):
                    with handled():
                        data = validated(ConventionCreate, values, labels=LABELS)
                        convention_update(
                            actor=actor, convention_id=current.id, expected_version=current.version, data=data
                        )
                        st.session_state["conventions_flash"] = "Convention mise à jour."
                    if "conventions_flash" in st.session_state:  # saved: reload after the cache refresh
                        st.rerun()
