"""Partner structures: the directory of the network (list, detail, create, edit, export, import).

Network status over time: every status a structure takes is kept in `structure_status_changes`
with the day it took effect, so counts "at a date" (services.directory.coverage) read the status the
structure had then. A change of status cannot take effect in the future, so the status column and
the history agree on today's status.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime

from email_validator import EmailNotValidError, validate_email
from sqlmodel import func, or_, select

from core import errors
from core.access import Action, Actor, can, require, require_structure
from core.bounds import NUMBER_OUT_OF_RANGE, text_faults, text_limit
from core.clock import paris_today
from core.concurrency import check_version
from core.db import session_scope
from core.errors import AccessDenied, FieldError, ImportReport, NotFound, ValidationFailed
from core.formatting import fr_date
from core.imports import read_table
from core.spreadsheet import csv_write, xlsx_append
from models.base import LIKE_ESCAPE, code_list_contains, like_escape, utcnow
from models.referential import Departement, Region
from models.structure import (
    STRUCTURE_NOT_FOUND,
    ExploitationForm,
    NetworkStatus,
    OnSiteService,
    Sex,
    Structure,
    StructureCreate,
    StructureKind,
    StructurePublic,
    StructureStatusChange,
    StructureUpdate,
)

NAME_TAKEN = "une structure porte déjà ce nom"
NAME_REPEATED = "ce nom figure déjà plus haut dans le fichier"
NAME_REQUIRED = "le nom est obligatoire"
UNKNOWN_DEPARTEMENT = "département inconnu"
UNKNOWN_KIND = "type de structure inconnu"
UNKNOWN_STATUS = "statut inconnu"
UNKNOWN_CODE = "valeur inconnue"
COMMUNE_REQUIRED = "la commune est obligatoire"
CAPACITY_NEGATIVE = "le nombre de places ne peut pas être négatif"
CAPACITY_TOO_HIGH = "plus de 999 places : vérifiez le nombre"
INTEGER_EXPECTED = "nombre entier attendu"
DATE_EXPECTED = "date attendue au format jj/mm/aaaa"
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
UNKNOWN_ID = "aucune structure ne porte ce numéro"
ID_REPEATED = "ce numéro figure déjà plus haut dans le fichier"
PARTNER_FIELDS_ONLY = (
    "Accès refusé : une structure partenaire ne peut modifier que son contact (téléphone, e-mail) et sa capacité."
)
MISSING_COLUMN = "colonne manquante"
EMPTY_FILE = "le fichier ne contient aucune ligne de données"
UNREADABLE_FILE = "fichier illisible : enregistrez-le en CSV (UTF-8, séparateur « ; ») ou en XLSX"

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
_LIST_ENUMS = {"sexes": Sex, "exploitation_forms": ExploitationForm, "services": OnSiteService}
_IN_NETWORK = {NetworkStatus.ACTIVE.value, NetworkStatus.SUSPENDED.value, NetworkStatus.LEFT.value}


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------


def _check_values(values: dict, *, row: int | None = None, today: date | None = None) -> list[FieldError]:
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
    for key, enum_cls in _LIST_ENUMS.items():
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
    if status in _IN_NETWORK and joined is None:
        fault("joined_on", JOINED_REQUIRED)
    if status == NetworkStatus.LEFT.value and left is None:
        fault("left_on", LEFT_REQUIRED)
    if status in NetworkStatus.labels() and status != NetworkStatus.LEFT.value and left is not None:
        fault("left_on", LEFT_ONLY_WHEN_LEFT)
    if joined and left and left < joined:
        fault("left_on", LEFT_BEFORE_JOINED)
    if joined and changed and changed < joined and status in _IN_NETWORK:
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


def _clean(values: dict) -> dict:
    values = dict(values)
    for key in ("name", "commune"):
        if values.get(key) is not None:
            values[key] = " ".join(values[key].split())
    for key in ("phone", "email"):
        values[key] = (values.get(key) or "").strip() or None
    if values.get("email"):
        values["email"] = values["email"].lower()
    for key in _LIST_ENUMS:
        values[key] = sorted(set(values.get(key) or []))
    return values


def _fill_dates(values: dict, today: date) -> dict:
    """A new structure's missing dates: joined and left default to its status change, or to today."""
    values = dict(values)
    status = values.get("status")
    if status == NetworkStatus.LEFT.value and values.get("left_on") is None:
        values["left_on"] = values.get("status_changed_on") or today
    if status in _IN_NETWORK and values.get("joined_on") is None:
        candidates = [d for d in (values.get("status_changed_on"), values.get("left_on")) if d]
        values["joined_on"] = (
            min(candidates)
            if candidates and status != NetworkStatus.ACTIVE.value
            else (values.get("status_changed_on") or today)
        )
    return values


def _name_taken(session, name: str, *, except_id: int | None = None) -> bool:
    if "\x00" in name:
        return False  # refused by the text check, with its label; PostgreSQL would not even compare it
    stmt = select(Structure.id).where(func.lower(Structure.name) == name.lower())
    if except_id is not None:
        stmt = stmt.where(Structure.id != except_id)
    return session.exec(stmt).first() is not None


def _initial_history(values: dict, today: date) -> list[tuple[str, date]]:
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


def _public(structure: Structure) -> StructurePublic:
    return StructurePublic.model_validate(structure, from_attributes=True)


# --------------------------------------------------------------------------------------------
# Create, read, update
# --------------------------------------------------------------------------------------------


def _insert(session, values: dict, today: date) -> Structure:
    values = dict(values)
    if values["status"] == NetworkStatus.LEFT.value:
        values["status_changed_on"] = values.get("left_on")
    elif values["status"] != NetworkStatus.JOINING.value and values.get("status_changed_on") is None:
        values["status_changed_on"] = values.get("joined_on") or today
    structure = Structure(**{key: values.get(key) for key in StructureCreate.model_fields if key in values})
    session.add(structure)
    session.flush()
    for status, effective in _initial_history(values, today):
        session.add(StructureStatusChange(structure_id=structure.id, status=status, effective_on=effective))
    return structure


def structure_create(*, actor: Actor, data: StructureCreate) -> StructurePublic:
    """Coordination only: add a structure to the directory (its status history starts with it)."""
    require(actor, Action.STRUCTURE_CREATE)
    today = paris_today()
    values = _fill_dates(_clean(data.model_dump()), today)
    errors = _check_values(values, today=today)
    with session_scope(actor) as session:
        if values.get("name") and _name_taken(session, values["name"]):
            errors.append(FieldError(LABELS["name"], NAME_TAKEN))
        if errors:
            raise ValidationFailed(errors)
        return _public(_insert(session, values, today))


def structure_get(*, actor: Actor, structure_id: int) -> StructurePublic:
    """Coordination and partner staff: one structure of the directory."""
    require(actor, Action.STRUCTURE_READ)
    with session_scope(actor) as session:
        structure = session.get(Structure, structure_id)
        if structure is None:
            raise NotFound(NOT_FOUND)
        return _public(structure)


def structure_options(*, actor: Actor) -> list[tuple[int, str]]:
    """Coordination and partner staff: (id, name) of every structure, for pick lists."""
    require(actor, Action.STRUCTURE_READ)
    with session_scope(actor) as session:
        return [tuple(row) for row in session.exec(select(Structure.id, Structure.name).order_by(Structure.name))]


@dataclass
class _UpdatePlan:
    structure: Structure
    values: dict
    effective: date | None
    errors: list[FieldError]


def _plan_update(
    session, structure: Structure, changes: dict, today: date, *, row: int | None = None, skip: set[str] = frozenset()
) -> _UpdatePlan:
    """Merge `changes` into the structure's current values and check the whole result (nothing applied)."""
    values = {key: getattr(structure, key) for key in EDITABLE_FIELDS}
    old_status = values["status"]
    values.update(changes)
    values = _clean(values)
    new_status = values["status"]
    errors: list[FieldError] = []
    effective = None
    if new_status != old_status and new_status in NetworkStatus.labels():
        effective = (
            changes.get("status_changed_on")
            or (values.get("left_on") if new_status == NetworkStatus.LEFT.value else None)
            or today
        )
        if new_status == NetworkStatus.ACTIVE.value and values.get("joined_on") is None:
            values["joined_on"] = effective
        if new_status == NetworkStatus.LEFT.value and values.get("left_on") is None:
            values["left_on"] = effective
        if old_status == NetworkStatus.LEFT.value:
            values["left_on"] = None
        values["status_changed_on"] = effective
        last = session.exec(
            select(func.max(StructureStatusChange.effective_on)).where(
                StructureStatusChange.structure_id == structure.id
            )
        ).one()
        if last is not None and effective < last:
            errors.append(FieldError(LABELS["status_changed_on"], f"{CHANGE_BEFORE_LAST} ({fr_date(last)})", row=row))
    skipped = {LABELS[k] for k in skip}
    errors += [e for e in _check_values(values, row=row, today=today) if e.field not in skipped]
    if values.get("name") and _name_taken(session, values["name"], except_id=structure.id):
        errors.append(FieldError(LABELS["name"], NAME_TAKEN, row=row))
    return _UpdatePlan(structure, values, effective, errors)


def _write_update(session, actor: Actor, plan: _UpdatePlan, today: date) -> None:
    structure = plan.structure
    for key in EDITABLE_FIELDS:
        if getattr(structure, key) != plan.values[key]:
            setattr(structure, key, plan.values[key])
    if plan.effective is not None:
        session.add(
            StructureStatusChange(structure_id=structure.id, status=plan.values["status"], effective_on=plan.effective)
        )
    if actor.is_partner:
        structure.contact_checked_on = today
    if session.is_modified(structure):
        structure.updated_at = utcnow()
    session.add(structure)


def structure_update(
    *, actor: Actor, structure_id: int, expected_version: int | None, changes: StructureUpdate, seen: dict | None = None
) -> StructurePublic:
    """Coordination: any field of any structure. Partner staff: contact and capacity of their own structure only.

    Only the fields set in `changes` are changed; a partner setting any other field is refused.
    """
    require(actor, Action.STRUCTURE_EDIT_OWN)
    require_structure(actor, structure_id)
    changed = changes.model_dump(exclude_unset=True)
    if not can(actor, Action.STRUCTURE_EDIT_ALL) and set(changed) - PARTNER_FIELDS:
        raise AccessDenied(PARTNER_FIELDS_ONLY)
    today = paris_today()
    with session_scope(actor) as session:
        structure = session.get(Structure, structure_id)
        if structure is None:
            raise NotFound(NOT_FOUND)
        check_version(structure, expected_version, seen=seen, labels=LABELS)
        plan = _plan_update(session, structure, changed, today)
        if plan.errors:
            raise ValidationFailed(plan.errors)
        _write_update(session, actor, plan, today)
        session.flush()
        return _public(structure)


def structure_confirm_contact(*, actor: Actor, structure_id: int) -> StructurePublic:
    """Partner staff of the structure (or coordination): confirm its contact and capacity are up to date."""
    require(actor, Action.STRUCTURE_EDIT_OWN)
    require_structure(actor, structure_id)
    with session_scope(actor) as session:
        structure = session.get(Structure, structure_id)
        if structure is None:
            raise NotFound(NOT_FOUND)
        structure.contact_checked_on = paris_today()
        session.add(structure)
        session.flush()
        return _public(structure)


@dataclass(frozen=True)
class StatusStep:
    status: str
    effective_on: date


def structure_status_history(*, actor: Actor, structure_id: int) -> list[StatusStep]:
    """Coordination and partner staff: the network statuses a structure went through, oldest first."""
    require(actor, Action.STRUCTURE_READ)
    with session_scope(actor) as session:
        rows = session.exec(
            select(StructureStatusChange.status, StructureStatusChange.effective_on)
            .where(StructureStatusChange.structure_id == structure_id)
            .order_by(StructureStatusChange.effective_on, StructureStatusChange.id)
        ).all()
    return [StatusStep(status, effective_on) for status, effective_on in rows]


def structure_contact_to_check(*, actor: Actor, months: int) -> bool:
    """Partner staff: True when their structure's contact and capacity were never confirmed, or not for `months`."""
    if not actor.is_partner or actor.structure_id is None:
        return False
    with session_scope(actor) as session:
        checked = session.exec(select(Structure.contact_checked_on).where(Structure.id == actor.structure_id)).first()
    from services.directory.standards import months_before

    return checked is None or checked < months_before(paris_today(), months)


# --------------------------------------------------------------------------------------------
# The directory list
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StructureFilters:
    search: str = ""
    region_code: str | None = None
    departement_code: str | None = None
    kind: str | None = None
    status: str | None = None
    exploitation_form: str | None = None
    overseas_only: bool = False


@dataclass(frozen=True)
class StructureRow:
    id: int
    name: str
    kind: str
    departement_code: str
    departement_name: str
    region_name: str
    overseas: bool
    commune: str
    capacity: int
    age_min: int
    age_max: int
    sexes: list[str]
    exploitation_forms: list[str]
    services: list[str]
    status: str
    joined_on: date | None
    left_on: date | None
    phone: str | None
    email: str | None


@dataclass(frozen=True)
class StructurePage:
    rows: list[StructureRow]
    total: int
    places: int
    compliance: dict = field(
        default_factory=dict
    )  # structure id -> services.directory.standards.Compliance (coordination)


def _filtered(statement, filters: StructureFilters):
    conditions = []
    term = " ".join((filters.search or "").split()).lower()
    if term:
        like = f"%{like_escape(term)}%"
        conditions.append(
            or_(
                func.lower(Structure.name).like(like, escape=LIKE_ESCAPE),
                func.lower(Structure.commune).like(like, escape=LIKE_ESCAPE),
                func.lower(Departement.name).like(like, escape=LIKE_ESCAPE),
                Structure.departement_code == term.upper(),
            )
        )
    if filters.region_code:
        conditions.append(Departement.region_code == filters.region_code)
    if filters.departement_code:
        conditions.append(Structure.departement_code == filters.departement_code)
    if filters.kind:
        conditions.append(Structure.kind == filters.kind)
    if filters.status:
        conditions.append(Structure.status == filters.status)
    if filters.exploitation_form:
        conditions.append(code_list_contains(Structure.exploitation_forms, filters.exploitation_form))
    if filters.overseas_only:
        conditions.append(Departement.overseas.is_(True))
    return statement.join(Departement, Departement.code == Structure.departement_code).where(*conditions)


_ROW_COLUMNS = (
    Structure.id,
    Structure.name,
    Structure.kind,
    Structure.departement_code,
    Departement.name,
    Region.name,
    Departement.overseas,
    Structure.commune,
    Structure.capacity,
    Structure.age_min,
    Structure.age_max,
    Structure.sexes,
    Structure.exploitation_forms,
    Structure.services,
    Structure.status,
    Structure.joined_on,
    Structure.left_on,
    Structure.phone,
    Structure.email,
)


def _row_statement(filters: StructureFilters):
    return _filtered(select(*_ROW_COLUMNS), filters).join(Region, Region.code == Departement.region_code)


def structure_list(
    *, actor: Actor, filters: StructureFilters | None = None, limit: int = 50, offset: int = 0
) -> StructurePage:
    """Coordination and partner staff: the directory, filtered and paged in SQL, with total and places.

    The coordination also gets each listed structure's référentiel compliance.
    """
    require(actor, Action.STRUCTURE_READ)
    filters = filters or StructureFilters()
    with session_scope(actor) as session:
        total, places = session.exec(
            _filtered(select(func.count(Structure.id), func.coalesce(func.sum(Structure.capacity), 0)), filters)
        ).one()
        rows = session.exec(
            _row_statement(filters).order_by(Structure.name, Structure.id).limit(limit).offset(offset)
        ).all()
    page_rows = [StructureRow(*row) for row in rows]
    compliance = {}
    if actor.is_coordination and page_rows:
        from services.directory.standards import compliance_for

        compliance = compliance_for(actor=actor, structure_ids=[r.id for r in page_rows])
    return StructurePage(rows=page_rows, total=total, places=int(places), compliance=compliance)


# --------------------------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------------------------

# (key, header) of the columns written by the export and read back by the import, in order.
FILE_COLUMNS = [
    ("id", "N°"),
    ("name", "Nom"),
    ("kind", "Type"),
    ("departement_code", "Département"),
    ("departement_name", "Nom du département"),
    ("region_name", "Région"),
    ("commune", "Commune"),
    ("capacity", "Places"),
    ("age_min", "Âge minimum"),
    ("age_max", "Âge maximum"),
    ("sexes", "Sexes accueillis"),
    ("exploitation_forms", "Formes d'exploitation"),
    ("services", "Services sur place"),
    ("status", "Statut"),
    ("joined_on", "Date d'adhésion"),
    ("left_on", "Date de sortie"),
    ("phone", "Téléphone"),
    ("email", "E-mail"),
]
EXPORT_ONLY = {"departement_name", "region_name"}
REQUIRED_COLUMNS = ("name", "kind", "departement_code", "commune", "capacity", "status")
LIST_SEPARATOR = ", "
_ENUM_OF = {"kind": StructureKind, "status": NetworkStatus, **_LIST_ENUMS}


def _export_value(key: str, row: StructureRow, *, xlsx: bool):
    value = getattr(row, key)
    if key in _LIST_ENUMS:
        return LIST_SEPARATOR.join(_LIST_ENUMS[key].label_of(code) for code in value)
    if key in ("kind", "status"):
        return _ENUM_OF[key].label_of(value)
    if isinstance(value, date):
        return value if xlsx else fr_date(value)
    return "" if value is None and not xlsx else value


def structure_export(*, actor: Actor, filters: StructureFilters | None = None, file_format: str = "csv") -> bytes:
    """Coordination and partner staff: the filtered directory as a CSV (UTF-8, « ; ») or XLSX file."""
    require(actor, Action.STRUCTURE_EXPORT)
    filters = filters or StructureFilters()
    with session_scope(actor) as session:
        rows = [StructureRow(*r) for r in session.exec(_row_statement(filters).order_by(Structure.name, Structure.id))]
    headers = [header for _, header in FILE_COLUMNS]
    if file_format == "xlsx":
        from openpyxl import Workbook
        from openpyxl.styles import Font

        book = Workbook()
        sheet = book.active
        sheet.title = "Annuaire"
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            xlsx_append(sheet, [_export_value(key, row, xlsx=True) for key, _ in FILE_COLUMNS])
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, (date, datetime)):
                    cell.number_format = "DD/MM/YYYY"
        sheet.freeze_panes = "A2"
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    out = io.StringIO()
    csv_write(
        out,
        [headers, *([_export_value(key, row, xlsx=False) for key, _ in FILE_COLUMNS] for row in rows)],
        delimiter=";",
        lineterminator="\r\n",
    )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# --------------------------------------------------------------------------------------------
# Import
# --------------------------------------------------------------------------------------------


def _fold(text: object) -> str:
    """Lower case, no accents, single spaces: to match headers and labels loosely."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return " ".join(text.lower().replace("’", "'").split())


_HEADER_KEYS = {_fold(header): key for key, header in FILE_COLUMNS} | {_fold(key): key for key, _ in FILE_COLUMNS}
_HEADER_KEYS.update(
    {
        "numero": "id",
        "id": "id",
        "code departement": "departement_code",
        "capacite": "capacity",
        "telephone": "phone",
        "email": "email",
        "mail": "email",
    }
)


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _parse_int(value) -> int:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, (int, float)):
        if float(value).is_integer():
            return int(value)
        raise ValueError
    return int(_text(value).replace(" ", "").replace("\u00a0", ""))


def _parse_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError


def _departement(value) -> str:
    text = _text(value).upper()
    return text.zfill(2) if text.isdigit() and len(text) < 2 else text


def _enum_code(enum_cls, value) -> str | None:
    folded = _fold(value)
    for code, label in enum_cls.labels().items():
        if folded in (_fold(code), _fold(label)):
            return code
    return None


_INVALID = object()


def _parse_row(raw: dict, line: int) -> tuple[dict, list[FieldError]]:
    values: dict = {}
    errors: list[FieldError] = []

    def fault(key: str, message: str) -> None:
        errors.append(FieldError(LABELS[key], message, row=line))

    for key, value in raw.items():
        if key in EXPORT_ONLY:
            continue
        if _blank(value):
            values[key] = [] if key in _LIST_ENUMS else None
            continue
        try:
            if key in ("id", "capacity", "age_min", "age_max"):
                values[key] = _parse_int(value)
                if not -INT_MAX <= values[key] <= INT_MAX:
                    fault(key, NUMBER_OUT_OF_RANGE)
                    values[key] = _INVALID if key == "id" else None
            elif key in ("joined_on", "left_on"):
                values[key] = _parse_date(value)
            elif key == "departement_code":
                values[key] = _departement(value)
            elif key in ("kind", "status"):
                code = _enum_code(_ENUM_OF[key], value)
                if code is None:
                    fault(key, f"{UNKNOWN_KIND if key == 'kind' else UNKNOWN_STATUS} « {_text(value)} »")
                values[key] = code
            elif key in _LIST_ENUMS:
                parts = [p for p in re.split(r"[,;|]", _text(value)) if p.strip()]
                codes = []
                for part in parts:
                    code = _enum_code(_LIST_ENUMS[key], part)
                    if code is None:
                        fault(key, f"{UNKNOWN_CODE} « {part.strip()} »")
                    else:
                        codes.append(code)
                values[key] = codes
            else:
                values[key] = _text(value)
        except (ValueError, OverflowError):
            fault(key, DATE_EXPECTED if key in ("joined_on", "left_on") else INTEGER_EXPECTED)
            values[key] = _INVALID if key == "id" else None
    return values, errors


def structure_import(*, actor: Actor, content: bytes, filename: str) -> ImportReport:
    """Coordination only: create (empty « N° ») or update (« N° » given) structures from a CSV or XLSX file.

    All rows or none: when any row is faulty nothing is written and the report lists every fault
    with its line number in the file (the header is line 1).
    """
    require(actor, Action.STRUCTURE_IMPORT)
    today = paris_today()
    try:
        table = read_table(filename, content)
    except ValidationFailed as refused:
        return ImportReport(errors=refused.errors)
    while table and all(_blank(v) for v in table[0]):
        table.pop(0)
    if not table:
        return ImportReport(errors=[FieldError("Fichier", EMPTY_FILE)])
    keys = [_HEADER_KEYS.get(_fold(h)) if not _blank(h) else None for h in table[0]]
    missing = [LABELS.get(k, k) for k in REQUIRED_COLUMNS if k not in keys]
    if missing:
        return ImportReport(errors=[FieldError("Fichier", f"{MISSING_COLUMN} : {c}", row=1) for c in missing])
    parsed: list[tuple[int, dict]] = []
    errors: list[FieldError] = []
    for index, cells in enumerate(table[1:], start=2):
        if all(_blank(v) for v in cells):
            continue
        raw = {key: cells[i] if i < len(cells) else None for i, key in enumerate(keys) if key}
        values, row_errors = _parse_row(raw, index)
        errors += row_errors
        parsed.append((index, values))
    if not parsed:
        return ImportReport(errors=[FieldError("Fichier", EMPTY_FILE)])

    # The faulty fields of each line, gathered once: looking them up in the whole error list for every
    # line made a file with many faulty rows take quadratic time.
    faulty: dict[int, set[str]] = {}
    for error in errors:
        faulty.setdefault(error.row, set()).add(error.field)
    key_of = {label: key for key, label in LABELS.items()}
    with session_scope(actor) as session:
        seen_names: dict[str, int] = {}
        seen_ids: set[int] = set()
        creates: list[dict] = []
        updates: list[_UpdatePlan] = []
        for line, values in parsed:
            bad = {key_of[label] for label in faulty.get(line, ()) if label in key_of}
            structure_id = values.pop("id", None)
            name = (values.get("name") or "").strip()
            if name:
                folded = name.lower()
                if folded in seen_names:
                    errors.append(FieldError(LABELS["name"], f"{NAME_REPEATED} (ligne {seen_names[folded]})", row=line))
                seen_names.setdefault(folded, line)
            if structure_id is _INVALID:
                continue
            if structure_id is not None:
                if structure_id in seen_ids:
                    errors.append(FieldError(LABELS["id"], ID_REPEATED, row=line))
                seen_ids.add(structure_id)
                structure = session.get(Structure, structure_id)
                if structure is None:
                    errors.append(FieldError(LABELS["id"], f"{UNKNOWN_ID} ({structure_id})", row=line))
                    continue
                plan = _plan_update(session, structure, values, today, row=line, skip=bad)
                errors += plan.errors
                updates.append(plan)
            else:
                full = dict(age_min=10, age_max=17, sexes=[], exploitation_forms=[], services=[])
                full.update({k: v for k, v in values.items() if v is not None or k not in full})
                full = _fill_dates(_clean(full), today)
                skipped = {LABELS[k] for k in bad}
                errors += [e for e in _check_values(full, row=line, today=today) if e.field not in skipped]
                if name and _name_taken(session, name):
                    errors.append(FieldError(LABELS["name"], NAME_TAKEN, row=line))
                creates.append(full)
        if errors:
            errors.sort(key=lambda e: e.row or 0)
            return ImportReport(errors=errors)
        for plan in updates:
            _write_update(session, actor, plan, today)
        session.flush()
        for values in creates:
            _insert(session, values, today)
        session.flush()
    return ImportReport(written=len(creates) + len(updates))
