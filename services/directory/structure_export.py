"""The directory as a file: CSV (UTF-8, « ; ») or XLSX, with the columns the import reads back."""

from __future__ import annotations

import io
from datetime import date, datetime

from core.access import Action, Actor, require
from core.db import session_scope
from core.formatting import fr_date
from core.spreadsheet import csv_write, xlsx_append
from models.structure import NetworkStatus, Structure, StructureKind
from services.directory.structure_listing import StructureFilters, StructureRow, row_statement
from services.directory.structure_rules import LIST_ENUMS

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
ENUM_OF = {"kind": StructureKind, "status": NetworkStatus, **LIST_ENUMS}


def _export_value(key: str, row: StructureRow, *, xlsx: bool):
    value = getattr(row, key)
    if key in LIST_ENUMS:
        return LIST_SEPARATOR.join(LIST_ENUMS[key].label_of(code) for code in value)
    if key in ("kind", "status"):
        return ENUM_OF[key].label_of(value)
    if isinstance(value, date):
        return value if xlsx else fr_date(value)
    return "" if value is None and not xlsx else value


def structure_export(*, actor: Actor, filters: StructureFilters | None = None, file_format: str = "csv") -> bytes:
    """Coordination and partner staff: the filtered directory as a CSV (UTF-8, « ; ») or XLSX file."""
    require(actor, Action.STRUCTURE_EXPORT)
    filters = filters or StructureFilters()
    with session_scope(actor) as session:
        rows = [StructureRow(*r) for r in session.exec(row_statement(filters).order_by(Structure.name, Structure.id))]
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
