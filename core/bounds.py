"""Bounds of every value a person types or imports, read from the schema so that the form, the service
and the database agree on one number.

`text_limit(Signalement, "actions_detail")` is the column's length (a free text stored as TEXT declares
its own with `info={"max_chars": …}`); forms pass it as `max_chars`, services check it with
`text_faults`. A guard on every flush refuses in French what a service forgot: a text longer than
its column, a NUL character, a number the column cannot hold or that is not a number at all.
"""

from __future__ import annotations

import math

import sqlalchemy as sa
from sqlalchemy import event, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from core.errors import FieldError, ValidationFailed

NUL_REFUSED = "caractère nul (invisible) refusé : retapez le texte sans le copier d'un autre logiciel"
NUMBER_OUT_OF_RANGE = "nombre hors des limites acceptées"
NOT_A_NUMBER = "ce n'est pas un nombre"
_INT_RANGE = {sa.SmallInteger: 2**15 - 1, sa.BigInteger: 2**63 - 1, sa.Integer: 2**31 - 1}
# Beyond this a decimal stops being exact to the unit; no figure of the network comes near it.
FLOAT_MAX = 1e12


def too_long(limit: int) -> str:
    return f"{limit:,} caractères au plus".replace(",", "\u202f")


def text_limit(model, field: str) -> int:
    """The most characters the column `field` of `model` holds (`max_chars` of the form, check of the service).

    >>> from models.signalement import Signalement
    >>> text_limit(Signalement, "actions_detail")
    500
    """
    column = model.__table__.c[field]
    limit = getattr(column.type, "length", None) or column.info.get("max_chars")
    if limit is None:
        raise LookupError(f"{model.__name__}.{field} declares no length")
    return limit


def text_faults(label: str, value: str | None, limit: int, *, row: int | None = None) -> list[FieldError]:
    """The French faults of a typed text: too long, or holding a NUL character (empty list when fine).

    >>> [str(f) for f in text_faults("Commune", "x" * 130, 120)]
    ['Commune : 120 caractères au plus']
    """
    if not value:
        return []
    faults = []
    if "\x00" in value:
        faults.append(FieldError(label, NUL_REFUSED, row=row))
    if len(value) > limit:
        faults.append(FieldError(label, too_long(limit), row=row))
    return faults


def number_faults(
    label: str, value: float | int | None, *, minimum: float, maximum: float, row: int | None = None
) -> list[FieldError]:
    """The French faults of a number: not a number (nan, infinite) or outside [minimum, maximum]."""
    if value is None:
        return []
    if isinstance(value, float) and not math.isfinite(value):
        return [FieldError(label, NOT_A_NUMBER, row=row)]
    if not minimum <= value <= maximum:
        return [FieldError(label, f"{NUMBER_OUT_OF_RANGE} ({_fr(minimum)} à {_fr(maximum)})", row=row)]
    return []


def _fr(number: float) -> str:
    return f"{number:,.0f}".replace(",", "\u202f")


def _label(column: sa.Column, value: str) -> str:
    if column.info.get("label"):
        return column.info["label"]
    start = " ".join(value.replace("\x00", " ").split())[:30]
    return f"Texte « {start}… »" if start else "Texte"


def _column_faults(column: sa.Column, value) -> list[FieldError]:
    if isinstance(value, str):
        limit = getattr(column.type, "length", None) or column.info.get("max_chars")
        return text_faults(_label(column, value), value, limit or len(value))
    if isinstance(value, bool) or value is None:
        return []
    label = column.info.get("label") or "Nombre"
    if isinstance(value, int):
        top = next((top for kind, top in _INT_RANGE.items() if isinstance(column.type, kind)), None)
        return number_faults(label, value, minimum=-top - 1, maximum=top) if top else []
    if isinstance(value, float):
        return number_faults(label, value, minimum=-FLOAT_MAX, maximum=FLOAT_MAX)
    return []


def _holds_nul(parameters) -> bool:
    if isinstance(parameters, dict):
        parameters = parameters.values()
    for value in parameters or ():
        if isinstance(value, str):
            if "\x00" in value:
                return True
        elif isinstance(value, (dict, list, tuple)) and _holds_nul(value):
            return True
    return False


@event.listens_for(Engine, "before_cursor_execute")
def _no_nul_in_queries(_conn, _cursor, _statement, parameters, _context, _executemany) -> None:
    """A NUL character typed in a search box or a file must not reach PostgreSQL, which refuses it
    with an English error even in a plain SELECT."""
    if _holds_nul(parameters):
        raise ValidationFailed(FieldError("Texte", NUL_REFUSED))


@event.listens_for(Session, "before_flush")
def _guard(session: Session, _context, _instances) -> None:
    faults: list[FieldError] = []
    for obj in (*session.new, *session.dirty):
        table = getattr(type(obj), "__table__", None)
        if table is None:
            continue
        state = inspect(obj)
        for attr in state.mapper.column_attrs:
            if obj in session.dirty and not state.attrs[attr.key].history.has_changes():
                continue
            for column in attr.columns:
                faults += _column_faults(column, getattr(obj, attr.key))
    if faults:
        unique = {str(fault): fault for fault in faults}
        raise ValidationFailed(list(unique.values()))
