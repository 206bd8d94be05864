"""Layout of the XLSX files the app writes, as a French analyst expects them.

Numbers stay numbers and get a number format (the spreadsheet shows them in its own locale:
``#,##0`` reads « 1 234 » and ``0 %`` reads « 66 % » in French), dates are real dates shown
dd/mm/yyyy, headers are frozen, columns and wrapped rows are sized, and every sheet prints on A4,
fitted to the page width, with its title rows repeated and a header and footer naming the document,
its version and the page number.

Sheet names keep within Excel's 31 characters by cutting at a word (:func:`sheet_title`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from core.spreadsheet import xlsx_append

INTEGER_FORMAT = "#,##0"
DECIMAL_FORMAT = "#,##0.0"
PERCENT_FORMAT = "0 %"
DATE_FORMAT = "DD/MM/YYYY"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"

SHEET_NAME_LIMIT = 31
SHEET_NAME_FORBIDDEN = "[]:*?/\\"
LINE_HEIGHT = 15.0  # points, one line of 11-point text
# Characters of the default font that fit in one unit of column width (conservative for bold text).
CHARS_PER_WIDTH = 1.0


def sheet_title(text: str, taken: Iterable[str] = ()) -> str:
    """A sheet name within 31 characters, cut at a word and unique among ``taken``.

    >>> sheet_title("04 Structures et conseils départementaux")
    '04 Structures et conseils'
    >>> sheet_title("Synthèse", ["Synthèse"])
    'Synthèse (2)'
    """
    for char in SHEET_NAME_FORBIDDEN:
        text = text.replace(char, " ")
    text = " ".join(text.split()).strip("'")
    name = _cut_at_word(text, SHEET_NAME_LIMIT)
    used = {t.casefold() for t in taken}
    candidate, n = name, 2
    while candidate.casefold() in used:
        suffix = f" ({n})"
        candidate = _cut_at_word(text, SHEET_NAME_LIMIT - len(suffix)) + suffix
        n += 1
    return candidate


def _cut_at_word(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit + 1].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(" ,;:-—–")


def number_format_for(value: Any, unit: str = "") -> str | None:
    """The number format of a cell value: dates dd/mm/yyyy, shares as percentages, counts with thousands."""
    if isinstance(value, datetime):
        return DATETIME_FORMAT
    if isinstance(value, date):
        return DATE_FORMAT
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if unit in ("%", "percent"):
        return PERCENT_FORMAT
    if isinstance(value, float) and not value.is_integer():
        return DECIMAL_FORMAT
    return INTEGER_FORMAT


def append_row(sheet, values: Sequence[Any], units: Sequence[str] = ()) -> int:
    """Append a row (formula-like texts kept as text) and give each number or date its format.
    ``units[i]`` ("%", "percent" or anything else) tells a share from a count. Returns the row index."""
    xlsx_append(sheet, values)
    row = sheet.max_row
    for i, value in enumerate(values):
        fmt = number_format_for(value, units[i] if i < len(units) else "")
        if fmt:
            sheet.cell(row, i + 1).number_format = fmt
    return row


def set_widths(sheet, widths: Sequence[float]) -> None:
    from openpyxl.utils import get_column_letter

    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width


def fit_row_heights(sheet, *, min_row: int = 1, font_size: float = 11.0) -> None:
    """Give every row holding wrapped text the height of its longest cell once wrapped (openpyxl
    writes no height, and LibreOffice and Excel do not recompute it for a file they did not write).
    A merged cell wraps over the width of all its columns."""
    from openpyxl.utils import get_column_letter

    spans = {}
    for merged in sheet.merged_cells.ranges:
        if merged.min_row == merged.max_row:
            spans[(merged.min_row, merged.min_col)] = merged.max_col

    def width_of(row: int, column: int) -> float:
        last = spans.get((row, column), column)
        return sum(sheet.column_dimensions[get_column_letter(c)].width or 10 for c in range(column, last + 1))

    for row in sheet.iter_rows(min_row=min_row):
        lines = 1
        size = font_size
        for cell in row:
            if not isinstance(cell.value, str):
                continue
            cell_size = float(cell.font.sz) if cell.font is not None and cell.font.sz else font_size
            size = max(size, cell_size)
            if not (cell.alignment is not None and cell.alignment.wrap_text):
                continue
            per_line = max(1, int(width_of(cell.row, cell.column) * CHARS_PER_WIDTH * 11.0 / max(cell_size, 11.0)) - 1)
            count = sum(max(1, math.ceil(len(part) / per_line)) for part in cell.value.split("\n"))
            lines = max(lines, count)
        if lines > 1 or size > font_size:
            sheet.row_dimensions[row[0].row].height = round(lines * LINE_HEIGHT * size / 11.0 + 2, 1)


def page_setup(
    sheet,
    *,
    title: str,
    version: str,
    landscape: bool = False,
    title_rows: str | None = None,
    freeze: str | None = None,
) -> None:
    """A4, fitted to the page width (as many pages down as needed), ``title_rows`` ("1:6") repeated on
    every page, header with the document's title and version, footer with the page number."""
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE if landscape else sheet.ORIENTATION_PORTRAIT
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.5
    sheet.page_margins.top = sheet.page_margins.bottom = 0.75
    sheet.page_margins.header = sheet.page_margins.footer = 0.3
    if title_rows:
        sheet.print_title_rows = title_rows
    if freeze:
        sheet.freeze_panes = freeze
    for header_footer in (sheet.oddHeader, sheet.evenHeader, sheet.firstHeader):
        header_footer.left.text = _escape_ampersand(title)
        header_footer.left.size = 8
        header_footer.right.text = _escape_ampersand(version)
        header_footer.right.size = 8
    for header_footer in (sheet.oddFooter, sheet.evenFooter, sheet.firstFooter):
        header_footer.left.text = _escape_ampersand(version)
        header_footer.left.size = 8
        header_footer.right.text = "Page &P / &N"
        header_footer.right.size = 8


def _escape_ampersand(text: str) -> str:
    """Header and footer texts use "&" for codes (&P, &N): a literal one is written "&&"."""
    return text.replace("&", "&&")
