"""Settings the coordination may change in the app, each with its default and French label."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlmodel import select

from core.access import Action, Actor, require
from core.db import session_scope
from core.errors import FieldError, ValidationFailed
from models.base import utcnow
from models.setting import AppSetting
from services.indicators.disclosure import (
    DEFAULT_ROUNDING,
    DEFAULT_THRESHOLD,
    MAX_ROUNDING,
    MAX_THRESHOLD,
    MIN_THRESHOLD,
)


@dataclass(frozen=True)
class SettingSpec:
    key: str
    label: str
    default: object
    minimum: float | None = None
    maximum: float | None = None


SETTINGS: dict[str, SettingSpec] = {
    spec.key: spec
    for spec in [
        SettingSpec("demo", "Base de démonstration", False),
        # --- child path ---
        SettingSpec(
            "path_min_distance_km",
            "Distance minimale entre le département d'exploitation et la structure d'accueil (km)",
            200,
            minimum=0,
            maximum=1000,
        ),
        # --- directory, conventions, référentiel ---
        SettingSpec(
            "standard_stale_months",
            "Ancienneté au-delà de laquelle une évaluation du référentiel est à refaire (mois)",
            12,
            1,
            60,
        ),
        SettingSpec(
            "convention_warning_days", "Alerte avant la fin d'une convention départementale (jours)", 60, 1, 365
        ),
        SettingSpec(
            "contact_check_months",
            "Délai de vérification du contact et de la capacité par les structures (mois)",
            12,
            1,
            60,
        ),
        # --- small-count protection (funder's view, annual report) ---
        SettingSpec(
            "disclosure_threshold",
            "Seuil des petits effectifs (financeur, rapport) : un effectif de 1 à seuil − 1 est affiché « < seuil »",
            DEFAULT_THRESHOLD,
            minimum=MIN_THRESHOLD,
            maximum=MAX_THRESHOLD,
        ),
        SettingSpec(
            "disclosure_rounding",
            "Base d'arrondi des effectifs publiés (financeur, rapport) : 1 = pas d'arrondi",
            DEFAULT_ROUNDING,
            minimum=1,
            maximum=MAX_ROUNDING,
        ),
        # --- signalements: hours allowed after the declaration (0 = no deadline) ---
        SettingSpec(
            "signalement_ack_hours_danger_immediat",
            "Signalement « danger immédiat » : prise en compte sous (heures)",
            1.0,
            0,
            720,
        ),
        SettingSpec(
            "signalement_pass_hours_danger_immediat",
            "Signalement « danger immédiat » : transmission sous (heures)",
            4.0,
            0,
            720,
        ),
        SettingSpec(
            "signalement_ack_hours_preoccupant",
            "Signalement « préoccupant » : prise en compte sous (heures)",
            24.0,
            0,
            720,
        ),
        SettingSpec(
            "signalement_pass_hours_preoccupant",
            "Signalement « préoccupant » : transmission sous (heures)",
            72.0,
            0,
            720,
        ),
        SettingSpec(
            "signalement_ack_hours_information",
            "Signalement « pour information » : prise en compte sous (heures)",
            72.0,
            0,
            720,
        ),
        SettingSpec(
            "signalement_pass_hours_information",
            "Signalement « pour information » : transmission sous (heures, 0 = sans délai)",
            0.0,
            0,
            720,
        ),
        # --- weekly figures ---
        SettingSpec("weekly_deadline_days", "Chiffres hebdomadaires : échéance, en jours après le dimanche", 2, 0, 14),
        SettingSpec("weekly_deadline_hour", "Chiffres hebdomadaires : heure de l'échéance (heure de Paris)", 12, 0, 23),
        SettingSpec(
            "weekly_lock_weeks", "Chiffres hebdomadaires : verrouillage, en semaines après l'échéance", 4, 1, 104
        ),
        SettingSpec(
            "weekly_unusual_tolerance_pct",
            "Chiffres hebdomadaires : écart toléré autour de la médiane (%)",
            50,
            0,
            1000,
        ),
        SettingSpec("weekly_unusual_min_gap", "Chiffres hebdomadaires : écart toléré minimal (unités)", 3, 0, 1000),
        SettingSpec(
            "weekly_unusual_history_weeks", "Chiffres hebdomadaires : semaines d'historique pour la médiane", 12, 4, 104
        ),
    ]
}


def setting_get(*, key: str):
    """Any caller: the current value of a setting, or its default."""
    spec = SETTINGS[key]
    with session_scope() as session:
        row = session.get(AppSetting, key)
    return spec.default if row is None else json.loads(row.value)


def setting_set(*, actor: Actor, key: str, value) -> None:
    """Coordination only: change a setting (audited)."""
    require(actor, Action.SETTINGS_MANAGE)
    spec = SETTINGS[key]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if (spec.minimum is not None and value < spec.minimum) or (spec.maximum is not None and value > spec.maximum):
            raise ValidationFailed(FieldError(spec.label, f"valeur hors des bornes ({spec.minimum} – {spec.maximum})"))
    with session_scope(actor) as session:
        row = session.get(AppSetting, key) or AppSetting(key=key, value="null")
        row.value = json.dumps(value)
        row.updated_at = utcnow()
        session.add(row)


def settings_list(*, actor: Actor) -> list[tuple[SettingSpec, object]]:
    """Coordination only: every setting with its current value."""
    require(actor, Action.SETTINGS_MANAGE)
    with session_scope(actor) as session:
        stored = {row.key: json.loads(row.value) for row in session.exec(select(AppSetting))}
    return [(spec, stored.get(spec.key, spec.default)) for spec in SETTINGS.values() if spec.key != "demo"]
