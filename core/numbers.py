"""Numbers typed the French way: decimal comma, spaces between thousands, integers without decimals.

One reader for every place a person types or imports a number (weekly grid, imports, forms), and
its inverse for showing a stored number back in a text field.
"""

from __future__ import annotations

import math
import re

NOT_A_NUMBER = "nombre attendu"
NOT_AN_INTEGER = "nombre entier attendu"
# What a number field takes: wide enough for « 100 000 » and a few stray spaces.
NUMBER_CHARS = 20

# Separators people (and spreadsheets) put between thousands: space, no-break, narrow no-break, thin.
_SPACES = re.compile("[ \u00a0\u202f\u2009]+")
_MINUS = str.maketrans({"\u2212": "-", "\u2013": "-"})
_NUMBER = re.compile(r"([+-]?)(\d{1,3}(?: \d{3})+|\d+)(?:[.,](\d+))?")


class NumberUnreadable(ValueError):
    """The text is not a number as a French person writes it; `message` says why, in French."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def parse_fr_number(raw: object, *, integer: bool = False) -> float | int | None:
    """The number in `raw` (None when empty); raises NumberUnreadable with a French message.

    >>> parse_fr_number("8,5"), parse_fr_number("1 234"), parse_fr_number("1\u202f234,5"), parse_fr_number(" ")
    (8.5, 1234.0, 1234.5, None)
    >>> parse_fr_number("12", integer=True), parse_fr_number("3,0", integer=True)
    (12, 3)
    >>> parse_fr_number("2,5", integer=True)
    Traceback (most recent call last):
    ...
    core.numbers.NumberUnreadable: nombre entier attendu
    """
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise NumberUnreadable(NOT_A_NUMBER)
    if isinstance(raw, (int, float)):
        if isinstance(raw, float) and math.isnan(raw):
            return None  # an empty spreadsheet cell
        if not math.isfinite(raw):
            raise NumberUnreadable(NOT_A_NUMBER)
        return _kind(float(raw), integer)
    text = _SPACES.sub(" ", str(raw).translate(_MINUS)).strip()
    if text == "":
        return None
    found = _NUMBER.fullmatch(text)
    if found is None:
        raise NumberUnreadable(NOT_A_NUMBER)
    sign, whole, decimals = found.groups()
    return _kind(float(f"{sign}{whole.replace(' ', '')}.{decimals or '0'}"), integer)


def _kind(value: float, integer: bool) -> float | int:
    if not integer:
        return value
    if not value.is_integer():
        raise NumberUnreadable(NOT_AN_INTEGER)
    return int(value)


def fr_input(value: float | int | None) -> str:
    """A stored number as a French text field shows it: no useless zeros, decimal comma, no grouping
    below 10 000 (so what is shown reads back unchanged).

    >>> fr_input(8.5), fr_input(3.0), fr_input(None), fr_input(12345), fr_input(0.25)
    ('8,5', '3', '', '12\u202f345', '0,25')
    """
    if value is None:
        return ""
    number = float(value)
    if number.is_integer():
        text = f"{int(number):,}" if abs(number) >= 10_000 else str(int(number))
    else:
        whole = f"{number:,.6f}".rstrip("0") if abs(number) >= 10_000 else f"{number:.6f}".rstrip("0")
        text = whole.rstrip(".")
    return text.replace(",", "\u202f").replace(".", ",")
