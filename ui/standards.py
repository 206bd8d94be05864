"""The référentiel's screens: what partner staff read, and the coordination's synthesis, assessment grid
and criteria."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from core.access import Actor
from core.bounds import text_limit
from core.clock import paris_today
from core.formatting import fr_date, fr_number, fr_percent
from models.standard import AssessmentLevel, CriterionCategory, CriterionCreate, StandardCriterion
from services.directory.standards import (
    CRITERION_LABELS,
    AssessmentInput,
    assessment_grid,
    assessments_save,
    compliance_list,
    criterion_create,
    criterion_list,
    criterion_update,
)
from services.directory.structures import structure_options
from ui.cache import cached
from ui.feedback import handled
from ui.inputs import fr_number_input, validated
from ui.pagination import paginate

categories = CriterionCategory.labels()
levels = AssessmentLevel.labels()


def _grid_table(grid: list[Any], months: int) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "Critère": g.criterion_label,
                "Catégorie": categories.get(g.category, g.category),
                "Niveau": levels.get(g.level, "non évalué") if g.level else "non évalué",
                "Évalué le": fr_date(g.assessed_on),
                f"Plus de {months} mois": "oui" if g.stale else "",
                "Commentaire": g.comment or "",
            }
            for g in grid
        ]
    )


def partner_view(actor: Actor, months: int) -> None:
    """Partner staff: the criteria and their own structure's assessment."""
    criteria = cached(criterion_list, actor=actor)
    st.subheader("Critères")
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Critère": c.label,
                    "Catégorie": categories.get(c.category, c.category),
                    "Description": c.description or "",
                }
                for c in criteria
            ]
        ),
        hide_index=True,
        width="stretch",
    )
    if actor.structure_id is not None:
        st.subheader("L'évaluation de votre structure")
        st.dataframe(
            _grid_table(cached(assessment_grid, actor=actor, structure_id=actor.structure_id), months),
            hide_index=True,
            width="stretch",
        )
        st.caption("L'évaluation est conduite par la coordination nationale, avec votre équipe.")


def synthesis_tab(actor: Actor, months: int) -> None:
    """Compliance per structure, paged, with the stale and never-assessed filters."""
    a, b = st.columns(2)
    stale_only = a.checkbox(f"Seulement les évaluations de plus de {months} mois", key="standards_stale_only")
    never_only = b.checkbox("Seulement les structures jamais évaluées", key="standards_never_only")
    page = paginate(
        "standards_page",
        lambda limit, offset: cached(
            compliance_list,
            actor=actor,
            stale_only=stale_only,
            never_assessed_only=never_only,
            limit=limit,
            offset=offset,
        ),
    )
    st.markdown(f"**{fr_number(page.total)}** structure(s) du réseau (hors structures sorties)")
    if page.rows:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "Structure": r.name,
                        "Département": r.departement_code,
                        "Atteints": r.compliance.met,
                        "Partiels": r.compliance.partly,
                        "Non atteints": r.compliance.not_met,
                        "Non évalués": r.compliance.missing,
                        "Conformité": fr_percent(r.compliance.rate),
                        "Plus ancienne évaluation": fr_date(r.compliance.oldest),
                        f"Évaluations de plus de {months} mois": fr_number(r.compliance.stale)
                        if r.compliance.stale
                        else "",
                    }
                    for r in page.rows
                ]
            ),
            hide_index=True,
            width="stretch",
        )


def assess_tab(actor: Actor) -> None:
    """One structure's assessment grid, edited in place."""
    options = dict(cached(structure_options, actor=actor))
    if not options:
        st.info("Aucune structure dans l'annuaire.")
    else:
        ids = list(options)
        default = st.session_state.get("structure_selected_id")
        structure_id = st.selectbox(
            "Structure",
            ids,
            index=ids.index(default) if default in ids else 0,
            format_func=options.get,
            key="standards_structure",
        )
        grid = cached(assessment_grid, actor=actor, structure_id=structure_id)
        if not grid:
            st.info("Ajoutez d'abord des critères au référentiel.")
        else:
            st.caption(
                "Modifiez le niveau, la date et le commentaire des critères évalués ; les lignes sans niveau "
                "ne sont pas enregistrées."
            )
            frame = pd.DataFrame(
                [
                    {
                        "Critère": g.criterion_label,
                        "Niveau": levels.get(g.level) if g.level else None,
                        "Évalué le": g.assessed_on,
                        "Commentaire": g.comment or "",
                    }
                    for g in grid
                ]
            )
            with st.form(f"standards_assess_{structure_id}", clear_on_submit=False):
                edited = st.data_editor(
                    frame,
                    hide_index=True,
                    width="stretch",
                    key=f"standards_editor_{structure_id}",
                    disabled=["Critère"],
                    num_rows="fixed",
                    column_config={
                        "Niveau": st.column_config.SelectboxColumn("Niveau", options=list(levels.values())),
                        "Évalué le": st.column_config.DateColumn(
                            "Évalué le", format="DD/MM/YYYY", max_value=paris_today()
                        ),
                        "Commentaire": st.column_config.TextColumn("Commentaire", max_chars=500),
                    },
                )
                if st.form_submit_button("Enregistrer l'évaluation", type="primary"):
                    codes = {label: code for code, label in levels.items()}
                    items = [
                        AssessmentInput(
                            criterion_id=g.criterion_id,
                            level=codes.get(row["Niveau"], str(row["Niveau"])),
                            assessed_on=None if pd.isna(row["Évalué le"]) else pd.Timestamp(row["Évalué le"]).date(),
                            comment=row["Commentaire"] if isinstance(row["Commentaire"], str) else None,
                            expected_version=g.version,
                        )
                        for g, (_, row) in zip(grid, edited.iterrows())
                        if isinstance(row["Niveau"], str) and row["Niveau"]
                    ]
                    with handled():
                        changed = assessments_save(actor=actor, structure_id=structure_id, items=items)
                        st.session_state["standards_flash"] = (
                            f"{changed} évaluation(s) enregistrée(s) pour {options[structure_id]}."
                        )
                    if "standards_flash" in st.session_state:  # saved: reload after the cache refresh
                        st.rerun()


def criterion_fields(prefix: str, current: Any) -> dict[str, Any]:
    """The criterion form's fields, filled with `current`; the values typed."""
    categories = CriterionCategory.labels()
    codes = list(categories)
    label = st.text_input(
        "Intitulé *",
        value=current.label if current else "",
        key=f"{prefix}_label",
        max_chars=text_limit(StandardCriterion, "label"),
    )
    category = st.selectbox(
        "Catégorie",
        codes,
        index=codes.index(current.category) if current else 0,
        format_func=categories.get,
        key=f"{prefix}_category",
    )
    description = st.text_area(
        "Description (ce qui est attendu)",
        value=(current.description or "") if current else "",
        key=f"{prefix}_description",
        max_chars=text_limit(StandardCriterion, "description"),
    )
    a, b = st.columns(2)
    position = fr_number_input(
        "Ordre d'affichage",
        integer=True,
        required=True,
        min_value=0,
        value=current.position if current else 0,
        key=f"{prefix}_position",
        where=a,
    )
    active = b.checkbox("Critère en vigueur", value=current.active if current else True, key=f"{prefix}_active")
    return {
        "label": label,
        "category": category,
        "description": description or None,
        "position": position,
        "active": active,
    }


def criteria_tab(actor: Actor) -> None:
    """The criteria, with the new-criterion and edit forms."""
    criteria = cached(criterion_list, actor=actor, include_inactive=True)
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Ordre": c.position,
                    "Critère": c.label,
                    "Catégorie": categories.get(c.category, c.category),
                    "Description": c.description or "",
                    "Actif": "oui" if c.active else "retiré",
                }
                for c in criteria
            ]
        ),
        hide_index=True,
        width="stretch",
    )

    left, right = st.columns(2)
    with left, st.form("standards_criterion_new", clear_on_submit=False):
        st.markdown("**Nouveau critère**")
        values = criterion_fields("standards_new", None)
        if st.form_submit_button("Ajouter le critère"):
            with handled():
                data = validated(CriterionCreate, values, labels=CRITERION_LABELS)
                criterion_create(actor=actor, data=data)
                st.session_state["standards_flash"] = f"Critère « {data.label.strip()} » ajouté."
            if "standards_flash" in st.session_state:  # saved: reload after the cache refresh
                st.rerun()
    with right:
        by_id = {c.id: c for c in criteria}
        if by_id:
            chosen = st.selectbox(
                "Critère à modifier",
                list(by_id),
                format_func=lambda i: by_id[i].label,
                key="standards_criterion_choice",
            )
            current = by_id[chosen]
            with st.form(f"standards_criterion_{current.id}", clear_on_submit=False):
                values = criterion_fields(f"standards_edit_{current.id}", current)
                if st.form_submit_button("Enregistrer le critère"):
                    with handled():
                        data = validated(CriterionCreate, values, labels=CRITERION_LABELS)
                        criterion_update(
                            actor=actor, criterion_id=current.id, expected_version=current.version, data=data
                        )
                        st.session_state["standards_flash"] = "Critère mis à jour."
                    if "standards_flash" in st.session_state:  # saved: reload after the cache refresh
                        st.rerun()
