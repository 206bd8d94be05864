"""Checking one structure-week of figures before anything is written (pure functions, French messages).

Every fault is collected, never only the first: the person entering sees all they must correct.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field

from core.bounds import NUL_REFUSED, text_limit
from core.errors import AncrageError, FieldError
from core.formatting import fr_number
from core.numbers import NOT_A_NUMBER, NOT_AN_INTEGER, NumberUnreadable, parse_fr_number
from models.weekly import ValueKind, WeeklyValue

NEGATIVE = "ne peut pas être négatif"
BELOW_MIN = "doit être au moins {minimum}"
ABOVE_MAX = "ne peut pas dépasser {maximum}"
ABOVE_CAPACITY = "ne peut pas dépasser la capacité de la structure ({capacity} places)"
REQUIRED_MISSING = "obligatoire : saisissez la valeur ou expliquez en commentaire pourquoi elle manque"
COMMENT_LIMIT = text_limit(WeeklyValue, "comment")
COMMENT_TOO_LONG = f"commentaire trop long ({COMMENT_LIMIT} caractères au plus)"
# No figure of one structure for one week comes near this; beyond it a typing slip is certain.
VALUE_LIMIT = 100_000
OUT_OF_RANGE = f"nombre hors des limites (au plus {VALUE_LIMIT:,})".replace(",", "\u202f")
PRESENT_PLUS_FREE = (
    "enfants présents ({present}) et places disponibles ({free}) dépassent ensemble la "
    "capacité de la structure ({capacity} places)"
)
RUNAWAYS_ABOVE_DEPARTURES = (
    "les fugues ({runaways}) sont comptées dans les départs ({departures}) : elles ne peuvent pas être plus nombreuses"
)
UNUSUAL_INTRO = "Valeurs inhabituelles pour cette structure : "
UNUSUAL_OUTRO = " Vérifiez-les ; si elles sont justes, confirmez-les pour enregistrer."

# Codes of the seeded elements that the built-in cross-element rules read.
FREE_PLACES = "places_disponibles"
CHILDREN_PRESENT = "enfants_presents"
DEPARTURES = "departs"
RUNAWAYS = "fugues"


@dataclass(frozen=True)
class ElementRule:
    """What validation needs to know of a data element."""

    id: int
    code: str
    label: str
    value_kind: str
    minimum: float | None
    maximum: float | None
    required: bool
    capped_by_capacity: bool


@dataclass(frozen=True)
class CrossRule:
    """A rule between elements, checked only when every element it reads has a value."""

    codes: tuple[str, ...]
    field: str
    broken: Callable[[dict[str, float], int], bool]
    message: Callable[[dict[str, float], int], str]


CROSS_RULES: list[CrossRule] = [
    CrossRule(
        (CHILDREN_PRESENT, FREE_PLACES),
        "Enfants présents",
        lambda v, capacity: v[CHILDREN_PRESENT] + v[FREE_PLACES] > capacity,
        lambda v, capacity: PRESENT_PLUS_FREE.format(
            present=fr_number(v[CHILDREN_PRESENT]), free=fr_number(v[FREE_PLACES]), capacity=capacity
        ),
    ),
    CrossRule(
        (RUNAWAYS, DEPARTURES),
        "Fugues",
        lambda v, capacity: v[RUNAWAYS] > v[DEPARTURES],
        lambda v, capacity: RUNAWAYS_ABOVE_DEPARTURES.format(
            runaways=fr_number(v[RUNAWAYS]), departures=fr_number(v[DEPARTURES])
        ),
    ),
]


def fr_value(value: float | None) -> str:
    """A figure as French text: '12', '2,5', or 'vide'."""
    if value is None:
        return "vide"
    if float(value).is_integer():
        return fr_number(value)
    return fr_number(value, 2).rstrip("0").rstrip(",")


def parse_number(raw: object) -> tuple[float | None, bool]:
    """(value, ok): empty input gives (None, True); French typing ('2,5', '1 234') is read (core.numbers).

    >>> parse_number("2,5"), parse_number(""), parse_number("abc"), parse_number("nan")
    ((2.5, True), (None, True), (None, False), (None, False))
    """
    try:
        value = parse_fr_number(raw)
    except NumberUnreadable:
        return None, False
    return (None if value is None else float(value)), True


def check_week(
    *,
    elements: list[ElementRule],
    values: dict[str, float | None],
    comments: dict[str, str],
    capacity: int,
    complete: bool,
    row: int | None = None,
) -> list[FieldError]:
    """Every fault of one structure-week; `complete` (a submission) also demands the required values."""
    errors: list[FieldError] = []
    for element in elements:
        value = values.get(element.code)
        comment = (comments.get(element.code) or "").strip()
        if len(comment) > COMMENT_LIMIT:
            errors.append(FieldError(element.label, COMMENT_TOO_LONG, row))
        if "\x00" in comment:
            errors.append(FieldError(element.label, NUL_REFUSED, row))
        if value is None:
            if complete and element.required and not comment:
                errors.append(FieldError(element.label, REQUIRED_MISSING, row))
            continue
        errors.extend(FieldError(element.label, message, row) for message in _value_faults(element, value, capacity))
    known = {e.code for e in elements}
    for rule in CROSS_RULES:
        if all(code in known and values.get(code) is not None for code in rule.codes):
            present = {code: values[code] for code in rule.codes}
            if rule.broken(present, capacity):
                errors.append(FieldError(rule.field, rule.message(present, capacity), row))
    return errors


def _value_faults(element: ElementRule, value: float, capacity: int) -> list[str]:
    if abs(value) > VALUE_LIMIT:
        return [OUT_OF_RANGE]
    faults = []
    if element.value_kind == ValueKind.INTEGER.value and not float(value).is_integer():
        faults.append(NOT_AN_INTEGER)
    if value < 0 and (element.minimum is None or element.minimum >= 0):
        faults.append(NEGATIVE)
    elif element.minimum is not None and value < element.minimum:
        faults.append(BELOW_MIN.format(minimum=fr_value(element.minimum)))
    if element.maximum is not None and value > element.maximum:
        faults.append(ABOVE_MAX.format(maximum=fr_value(element.maximum)))
    if element.capped_by_capacity and value > capacity:
        faults.append(ABOVE_CAPACITY.format(capacity=capacity))
    return faults


@dataclass(frozen=True)
class Unusual:
    code: str
    label: str
    value: float
    low: float
    high: float

    def __str__(self) -> str:
        return (
            f"{self.label} {fr_value(self.value)} (habituellement entre {fr_value(self.low)} et {fr_value(self.high)})"
        )


class UnusualValues(AncrageError):
    """Values far from the structure's own history: nothing written until the person confirms them."""

    def __init__(self, items: list[Unusual], row: int | None = None):
        self.items = items
        where = f"ligne {row} — " if row is not None else ""
        super().__init__(where + UNUSUAL_INTRO + " ; ".join(str(i) for i in items) + "." + UNUSUAL_OUTRO)


@dataclass(frozen=True)
class UnusualRule:
    tolerance_pct: float = 50
    min_gap: float = 3
    min_history: int = 4


def find_unusual(
    *, elements: list[ElementRule], values: dict[str, float | None], history: dict[int, list[float]], rule: UnusualRule
) -> list[Unusual]:
    """Values outside the median of the structure's recent weeks ± max(tolerance %, minimal gap).

    >>> e = ElementRule(1, "x", "X", "entier", 0, None, True, False)
    >>> [str(u) for u in find_unusual(elements=[e], values={"x": 40}, history={1: [6, 8, 8, 9]}, rule=UnusualRule())]
    ['X 40 (habituellement entre 4 et 12)']
    """
    found = []
    for element in elements:
        value = values.get(element.code)
        past = history.get(element.id, [])
        if value is None or len(past) < rule.min_history:
            continue
        median = statistics.median(past)
        gap = max(abs(median) * rule.tolerance_pct / 100, rule.min_gap)
        low, high = median - gap, median + gap
        if element.minimum is None or element.minimum >= 0:
            low = max(low, 0)
        if value < low or value > high:
            found.append(Unusual(element.code, element.label, value, low, high))
    return found


@dataclass
class ParsedWeek:
    """Raw entry turned into numbers, with the faults met while reading it."""

    values: dict[str, float | None] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)
    errors: list[FieldError] = field(default_factory=list)


def parse_week_values(
    *,
    elements: list[ElementRule],
    values: dict[str, object],
    comments: dict[str, object] | None = None,
    row: int | None = None,
) -> ParsedWeek:
    """Numbers and comments of the given elements; unreadable numbers become faults."""
    parsed = ParsedWeek()
    for element in elements:
        if element.code in values:
            number, ok = parse_number(values[element.code])
            if not ok:
                parsed.errors.append(FieldError(element.label, NOT_A_NUMBER, row))
            parsed.values[element.code] = number
        comment = (comments or {}).get(element.code)
        if comment is not None and not (isinstance(comment, float) and math.isnan(comment)) and str(comment).strip():
            parsed.comments[element.code] = str(comment).strip()
    return parsed
