"""The importer toolkit: reading an imported file the same way for every import.

`read_table(filename, content)` returns the first sheet of an XLSX or the rows of a CSV as lists of
cell values (text stays text: « nan » or « NA » are never taken for an empty cell). A CSV may be in
UTF-8 (with or without BOM) or Windows-1252, separated by « ; », « , » or a tab. Everything that
makes a file unusable (size, rows, formulas, NUL) is refused in French before any transaction is
opened. The helpers below are what every importer needs next: blank cells, cell text, headers
matched without case or accents, data rows with their spreadsheet line numbers, faults sorted by
line.
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from collections.abc import Iterable, Iterator
from datetime import date, datetime

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


def decode(content: bytes) -> str:
    """The text of a CSV file: UTF-8 (a BOM is dropped), else Windows-1252 as Excel writes it in France.

    >>> decode("é;è".encode("utf-8-sig")), decode("é;è".encode("cp1252"))
    ('é;è', 'é;è')
    """
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


DELIMITERS = (";", "\t", ",")


def detect_delimiter(text: str) -> str:
    r"""The separator of a CSV text: the one found most often in its first line, outside quotes.

    >>> detect_delimiter("nom\tcommune"), detect_delimiter('"Lyon, 3e";Rhône'), detect_delimiter("nom")
    ('\t', ';', ';')
    """
    first = next((line for line in text.splitlines() if line.strip()), "")
    outside = re.sub(r'"[^"]*"', "", first)
    return max(DELIMITERS, key=outside.count)


def _csv(content: bytes, max_rows: int) -> list[list[object]]:
    text = decode(content)
    delimiter = detect_delimiter(text)
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


def is_blank(value: object) -> bool:
    """An empty cell: nothing, only spaces, or a spreadsheet's NaN.

    >>> is_blank(None), is_blank("  "), is_blank(float("nan")), is_blank(0), is_blank("nan")
    (True, True, True, False, False)
    """
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, float) and math.isnan(value)


def cell_text(value: object) -> str:
    """A cell as trimmed text; a whole number read by a spreadsheet as 35.0 reads « 35 ».

    >>> cell_text(" Rennes "), cell_text(35.0), cell_text(2.5), cell_text(None)
    ('Rennes', '35', '2.5', '')
    """
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def fold(text: object) -> str:
    """Lower case, no accents, single spaces: to match headers and labels loosely.

    >>> fold("  Âge   MINIMUM "), fold("Formes d’exploitation")
    ('age minimum', "formes d'exploitation")
    """
    text = unicodedata.normalize("NFKD", str(text).replace("\u2019", "'")).encode("ascii", "ignore").decode()
    return " ".join(text.lower().split())


def header_key(text: object) -> str:
    """A header as a key: folded, every run of other characters than letters and digits as « _ ».

    >>> header_key(" Date de début "), header_key("Durée (heures)")
    ('date_de_debut', 'duree_heures')
    """
    return re.sub(r"[^a-z0-9]+", "_", fold(text)).strip("_")


DATE_PATTERNS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y", "%Y-%m-%d %H:%M:%S")


def parse_day(value: object) -> date:
    """A date cell: a spreadsheet date, or text as 07/03/2024, 2024-03-07, 07-03-2024, 07.03.2024 or 07/03/24.

    >>> parse_day("07/03/2024"), parse_day("2024-03-07"), parse_day(datetime(2024, 3, 7, 9, 30))
    (datetime.date(2024, 3, 7), datetime.date(2024, 3, 7), datetime.date(2024, 3, 7))
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = cell_text(value)
    for pattern in DATE_PATTERNS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def data_rows(table: list[list[object]], *, first_line: int = 2) -> Iterator[tuple[int, list[object]]]:
    """The rows after the header with their line number in the file; entirely blank rows are skipped.

    >>> list(data_rows([["nom"], ["A"], [None, " "], ["B"]]))
    [(2, ['A']), (4, ['B'])]
    """
    for line, cells in enumerate(table[1:], start=first_line):
        if not all(is_blank(v) for v in cells):
            yield line, cells


def by_line(errors: Iterable[FieldError]) -> list[FieldError]:
    """Faults in the order of the file (faults about the whole file first), as an import reports them."""
    return sorted(errors, key=lambda e: e.row or 0)
