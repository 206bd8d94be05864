"""Importing the directory from a CSV or XLSX file: create (empty « N° ») or update structures, all rows or none."""

from __future__ import annotations

import re

from core.access import Action, Actor, require
from core.bounds import NUMBER_OUT_OF_RANGE
from core.clock import paris_today
from core.db import session_scope
from core.errors import FieldError, ImportReport, ValidationFailed
from core.imports import by_line, cell_text, data_rows, fold, is_blank, parse_day, read_table
from models.structure import Structure
from services.directory.structure_export import ENUM_OF, EXPORT_ONLY, FILE_COLUMNS, REQUIRED_COLUMNS
from services.directory.structure_rules import (
    INT_MAX,
    INTEGER_EXPECTED,
    LABELS,
    LIST_ENUMS,
    NAME_TAKEN,
    UNKNOWN_CODE,
    UNKNOWN_KIND,
    UNKNOWN_STATUS,
    check_values,
    clean_values,
    fill_dates,
    name_taken,
)
from services.directory.structures import UpdatePlan, insert_structure, plan_update, write_update

NAME_REPEATED = "ce nom figure déjà plus haut dans le fichier"
DATE_EXPECTED = "date attendue au format jj/mm/aaaa"
UNKNOWN_ID = "aucune structure ne porte ce numéro"
ID_REPEATED = "ce numéro figure déjà plus haut dans le fichier"
MISSING_COLUMN = "colonne manquante"
EMPTY_FILE = "le fichier ne contient aucune ligne de données"


_HEADER_KEYS = {fold(header): key for key, header in FILE_COLUMNS} | {fold(key): key for key, _ in FILE_COLUMNS}
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


def _parse_int(value) -> int:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, (int, float)):
        if float(value).is_integer():
            return int(value)
        raise ValueError
    return int(cell_text(value).replace(" ", "").replace("\u00a0", ""))


def _departement(value) -> str:
    text = cell_text(value).upper()
    return text.zfill(2) if text.isdigit() and len(text) < 2 else text


def _enum_code(enum_cls, value) -> str | None:
    folded = fold(value)
    for code, label in enum_cls.labels().items():
        if folded in (fold(code), fold(label)):
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
        if is_blank(value):
            values[key] = [] if key in LIST_ENUMS else None
            continue
        try:
            if key in ("id", "capacity", "age_min", "age_max"):
                values[key] = _parse_int(value)
                if not -INT_MAX <= values[key] <= INT_MAX:
                    fault(key, NUMBER_OUT_OF_RANGE)
                    values[key] = _INVALID if key == "id" else None
            elif key in ("joined_on", "left_on"):
                values[key] = parse_day(value)
            elif key == "departement_code":
                values[key] = _departement(value)
            elif key in ("kind", "status"):
                code = _enum_code(ENUM_OF[key], value)
                if code is None:
                    fault(key, f"{UNKNOWN_KIND if key == 'kind' else UNKNOWN_STATUS} « {cell_text(value)} »")
                values[key] = code
            elif key in LIST_ENUMS:
                parts = [p for p in re.split(r"[,;|]", cell_text(value)) if p.strip()]
                codes = []
                for part in parts:
                    code = _enum_code(LIST_ENUMS[key], part)
                    if code is None:
                        fault(key, f"{UNKNOWN_CODE} « {part.strip()} »")
                    else:
                        codes.append(code)
                values[key] = codes
            else:
                values[key] = cell_text(value)
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
    while table and all(is_blank(v) for v in table[0]):
        table.pop(0)
    if not table:
        return ImportReport(errors=[FieldError("Fichier", EMPTY_FILE)])
    keys = [_HEADER_KEYS.get(fold(h)) if not is_blank(h) else None for h in table[0]]
    missing = [LABELS.get(k, k) for k in REQUIRED_COLUMNS if k not in keys]
    if missing:
        return ImportReport(errors=[FieldError("Fichier", f"{MISSING_COLUMN} : {c}", row=1) for c in missing])
    parsed: list[tuple[int, dict]] = []
    errors: list[FieldError] = []
    for index, cells in data_rows(table):
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
        updates: list[UpdatePlan] = []
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
                plan = plan_update(session, structure, values, today, row=line, skip=bad)
                errors += plan.errors
                updates.append(plan)
            else:
                full = dict(age_min=10, age_max=17, sexes=[], exploitation_forms=[], services=[])
                full.update({k: v for k, v in values.items() if v is not None or k not in full})
                full = fill_dates(clean_values(full), today)
                skipped = {LABELS[k] for k in bad}
                errors += [e for e in check_values(full, row=line, today=today) if e.field not in skipped]
                if name and name_taken(session, name):
                    errors.append(FieldError(LABELS["name"], NAME_TAKEN, row=line))
                creates.append(full)
        if errors:
            return ImportReport(errors=by_line(errors))
        for plan in updates:
            write_update(session, actor, plan, today)
        session.flush()
        for values in creates:
            insert_structure(session, values, today)
        session.flush()
    return ImportReport(written=len(creates) + len(updates))
