"""Importing past (delivered) training sessions from CSV or XLSX: all rows or none.

One line per session. Columns (headers are matched without case or accents):
Date de début, Date de fin, Module (exact title), Organisme formateur, Formateur (optional),
Lieu (département code or name, or « à distance »), Heures, Structures (names separated by « ; »),
one column per profile (its label, e.g. « Éducateur spécialisé »), Satisfaction (1–5, optional),
Commentaire (optional). Line numbers in errors are those of the spreadsheet (headers on line 1).
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlmodel import select

from core.access import Action, Actor, require
from core.clock import paris_today
from core.db import session_scope
from core.errors import FieldError, ImportReport, ValidationFailed
from core.imports import cell_text, data_rows, header_key, is_blank, parse_day, read_table
from core.spreadsheet import csv_write, xlsx_append
from models.referential import Departement
from models.structure import Structure
from models.training import SessionStatus, TrainingModule, TrainingProfile, TrainingSession
from services.training.sessions import SessionData, session_errors, write_session

FILE_UNREADABLE = "fichier illisible : enregistrez-le en CSV (UTF-8) ou en XLSX"
FILE_EMPTY = "le fichier ne contient aucune session"
MISSING_COLUMN = "colonne manquante : {column}"
UNKNOWN_COLUMN = "colonne inconnue : {column}"
NO_PROFILE_COLUMN = "aucune colonne de participants par profil"
DATE_INVALID = "date illisible « {value} » (attendu jj/mm/aaaa)"
NUMBER_INVALID = "nombre illisible « {value} »"
WHOLE_NUMBER_INVALID = "nombre entier attendu, pas « {value} »"
UNKNOWN_MODULE_TITLE = "module inconnu « {value} » (intitulé exact du catalogue)"
UNKNOWN_PLACE = "lieu inconnu « {value} » (code ou nom de département, ou « à distance »)"
UNKNOWN_STRUCTURE_NAME = "structure inconnue « {value} »"
DUPLICATE_SESSION = "cette session est déjà enregistrée (même module, même début, même lieu, même organisme)"
DUPLICATE_ROW = "même session que la ligne {other}"

COLUMNS = {
    "start": ("Date de début", ["date_de_debut", "debut", "date_debut"]),
    "end": ("Date de fin", ["date_de_fin", "fin", "date_fin"]),
    "module": ("Module", ["module", "intitule", "intitule_du_module"]),
    "organisation": ("Organisme formateur", ["organisme_formateur", "organisme"]),
    "trainer": ("Formateur", ["formateur", "nom_du_formateur", "formateur_nom"]),
    "place": ("Lieu", ["lieu", "departement"]),
    "hours": ("Heures", ["heures", "duree", "duree_heures", "duree_en_heures"]),
    "structures": ("Structures", ["structures", "structures_participantes"]),
    "satisfaction": ("Satisfaction", ["satisfaction", "satisfaction_1_5", "note"]),
    "comment": ("Commentaire", ["commentaire", "commentaire_d_evaluation", "evaluation"]),
}
REQUIRED = ("start", "end", "module", "organisation", "place", "hours")
REMOTE_WORDS = {"distance", "a_distance", "distanciel", "en_ligne", "visio"}


def _header_map() -> dict[str, str]:
    mapping = {alias: key for key, (_, aliases) in COLUMNS.items() for alias in aliases}
    for profile in TrainingProfile:
        mapping[header_key(profile.label)] = f"profile:{profile.value}"
        mapping[profile.value] = f"profile:{profile.value}"
    return mapping


@dataclass(frozen=True)
class ImportRow:
    line: int
    values: dict[str, object]  # column key → raw cell (str, number, date or None)


def training_import_template(*, file_format: str) -> bytes:
    """Any caller: an empty import file with its headers and one example line (csv or xlsx)."""
    headers = [label for label, _ in COLUMNS.values()]
    headers[8:8] = [p.label for p in TrainingProfile]  # profiles before satisfaction and comment
    example = {
        "Date de début": "14/03/2024",
        "Date de fin": "14/03/2024",
        "Module": "(intitulé exact du catalogue)",
        "Organisme formateur": "Organisme de formation",
        "Formateur": "",
        "Lieu": "35",
        "Heures": "7",
        "Structures": "Structure A ; Structure B",
        TrainingProfile.EDUCATEUR.label: "6",
        TrainingProfile.PSYCHOLOGUE.label: "2",
        "Satisfaction": "4",
        "Commentaire": "",
    }
    line = [example.get(h, "") for h in headers]
    if file_format == "csv":
        buffer = io.StringIO()
        csv_write(buffer, [headers, line], delimiter=";")
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Sessions"
    xlsx_append(sheet, headers)
    xlsx_append(sheet, line)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def training_import_read(*, content: bytes, filename: str) -> list[ImportRow]:
    """Any caller: the lines of an uploaded CSV or XLSX file, by column key; refuses unknown columns."""
    is_xlsx = (filename or "").lower().endswith((".xlsx", ".xlsm"))
    table = read_table(filename if is_xlsx else "import.csv", content)
    if not table:
        raise ValidationFailed(FieldError("Fichier", FILE_EMPTY))
    mapping = _header_map()
    keys, errors = [], []
    for header in table[0]:
        name = header_key(header or "")
        key = mapping.get(name)
        if name and key is None:
            errors.append(FieldError("Fichier", UNKNOWN_COLUMN.format(column=header)))
        keys.append(key)
    for required in REQUIRED:
        if required not in keys:
            errors.append(FieldError("Fichier", MISSING_COLUMN.format(column=COLUMNS[required][0])))
    if not any(k and k.startswith("profile:") for k in keys):
        errors.append(FieldError("Fichier", NO_PROFILE_COLUMN))
    if errors:
        raise ValidationFailed(errors)
    rows = []
    for number, cells in data_rows(table):
        values = {key: cell for key, cell in zip(keys, cells) if key is not None}
        if all(is_blank(v) for v in values.values()):
            continue
        rows.append(ImportRow(line=number, values=values))
    if not rows:
        raise ValidationFailed(FieldError("Fichier", FILE_EMPTY))
    return rows


def parse_number(value) -> float:
    """A finite number (« nan » or « inf » are not numbers).

    >>> parse_number("2,5")
    2.5
    """
    number = (
        float(value)
        if isinstance(value, (int, float))
        else float(cell_text(value).replace("\u00a0", "").replace(" ", "").replace(",", "."))
    )
    if not math.isfinite(number):
        raise ValueError(value)
    return number


def training_session_import(*, actor: Actor, rows: list[ImportRow], today: date | None = None) -> ImportReport:
    """Coordination only: write every row as a delivered session, or none when any row is faulty
    (the report then lists every fault with its line number)."""
    require(actor, Action.TRAINING_MANAGE)
    today = today or paris_today()
    with session_scope(actor) as session:
        modules = {m.title.strip().lower(): m.id for m in session.exec(select(TrainingModule))}
        structures = {name.strip().lower(): sid for sid, name in session.exec(select(Structure.id, Structure.name))}
        places = {}
        for code, name in session.exec(select(Departement.code, Departement.name)):
            places[code.lower()] = places[header_key(name)] = places[header_key(f"{code} {name}")] = code
        errors: list[FieldError] = []
        parsed: list[tuple[int, SessionData]] = []
        seen: dict[tuple, int] = {}
        for row in rows:
            data, row_errors = _row_data(row, modules, structures, places)
            # The shared checks, without repeating a column whose cell could not even be read.
            unreadable = {e.field for e in row_errors}
            row_errors += [
                e for e in session_errors(session, data, today=today, row=row.line) if e.field not in unreadable
            ]
            key = (
                data.module_id,
                data.start_date,
                data.departement_code,
                data.remote,
                data.trainer_organisation.strip().lower(),
            )
            if key in seen:
                row_errors.append(FieldError("Session", DUPLICATE_ROW.format(other=seen[key]), row=row.line))
            else:
                seen[key] = row.line
                if not row_errors and _already_recorded(session, data):
                    row_errors.append(FieldError("Session", DUPLICATE_SESSION, row=row.line))
            errors += row_errors
            if not row_errors:
                parsed.append((row.line, data))
        if errors:
            return ImportReport(written=0, errors=errors)
        for _, data in parsed:
            write_session(session, data)
        return ImportReport(written=len(parsed))


def _already_recorded(session, data: SessionData) -> bool:
    return (
        session.exec(
            select(func.count())
            .select_from(TrainingSession)
            .where(
                TrainingSession.module_id == data.module_id,
                TrainingSession.start_date == data.start_date,
                TrainingSession.remote == data.remote,
                TrainingSession.departement_code == data.departement_code
                if not data.remote
                else TrainingSession.departement_code.is_(None),
                func.lower(TrainingSession.trainer_organisation) == data.trainer_organisation.strip().lower(),
            )
        ).one()
        > 0
    )


def _row_data(row: ImportRow, modules: dict, structures: dict, places: dict) -> tuple[SessionData, list[FieldError]]:
    errors: list[FieldError] = []
    values = row.values

    def fault(label: str, message: str) -> None:
        errors.append(FieldError(label, message, row=row.line))

    dates = {}
    for key in ("start", "end"):
        raw = values.get(key)
        if is_blank(raw):
            dates[key] = None  # reported as missing by the shared checks
            continue
        try:
            dates[key] = parse_day(raw)
        except ValueError:
            fault(COLUMNS[key][0], DATE_INVALID.format(value=cell_text(raw)))
            dates[key] = None
    module_title = cell_text(values.get("module"))
    module_id = modules.get(module_title.lower())
    if module_title and module_id is None:
        fault("Module", UNKNOWN_MODULE_TITLE.format(value=module_title))
    place = cell_text(values.get("place"))
    remote, departement = False, None
    if header_key(place) in REMOTE_WORDS:
        remote = True
    elif place:
        departement = places.get(place.lower()) or places.get(header_key(place))
        if departement is None:
            fault("Lieu", UNKNOWN_PLACE.format(value=place))
    hours = None
    if not is_blank(values.get("hours")):
        try:
            hours = parse_number(values["hours"])
        except ValueError:
            fault("Heures", NUMBER_INVALID.format(value=cell_text(values["hours"])))
    participants = {}
    for key, raw in values.items():
        if not key.startswith("profile:") or is_blank(raw):
            continue
        profile = key.split(":", 1)[1]
        try:
            number = parse_number(raw)
            if number != int(number):
                raise ValueError
            participants[profile] = int(number)
        except ValueError:
            fault(
                f"Participants « {TrainingProfile.label_of(profile)} »",
                WHOLE_NUMBER_INVALID.format(value=cell_text(raw)),
            )
    structure_ids = []
    for name in [n.strip() for n in cell_text(values.get("structures")).split(";") if n.strip()]:
        if name.lower() in structures:
            structure_ids.append(structures[name.lower()])
        else:
            fault("Structures", UNKNOWN_STRUCTURE_NAME.format(value=name))
    satisfaction = None
    if not is_blank(values.get("satisfaction")):
        try:
            number = parse_number(values["satisfaction"])
            if number != int(number):
                raise ValueError
            satisfaction = int(number)
        except ValueError:
            fault("Satisfaction", WHOLE_NUMBER_INVALID.format(value=cell_text(values["satisfaction"])))
    data = SessionData(
        module_id=module_id,
        start_date=dates["start"],
        end_date=dates["end"],
        trainer_organisation=cell_text(values.get("organisation")),
        trainer_name=cell_text(values.get("trainer")) or None,
        remote=remote,
        departement_code=departement,
        hours=hours,
        status=SessionStatus.DELIVERED.value,
        participants=participants,
        structure_ids=sorted(set(structure_ids)),
        satisfaction=satisfaction,
        evaluation_comment=cell_text(values.get("comment")) or None,
    )
    return data, errors
