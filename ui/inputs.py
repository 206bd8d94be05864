"""Building a service input from what a form holds: validated, with French errors.

A form's values go through the input model's validation (types, lengths, bounds) before the
service sees them; what the model refuses becomes `ValidationFailed` with one French line per
field, which `ui.feedback.handled` shows. The service then adds the rules it owns (a name taken,
a date after another…).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from core.errors import FieldError, ValidationFailed
from core.formatting import fr_number

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
    try:
        return model.model_validate(dict(values))
    except ValidationError as error:
        raise ValidationFailed([_french(e, labels) for e in error.errors(include_url=False)]) from None


def _french(error: Any, labels: Mapping[str, str]) -> FieldError:
    field = str(error["loc"][0]) if error.get("loc") else ""
    if error.get("input") is None or error["type"] == "missing":
        message = REQUIRED
    else:
        context = {k: fr_number(v) if isinstance(v, (int, float)) else v for k, v in (error.get("ctx") or {}).items()}
        try:
            message = _MESSAGES.get(error["type"], INVALID).format(**context)
        except (KeyError, IndexError):
            message = INVALID
    return FieldError(labels.get(field, field), message)
