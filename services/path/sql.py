"""Date arithmetic the child-path indicators need, written once for SQLite and PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

PERIODS = ("month", "quarter", "year")


class days_between(FunctionElement):
    """Whole days from the second date column to the first (`later - earlier`), as an integer."""

    type = sa.Integer()
    inherit_cache = True
    name = "days_between"


@compiles(days_between)
def _days_between_default(element, compiler, **kw):
    later, earlier = list(element.clauses)
    return f"({compiler.process(later, **kw)} - {compiler.process(earlier, **kw)})"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element, compiler, **kw):
    later, earlier = list(element.clauses)
    return f"CAST(julianday({compiler.process(later, **kw)}) - julianday({compiler.process(earlier, **kw)}) AS INTEGER)"


class _PeriodKey(FunctionElement):
    type = sa.String()
    inherit_cache = True
    period = "month"


class _MonthKey(_PeriodKey):
    name = "month_key"
    inherit_cache = True
    period = "month"


class _QuarterKey(_PeriodKey):
    name = "quarter_key"
    inherit_cache = True
    period = "quarter"


class _YearKey(_PeriodKey):
    name = "year_key"
    inherit_cache = True
    period = "year"


_PERIOD_CLASSES = {"month": _MonthKey, "quarter": _QuarterKey, "year": _YearKey}


def period_key(column, period: str):
    """The period a date falls in, as text that sorts: '2025-03' (month), '2025-T1' (quarter), '2025'.

    One class per period, so SQLAlchemy's statement cache never mixes them up.
    """
    if period not in _PERIOD_CLASSES:
        raise ValueError(f"unknown period {period!r}")
    return _PERIOD_CLASSES[period](column)


@compiles(_PeriodKey)
def _period_key_postgresql(element, compiler, **kw):
    (column,) = list(element.clauses)
    col = compiler.process(column, **kw)
    if element.period == "month":
        return f"to_char({col}, 'YYYY-MM')"
    if element.period == "quarter":
        return f"(to_char({col}, 'YYYY') || '-T' || to_char({col}, 'Q'))"
    return f"to_char({col}, 'YYYY')"


@compiles(_PeriodKey, "sqlite")
def _period_key_sqlite(element, compiler, **kw):
    (column,) = list(element.clauses)
    col = compiler.process(column, **kw)
    if element.period == "month":
        return f"strftime('%Y-%m', {col})"
    if element.period == "quarter":
        return f"(strftime('%Y', {col}) || '-T' || ((CAST(strftime('%m', {col}) AS INTEGER) + 2) / 3))"
    return f"strftime('%Y', {col})"


def period_label(key: str | None, period: str) -> str:
    """'2025-03' → 'mars 2025', '2025-T1' → '1er trimestre 2025', '2025' → '2025'."""
    if not key:
        return "Non renseigné"
    if period == "month":
        year, month = key.split("-")
        return f"{MONTHS[int(month) - 1]} {year}"
    if period == "quarter":
        year, quarter = key.split("-T")
        return f"{'1er' if quarter == '1' else quarter + 'e'} trimestre {year}"
    return key


MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]
