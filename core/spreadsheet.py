"""Cells of the CSV and XLSX files the app writes: text stays text, numbers stay numbers.

A spreadsheet evaluates a cell that starts with `=`, `+`, `-` or `@` (tab and carriage return
too, in some of them) as a formula: a structure e-mail `=HYPERLINK(…)` typed by one user would
act in the spreadsheet of whoever opens the export. Every writer goes through this module:

- CSV: such a text gets a leading apostrophe (OWASP's advice); `csv_unprotect` removes it when
  the same file comes back as an import.
- XLSX: such a text is stored as a string cell with Excel's « quote prefix » style: shown exactly
  as typed, never evaluated, and read back unchanged.

Numbers, dates and booleans are written as they are.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_cell(value: Any) -> Any:
    """One CSV cell: `csv_cell("=1+1")` is `"'=1+1"`; `csv_cell(-3)` is `-3`."""
    return "'" + value if is_formula_like(value) else value


def csv_unprotect(value: Any) -> Any:
    """The text a `csv_cell` protected, as it was typed (`"'=1+1"` → `"=1+1"`)."""
    if isinstance(value, str) and value.startswith("'") and is_formula_like(value[1:]):
        return value[1:]
    return value


def csv_rows(rows: Iterable[Sequence[Any]]) -> list[list[Any]]:
    """Rows for `csv.writer.writerows`, every cell through `csv_cell`."""
    return [[csv_cell(v) for v in row] for row in rows]


def csv_dict_rows(rows: Iterable[dict]) -> list[dict]:
    """Rows for `csv.DictWriter.writerows`, every value through `csv_cell`."""
    return [{k: csv_cell(v) for k, v in row.items()} for row in rows]


def csv_write(buffer, rows: Iterable[Sequence[Any]], **options) -> None:
    """`csv.writer(buffer, **options).writerows(rows)`, with every cell protected."""
    csv.writer(buffer, **options).writerows(csv_rows(rows))


def xlsx_append(sheet, values: Sequence[Any]) -> None:
    """`sheet.append(values)`, then every formula-like text made a plain string cell."""
    sheet.append(list(values))
    for cell in sheet[sheet.max_row]:
        if is_formula_like(cell.value):
            cell.data_type = "s"
            cell.quotePrefix = True
