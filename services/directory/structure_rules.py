"""What makes a structure's values valid: the checks shared by the form, the update and the import.

Messages are constants (tests reuse them); `check_values` reads nothing from the database except
the référentiel of départements.
"""

from __future__ import annotations

import re
from datetime import date

from email_validator import EmailNotValidError, validate_email
from sqlmodel import func, select

from core import errors
from core.bounds import text_faults, text_limit
from core.clock import paris_today
from core.errors import FieldError
from models.structure import (
    STRUCTURE_NOT_FOUND,
    ExploitationForm,
    NetworkStatus,
    OnSiteService,
    Sex,
    Structure,
    StructureKind,
    StructureUpdate,
)

NAME_TAKEN = "une structure porte déjà ce nom"
NAME_REQUIRED = "le nom est obligatoire"
UNKNOWN_DEPARTEMENT = "département inconnu"
UNKNOWN_KIND = "type de structure inconnu"
UNKNOWN_STATUS = "statut inconnu"
UNKNOWN_CODE = "valeur inconnue"
COMMUNE_REQUIRED = "la commune est obligatoire"
CAPACITY_NEGATIVE = "le nombre de places ne peut pas être négatif"
CAPACITY_TOO_HIGH = "plus de 999 places : vérifiez le nombre"
INTEGER_EXPECTED = "nombre entier attendu"
AGE_RANGE = "âge entre 0 et 17 ans"
AGES_ORDER = "l'âge minimum dépasse l'âge maximum"
SEXES_REQUIRED = "indiquez au moins un sexe accueilli"
FORMS_REQUIRED = "indiquez au moins une forme d'exploitation prise en charge"
JOINED_REQUIRED = "date d'adhésion obligatoire pour une structure active, suspendue ou sortie"
LEFT_REQUIRED = "date de sortie obligatoire pour une structure sortie du réseau"
LEFT_ONLY_WHEN_LEFT = "une date de sortie n'est possible que pour une structure sortie du réseau"
LEFT_BEFORE_JOINED = "la date de sortie précède la date d'adhésion"
CHANGE_BEFORE_JOINED = "le changement de statut précède la date d'adhésion"
CHANGE_BEFORE_LAST = "le changement de statut précède le dernier changement enregistré"
FUTURE_DATE = errors.FUTURE_DATE
PHONE_INVALID = "numéro invalide (chiffres, espaces, points, tirets, « + » ; 8 à 15 chiffres)"
EMAIL_INVALID = "adresse e-mail invalide"
NOT_FOUND = STRUCTURE_NOT_FOUND

# A number starts with « + », a digit or an opening bracket: never a sign a spreadsheet would evaluate.
PHONE_RE = re.compile(r"^(\+|\(?[0-9])[0-9 .()\-]*$")
MAX_CAPACITY = 999
INT_MAX = 2**31 - 1
TEXT_FIELDS = ("name", "commune", "phone", "email")

LABELS = {
    "id": "N°",
    "name": "Nom",
    "kind": "Type",
    "departement_code": "Département",
    "commune": "Commune",
    "capacity": "Places",
    "age_min": "Âge minimum",
    "age_max": "Âge maximum",
    "sexes": "Sexes accueillis",
    "exploitation_forms": "Formes d'exploitation",
    "services": "Services sur place",
    "status": "Statut",
    "joined_on": "Date d'adhésion",
    "left_on": "Date de sortie",
    "status_changed_on": "Date du changement de statut",
    "phone": "Téléphone",
    "email": "E-mail",
}
PARTNER_FIELDS = frozenset({"phone", "email", "capacity"})
EDITABLE_FIELDS = tuple(StructureUpdate.model_fields)
LIST_ENUMS = {"sexes": Sex, "exploitation_forms": ExploitationForm, "services": OnSiteService}
IN_NETWORK = {NetworkStatus.ACTIVE.value, NetworkStatus.SUSPENDED.value, NetworkStatus.LEFT.value}


def check_values(values: dict, *, row: int | None = None, today: date | None = None) -> list[FieldError]:
    """Every fault of a full set of structure values, in French (nothing is read from the database)."""
    from services.directory.referential import departement_options

    today = today or paris_today()
    errors: list[FieldError] = []

    def fault(key: str, message: str) -> None:
        errors.append(FieldError(LABELS[key], message, row=row))

    if not (values.get("name") or "").strip():
        fault("name", NAME_REQUIRED)
    for key in TEXT_FIELDS:
        errors += text_faults(LABELS[key], values.get(key), text_limit(Structure, key), row=row)
    if values.get("kind") not in StructureKind.labels():
        fault("kind", UNKNOWN_KIND)
    code = values.get("departement_code")
    if code not in {o.code for o in departement_options()}:
        fault("departement_code", f"{UNKNOWN_DEPARTEMENT} « {code or ''} »")
    if not (values.get("commune") or "").strip():
        fault("commune", COMMUNE_REQUIRED)
    capacity = values.get("capacity")
    if capacity is None:
        fault("capacity", INTEGER_EXPECTED)
    elif capacity < 0:
        fault("capacity", CAPACITY_NEGATIVE)
    elif capacity > MAX_CAPACITY:
        fault("capacity", CAPACITY_TOO_HIGH)
    ages_ok = True
    for key in ("age_min", "age_max"):
        age = values.get(key)
        if age is None or not 0 <= age <= 17:
            fault(key, AGE_RANGE)
            ages_ok = False
    if ages_ok and values["age_min"] > values["age_max"]:
        fault("age_min", AGES_ORDER)
    for key, enum_cls in LIST_ENUMS.items():
        unknown = [c for c in values.get(key) or [] if c not in enum_cls.labels()]
        if unknown:
            fault(key, f"{UNKNOWN_CODE} : {', '.join(map(str, unknown))}")
    if not values.get("sexes"):
        fault("sexes", SEXES_REQUIRED)
    if not values.get("exploitation_forms"):
        fault("exploitation_forms", FORMS_REQUIRED)
    status = values.get("status")
    if status not in NetworkStatus.labels():
        fault("status", UNKNOWN_STATUS)
    joined, left, changed = values.get("joined_on"), values.get("left_on"), values.get("status_changed_on")
    for key, day in (("joined_on", joined), ("left_on", left), ("status_changed_on", changed)):
        if day is not None and day > today:
            fault(key, FUTURE_DATE)
    if status in IN_NETWORK and joined is None:
        fault("joined_on", JOINED_REQUIRED)
    if status == NetworkStatus.LEFT.value and left is None:
        fault("left_on", LEFT_REQUIRED)
    if status in NetworkStatus.labels() and status != NetworkStatus.LEFT.value and left is not None:
        fault("left_on", LEFT_ONLY_WHEN_LEFT)
    if joined and left and left < joined:
        fault("left_on", LEFT_BEFORE_JOINED)
    if joined and changed and changed < joined and status in IN_NETWORK:
        fault("status_changed_on", CHANGE_BEFORE_JOINED)
    phone = (values.get("phone") or "").strip()
    if phone and (not PHONE_RE.match(phone) or not 8 <= sum(ch.isdigit() for ch in phone) <= 15):
        fault("phone", PHONE_INVALID)
    email = (values.get("email") or "").strip()
    if email and not _email_valid(email):
        fault("email", EMAIL_INVALID)
    return errors


def _email_valid(email: str) -> bool:
    """RFC syntax (email-validator, no DNS query), starting with a letter or a digit."""
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return False
    return email[0].isalnum()


def clean_values(values: dict) -> dict:
    values = dict(values)
    for key in ("name", "commune"):
        if values.get(key) is not None:
            values[key] = " ".join(values[key].split())
    for key in ("phone", "email"):
        values[key] = (values.get(key) or "").strip() or None
    if values.get("email"):
        values["email"] = values["email"].lower()
    for key in LIST_ENUMS:
        values[key] = sorted(set(values.get(key) or []))
    return values


def fill_dates(values: dict, today: date) -> dict:
    """A new structure's missing dates: joined and left default to its status change, or to today."""
    values = dict(values)
    status = values.get("status")
    if status == NetworkStatus.LEFT.value and values.get("left_on") is None:
        values["left_on"] = values.get("status_changed_on") or today
    if status in IN_NETWORK and values.get("joined_on") is None:
        candidates = [d for d in (values.get("status_changed_on"), values.get("left_on")) if d]
        values["joined_on"] = (
            min(candidates)
            if candidates and status != NetworkStatus.ACTIVE.value
            else (values.get("status_changed_on") or today)
        )
    return values


def name_taken(session, name: str, *, except_id: int | None = None) -> bool:
    if "\x00" in name:
        return False  # refused by the text check, with its label; PostgreSQL would not even compare it
    stmt = select(Structure.id).where(func.lower(Structure.name) == name.lower())
    if except_id is not None:
        stmt = stmt.where(Structure.id != except_id)
    return session.exec(stmt).first() is not None


def initial_history(values: dict, today: date) -> list[tuple[str, date]]:
    """The status steps a new structure brings with it, from its dates."""
    status, joined = values["status"], values.get("joined_on")
    changed = values.get("status_changed_on")
    if status == NetworkStatus.JOINING.value:
        return [(status, changed or today)]
    if status == NetworkStatus.ACTIVE.value:
        return [(status, joined or changed or today)]
    end = values.get("left_on") if status == NetworkStatus.LEFT.value else changed
    end = end or changed or today
    steps = [(NetworkStatus.ACTIVE.value, joined)] if joined and joined < end else []
    return steps + [(status, end)]
