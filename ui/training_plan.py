"""The training catalogue and plan page's tabs (coordination): new module, module edit, catalogue and the
yearly plan grid."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from core.access import Actor
from core.formatting import fr_number
from models.training import TrainingFormat, TrainingProfile
from services.training.modules import (
    MODULE_LABELS,
    training_module_create,
    training_module_list,
    training_module_update,
)
from services.training.plan import training_plan_copy, training_plan_get, training_plan_set
from ui.cache import cached
from ui.feedback import handled
from ui.training_forms import module_form

FLASH = "training_plan_flash"  # a confirmation shown after the rerun that follows a save
OPENED = "training_plan_module_opened"  # the module as it was when its edit form was opened
PROFILES = list(TrainingProfile)


def new_module_tab(actor: Actor, modules: list[Any]) -> None:
    """Add a module to the catalogue."""
    data = module_form(key="training_plan_new_module", modules=modules, submit_label="Ajouter au catalogue")
    if data is not None:
        with handled():
            created = training_module_create(actor=actor, data=data)
            st.success(f"Module « {created.title} » ajouté au catalogue.")


def edit_module_tab(actor: Actor, modules: list[Any]) -> None:
    """Change a module; a concurrent edit is refused."""
    by_id = {m.id: m for m in modules}
    chosen = st.selectbox(
        "Module",
        list(by_id),
        format_func=lambda i: by_id[i].title,
        index=None,
        placeholder="Choisir un module",
        key="training_plan_edit_module",
    )
    opened = st.session_state.get(OPENED)
    if chosen is not None and (opened is None or opened.id != chosen):
        opened = st.session_state[OPENED] = by_id[chosen]
    if chosen is not None:
        data = module_form(
            key=f"training_plan_edit_{opened.id}",
            modules=modules,
            initial=opened,
            submit_label="Enregistrer les modifications",
        )
        if data is not None:
            with handled():
                st.session_state[OPENED] = training_module_update(
                    actor=actor,
                    module_id=opened.id,
                    expected_version=opened.version,
                    data=data,
                    seen={k: getattr(opened, k) for k in MODULE_LABELS},
                )
                st.success("Module mis à jour.")
        if st.button("Recharger le module", key="training_plan_edit_reload"):
            st.session_state.pop(OPENED, None)
            st.rerun()


def catalogue_tab(actor: Actor) -> None:
    """The catalogue, read again after the forms above wrote."""
    modules = cached(training_module_list, actor=actor)
    st.caption(f"{fr_number(sum(m.active for m in modules))} modules proposés, {fr_number(len(modules))} au total.")
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Intitulé": m.title,
                    "Format": TrainingFormat.label_of(m.format),
                    "Durée": m.duration_label,
                    "Profils visés": ", ".join(TrainingProfile.label_of(p) for p in m.target_profiles),
                    "Prérequis": ", ".join(m.prerequisite_titles),
                    "Proposé": m.active,
                    "Objectifs": m.objectives,
                }
                for m in modules
            ]
        ),
        hide_index=True,
        width="stretch",
    )


def plan_tab(actor: Actor, year: int) -> None:
    """The yearly plan: professionals to train per module and profile (the catalogue read after the forms wrote)."""
    modules = cached(training_module_list, actor=actor)
    if flash := st.session_state.pop(FLASH, None):
        st.success(flash)
    plan_year = st.selectbox("Année", [year + 1, year, year - 1, year - 2], index=1, key="training_plan_year")
    st.caption(
        "Nombre de professionnels que le réseau prévoit de former, par module et par profil. "
        "Une case vide ou à 0 : rien de prévu."
    )
    seen_key, generation_key = f"training_plan_seen_{plan_year}", f"training_plan_generation_{plan_year}"
    if seen_key not in st.session_state:  # what the grid shows, kept so that a concurrent change is detected
        st.session_state[seen_key] = {
            (c.module_id, c.profile): c.planned for c in training_plan_get(actor=actor, year=plan_year)
        }
    seen = st.session_state[seen_key]
    shown = [m for m in modules if m.active or any(key[0] == m.id for key in seen)]
    if not shown:
        st.info("Le catalogue est vide : ajoutez d'abord des modules.")
    else:
        frame = pd.DataFrame(
            [{"Module": m.title, **{p.label: seen.get((m.id, p.value), 0) for p in PROFILES}} for m in shown]
        )
        edited = st.data_editor(
            frame,
            hide_index=True,
            width="stretch",
            disabled=["Module"],
            key=f"training_plan_editor_{plan_year}_{st.session_state.get(generation_key, 0)}",
            column_config={
                "Module": st.column_config.TextColumn("Module", pinned=True),
                **{
                    p.label: st.column_config.NumberColumn(p.label, min_value=0, max_value=5000, step=1, format="%d")
                    for p in PROFILES
                },
            },
        )
        total = int(pd.to_numeric(edited[[p.label for p in PROFILES]].stack(), errors="coerce").fillna(0).sum())
        st.caption(f"Total prévu en {plan_year} : {fr_number(total)} professionnels.")
        changes = {}
        for index, module in enumerate(shown):
            for profile in PROFILES:
                value = edited.iloc[index][profile.label]
                value = 0 if pd.isna(value) else int(value)
                if value != seen.get((module.id, profile.value), 0):
                    changes[(module.id, profile.value)] = value
        a, b, c = st.columns([1, 1, 2])
        if a.button("Enregistrer le plan", type="primary", disabled=not changes, key="training_plan_save"):
            with handled():
                written = training_plan_set(actor=actor, year=plan_year, changes=changes, seen=seen)
                st.session_state.pop(seen_key)
                st.session_state[generation_key] = st.session_state.get(generation_key, 0) + 1
                st.session_state[FLASH] = (
                    f"Plan {plan_year} enregistré ({fr_number(written)} "
                    f"{'cases modifiées' if written > 1 else 'case modifiée'})."
                )
                st.rerun()
        if b.button("Recharger", key="training_plan_reload"):
            st.session_state.pop(seen_key, None)
            st.session_state[generation_key] = st.session_state.get(generation_key, 0) + 1
            st.rerun()
        if not seen and c.button(f"Reprendre le plan {plan_year - 1}", key="training_plan_copy"):
            with handled():
                copied = training_plan_copy(actor=actor, from_year=plan_year - 1, to_year=plan_year)
                st.session_state.pop(seen_key)
                st.session_state[generation_key] = st.session_state.get(generation_key, 0) + 1
                st.session_state[FLASH] = f"{fr_number(copied)} cases reprises du plan {plan_year - 1}."
                st.rerun()
        if changes:
            st.caption(f"{fr_number(len(changes))} case(s) modifiée(s), non encore enregistrée(s).")
