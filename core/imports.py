"""Reading an imported file, the same way for every import: size and row limits, no formulas, no NUL.

`read_table(filename, content)` returns the first sheet of an XLSX or the rows of a CSV as lists of
cell values (text stays text: « nan » or « NA » are never taken for an empty cell). Everything that
makes a file unusable is refused in French before any transaction is opened.
"""

from __future__ import annotations

import csv
import io

from core.bounds import NUL_REFUSED
from core.errors import FieldError, ValidationFailed
from core.spreadsheet import csv_unprotect

MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_IMPORT_ROWS = 5000
FILE_TOO_BIG = f"fichier trop volumineux : {MAX_IMPORT_BYTES // (1024 * 1024)} Mo au plus"
TOO_MANY_ROWS = f"{MAX_IMPORT_ROWS:,} lignes au plus par import : découpez le fichier".replace(",", "\u202f")
UNKNOWN_FORMAT = "format non reconnu : fichier CSV ou XLSX attendu"
UNREADABLE = "fichier illisible : enregistrez-le en CSV (UTF-8, séparateur « ; ») ou en XLSX"
FORMULA_REFUSED = (
    "formule refusée en {cells} : remplacez-la par sa valeur (copier, puis collage spécial « valeurs uniquement »)"
)
_SHOWN_CELLS = 10


def read_table(filename: str, content: bytes, *, max_rows: int = MAX_IMPORT_ROWS) -> list[list[object]]:
    """The rows of the file (header first), or ValidationFailed with every fault in French.

    >>> read_table("a.csv", "nom;commune\\nnan;Lyon\\n".encode())
    [['nom', 'commune'], ['nan', 'Lyon']]
    """
    if len(content) > MAX_IMPORT_BYTES:
        raise ValidationFailed(FieldError("Fichier", FILE_TOO_BIG))
    name = (filename or "").lower()
    if name.endswith((".xlsx", ".xlsm")):
        rows = _xlsx(content, max_rows)
    elif name.endswith((".csv", ".txt")):
        rows = _csv(content, max_rows)
    else:
        raise ValidationFailed(FieldError("Fichier", UNKNOWN_FORMAT))
    if len(rows) > max_rows + 1:
        raise ValidationFailed(FieldError("Fichier", TOO_MANY_ROWS))
    faults = [
        FieldError(_header(rows, col), NUL_REFUSED, row=line)
        for line, row in enumerate(rows, start=1)
        for col, value in enumerate(row)
        if isinstance(value, str) and "\x00" in value
    ]
    if faults:
        raise ValidationFailed(faults)
    return rows


def _header(rows: list[list[object]], col: int) -> str:
    header = rows[0][col] if rows and col < len(rows[0]) else None
    return str(header).replace("\x00", "").strip() if header not in (None, "") else f"colonne {col + 1}"


def _xlsx(content: bytes, max_rows: int) -> list[list[object]]:
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    try:
        # Formulas are read as written (data_only=False): their cached result may be stale or absent.
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
        sheet = book.worksheets[0]
        rows: list[list[object]] = []
        formulas: list[str] = []
        for cells in sheet.iter_rows():
            if len(rows) > max_rows + 1:
                break
            row: list[object] = []
            for cell in cells:
                if getattr(cell, "data_type", None) == "f":
                    formulas.append(f"{get_column_letter(cell.column)}{cell.row}")
                    row.append(None)
                else:
                    row.append(cell.value)
            rows.append(row)
        book.close()
    except Exception as error:  # noqa: BLE001 - any reader failure is the same fault for the user
        raise ValidationFailed(FieldError("Fichier", UNREADABLE)) from error
    if formulas:
        shown = ", ".join(formulas[:_SHOWN_CELLS]) + (" …" if len(formulas) > _SHOWN_CELLS else "")
        raise ValidationFailed(FieldError("Fichier", FORMULA_REFUSED.format(cells=shown)))
    return rows


def _csv(content: bytes, max_rows: int) -> list[list[object]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")
    first = text.split("\n", 1)[0]
    delimiter = max([";", ",", "\t"], key=first.count)
    rows: list[list[object]] = []
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            if len(rows) > max_rows + 1:
                break
            rows.append([csv_unprotect(v) for v in row])  # a cell our exports protected, as typed
    except csv.Error as error:
        raise ValidationFailed(FieldError("Fichier", UNREADABLE)) from error
    return rows


def records(rows: list[list[object]]) -> list[dict[str, object]]:
    """Rows after the header as dicts header → value; columns without a header are left out."""
    if not rows:
        return []
    headers = [str(h).strip() if h is not None else "" for h in rows[0]]
    return [{h: (row[i] if i < len(row) else None) for i, h in enumerate(headers) if h} for row in rows[1:]]
