"""Building a service input from what a form holds: validated, with French errors.

A form's values go through the input model's validation (types, lengths, bounds) before the
service sees them; what the model refuses becomes `ValidationFailed` with one French line per
field, which `ui.feedback.handled` shows. The service then adds the rules it owns (a name taken,
a date after another…).

Numbers are typed the French way (`fr_number_input`): a text field read by `core.numbers`, whose
unreadable or out-of-bounds text is said next to the field and refused by `validated` (or
`refuse_unreadable` for a form that builds no input model), the text typed being kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import streamlit as st
from pydantic import BaseModel, ValidationError

from core.errors import FieldError, ValidationFailed
from core.formatting import fr_number
from core.numbers import NUMBER_CHARS, NumberUnreadable, fr_input, parse_fr_number
from services.directory.referential import departement_options
from ui.text import md

M = TypeVar("M", bound=BaseModel)

REQUIRED = "obligatoire"
INVALID = "valeur non valide"
_MESSAGES = {
    "missing": REQUIRED,
    "string_too_long": "{max_length} caractères au plus",
    "string_too_short": "{min_length} caractère(s) au moins",
    "string_type": "texte attendu",
    "int_type": "nombre entier attendu",
    "int_parsing": "nombre entier attendu",
    "int_from_float": "nombre entier attendu",
    "float_type": "nombre attendu",
    "float_parsing": "nombre attendu",
    "greater_than_equal": "{ge} au moins",
    "greater_than": "plus de {gt}",
    "less_than_equal": "{le} au plus",
    "less_than": "moins de {lt}",
    "date_type": "date attendue (jj/mm/aaaa)",
    "date_parsing": "date attendue (jj/mm/aaaa)",
    "date_from_datetime_inexact": "date attendue (jj/mm/aaaa)",
    "datetime_type": "date et heure attendues",
    "datetime_parsing": "date et heure attendues",
    "bool_type": "oui ou non attendu",
    "bool_parsing": "oui ou non attendu",
    "list_type": "liste attendue",
}


def validated(model: type[M], values: Mapping[str, Any], *, labels: Mapping[str, str]) -> M:
    """`model` built from `values` with its validation; a refusal raises `ValidationFailed` in French.

    `labels` gives each field's French name, as the form shows it.

    >>> from pydantic import Field
    >>> class Box(BaseModel):
    ...     name: str = Field(max_length=3)
    >>> validated(Box, {"name": "abc"}, labels={"name": "Nom"}).name
    'abc'
    >>> try:
    ...     validated(Box, {"name": "abcd"}, labels={"name": "Nom"})
    ... except ValidationFailed as error:
    ...     print(error.errors[0])
    Nom : 3 caractères au plus
    """
    unreadable = {k: v for k, v in values.items() if isinstance(v, Unreadable)}
    readable = {k: v for k, v in values.items() if k not in unreadable}
    try:
        data = model.model_validate(readable)
    except ValidationError as error:
        faults = [_french(e, labels) for e in error.errors(include_url=False) if _field(e) not in unreadable]
        raise ValidationFailed([v.fault for v in unreadable.values()] + faults) from None
    if unreadable:
        raise ValidationFailed([v.fault for v in unreadable.values()])
    return data


def _field(error: Any) -> str:
    return str(error["loc"][0]) if error.get("loc") else ""


def _french(error: Any, labels: Mapping[str, str]) -> FieldError:
    field = _field(error)
    if error.get("input") is None or error["type"] == "missing":
        message = REQUIRED
    else:
        context = {k: fr_number(v) if isinstance(v, (int, float)) else v for k, v in (error.get("ctx") or {}).items()}
        try:
            message = _MESSAGES.get(error["type"], INVALID).format(**context)
        except (KeyError, IndexError):
            message = INVALID
    return FieldError(labels.get(field, field), message)


@dataclass(frozen=True)
class Unreadable:
    """What a number field holds when its text is not an acceptable number: the fault to show."""

    fault: FieldError


def read_number(
    raw: object,
    *,
    integer: bool = False,
    min_value: float | None = None,
    max_value: float | None = None,
) -> float | int | None:
    """The number typed in `raw` (None when empty) within its bounds; else NumberUnreadable in French.

    >>> read_number("1,5"), read_number("12", integer=True), read_number("")
    (1.5, 12, None)
    >>> read_number("2,5", integer=True)
    Traceback (most recent call last):
    ...
    core.numbers.NumberUnreadable: nombre entier attendu
    >>> read_number("1 000", max_value=999)
    Traceback (most recent call last):
    ...
    core.numbers.NumberUnreadable: 999 au plus
    """
    number = parse_fr_number(raw, integer=integer)
    if number is None:
        return None
    if min_value is not None and number < min_value:
        raise NumberUnreadable(_MESSAGES["greater_than_equal"].format(ge=fr_input(min_value)))
    if max_value is not None and number > max_value:
        raise NumberUnreadable(_MESSAGES["less_than_equal"].format(le=fr_input(max_value)))
    return number


def fr_number_input(
    label: str,
    *,
    key: str,
    value: float | None = None,
    integer: bool = False,
    min_value: float | None = None,
    max_value: float | None = None,
    where: Any = st,
    help: str | None = None,
    disabled: bool = False,
    required: bool = False,
) -> float | int | None | Unreadable:
    """A number typed the French way (« 8,5 », « 1 200 »): the number, None when empty, or `Unreadable`.

    The field shows `value` as French text; a text that is not a number (a decimal in a whole-number
    field, a value out of bounds, nothing in a `required` field) is said in French right below the
    field and kept as typed, and `validated` refuses the form with it.
    """
    typed = where.text_input(
        label, value=fr_input(value), key=key, help=help, disabled=disabled, max_chars=NUMBER_CHARS
    )
    try:
        number = read_number(typed, integer=integer, min_value=min_value, max_value=max_value)
        if number is None and required:
            raise NumberUnreadable(REQUIRED)
        return number
    except NumberUnreadable as error:
        name = label.removesuffix("*").strip()
        where.markdown(f":red[**{md(name)} : {md(error.message)}**]")
        return Unreadable(FieldError(name, error.message))


def refuse_unreadable(*values: object) -> None:
    """Raise `ValidationFailed` when a number field among `values` holds an unreadable text."""
    faults = [v.fault for v in values if isinstance(v, Unreadable)]
    if faults:
        raise ValidationFailed(faults)


def departement_select(label: str, *, key: str, where: Any = st) -> str | None:
    """A département picked by its « code — name » label, or None (« — ») when none is chosen."""
    departements = {o.code: o.label for o in departement_options()}
    return where.selectbox(
        label,
        [None, *departements],
        format_func=lambda v: "—" if v is None else departements[v],
        key=key,
    )
