"""Widgets the directory pages share: the structure form fields and French labels of a structure."""

from __future__ import annotations

from datetime import date

import streamlit as st

from core.bounds import text_limit
from models.structure import (
    ExploitationForm,
    NetworkStatus,
    OnSiteService,
    Sex,
    Structure,
    StructureKind,
    StructurePublic,
)
from services.directory.referential import departement_options
from ui.inputs import fr_number_input

KIND_LABELS = StructureKind.labels()
STATUS_LABELS = NetworkStatus.labels()


def departement_labels() -> dict[str, str]:
    return {o.code: o.label for o in departement_options()}


def ages_text(age_min: int, age_max: int) -> str:
    return f"{age_min} – {age_max} ans"


def codes_text(enum_cls, codes: list[str]) -> str:
    return ", ".join(enum_cls.label_of(code) for code in codes)


def structure_fields(prefix: str, current: StructurePublic | None) -> dict:
    """Every field of a structure as widgets (inside a form), filled with `current`; returns the typed values."""
    departements = departement_labels()
    kinds = list(KIND_LABELS)
    statuses = list(STATUS_LABELS)
    left, right = st.columns(2)
    values: dict = {}
    values["name"] = left.text_input(
        "Nom *", value=current.name if current else "", key=f"{prefix}_name", max_chars=text_limit(Structure, "name")
    )
    values["kind"] = right.selectbox(
        "Type *",
        kinds,
        index=kinds.index(current.kind) if current else 0,
        format_func=KIND_LABELS.get,
        key=f"{prefix}_kind",
    )
    codes = list(departements)
    values["departement_code"] = left.selectbox(
        "Département *",
        codes,
        index=codes.index(current.departement_code) if current else None,
        format_func=departements.get,
        key=f"{prefix}_departement",
        placeholder="Choisir un département",
    )
    values["commune"] = right.text_input(
        "Commune *",
        value=current.commune if current else "",
        key=f"{prefix}_commune",
        max_chars=text_limit(Structure, "commune"),
    )
    a, b, c = st.columns(3)
    values["capacity"] = fr_number_input(
        "Places *",
        integer=True,
        required=True,
        min_value=0,
        max_value=999,
        value=current.capacity if current else 0,
        key=f"{prefix}_capacity",
        where=a,
    )
    values["age_min"] = fr_number_input(
        "Âge minimum",
        integer=True,
        required=True,
        min_value=0,
        max_value=17,
        value=current.age_min if current else 10,
        key=f"{prefix}_age_min",
        where=b,
    )
    values["age_max"] = fr_number_input(
        "Âge maximum",
        integer=True,
        required=True,
        min_value=0,
        max_value=17,
        value=current.age_max if current else 17,
        key=f"{prefix}_age_max",
        where=c,
    )
    values["sexes"] = st.multiselect(
        "Sexes accueillis *",
        list(Sex.labels()),
        default=current.sexes if current else [],
        format_func=Sex.label_of,
        key=f"{prefix}_sexes",
        placeholder="Choisir…",
    )
    values["exploitation_forms"] = st.multiselect(
        "Formes d'exploitation prises en charge *",
        list(ExploitationForm.labels()),
        default=current.exploitation_forms if current else [],
        format_func=ExploitationForm.label_of,
        key=f"{prefix}_forms",
        placeholder="Choisir…",
    )
    values["services"] = st.multiselect(
        "Services sur place",
        list(OnSiteService.labels()),
        default=current.services if current else [],
        format_func=OnSiteService.label_of,
        key=f"{prefix}_services",
        placeholder="Choisir…",
    )
    a, b, c = st.columns(3)
    values["status"] = a.selectbox(
        "Statut dans le réseau *",
        statuses,
        index=statuses.index(current.status) if current else 0,
        format_func=STATUS_LABELS.get,
        key=f"{prefix}_status",
    )
    values["joined_on"] = b.date_input(
        "Date d'adhésion",
        value=current.joined_on if current else None,
        format="DD/MM/YYYY",
        key=f"{prefix}_joined",
        max_value=date(2100, 1, 1),
    )
    values["left_on"] = c.date_input(
        "Date de sortie",
        value=current.left_on if current else None,
        format="DD/MM/YYYY",
        key=f"{prefix}_left",
        max_value=date(2100, 1, 1),
    )
    if current is not None:
        values["status_changed_on"] = st.date_input(
            "Date d'effet d'un changement de statut (vide : aujourd'hui)",
            value=None,
            format="DD/MM/YYYY",
            key=f"{prefix}_status_changed",
            max_value=date(2100, 1, 1),
        )
    st.caption(
        "Contact générique de la structure (standard, adresse fonctionnelle) — jamais les coordonnées "
        "personnelles d'un membre de l'équipe."
    )
    a, b = st.columns(2)
    values["phone"] = a.text_input(
        "Téléphone (standard)",
        value=(current.phone or "") if current else "",
        key=f"{prefix}_phone",
        max_chars=text_limit(Structure, "phone"),
    )
    values["email"] = b.text_input(
        "E-mail fonctionnel",
        value=(current.email or "") if current else "",
        key=f"{prefix}_email",
        max_chars=text_limit(Structure, "email"),
    )
    return values


def contact_fields(prefix: str, current: StructurePublic) -> dict:
    """The fields partner staff may change: contact and capacity."""
    a, b, c = st.columns([1, 2, 2])
    return {
        "capacity": fr_number_input(
            "Places",
            integer=True,
            required=True,
            min_value=0,
            max_value=999,
            value=current.capacity,
            key=f"{prefix}_capacity",
            where=a,
        ),
        "phone": b.text_input(
            "Téléphone (standard)",
            value=current.phone or "",
            key=f"{prefix}_phone",
            max_chars=text_limit(Structure, "phone"),
        ),
        "email": c.text_input(
            "E-mail fonctionnel",
            value=current.email or "",
            key=f"{prefix}_email",
            max_chars=text_limit(Structure, "email"),
        ),
    }


def integer_legend(spec: dict) -> dict:
    """Label a map's colour legend with whole numbers (counts), not 0,5 steps."""
    for layer in spec.get("layer", []):
        colour = layer.get("encoding", {}).get("color", {})
        legend = colour.get("legend")
        if isinstance(legend, dict) and colour.get("type") == "quantitative":
            legend.update({"format": "d", "tickMinStep": 1})
    return spec


def filter_select(container, label: str, options: dict[str, str], *, all_label: str, key: str) -> str | None:
    """A filter pick list whose first choice means "no filter" (returns None then).

    The empty string stands for "all": a None option would show as an empty box after a rerun.
    """
    choice = container.selectbox(
        label, ["", *options], key=key, format_func=lambda code: all_label if code == "" else options.get(code, code)
    )
    return choice or None
