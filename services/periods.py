"""Periods and territorial scopes shared by every indicator (filters of the dashboards)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from sqlmodel import select

from core.access import Actor
from core.formatting import fr_date
from models.base import LabelledEnum
from models.referential import Departement

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


class PeriodKind(LabelledEnum):
    WEEK = ("semaine", "Semaine")
    MONTH = ("mois", "Mois")
    QUARTER = ("trimestre", "Trimestre")
    YEAR = ("annee", "Année")
    CUSTOM = ("personnalisee", "Période personnalisée")


@dataclass(frozen=True)
class Period:
    """Days from `start` included to `end` excluded."""

    kind: str
    start: date
    end: date

    @property
    def label(self) -> str:
        if self.kind == PeriodKind.WEEK.value:
            year, week, _ = self.start.isocalendar()
            return f"semaine {week} de {year}"
        if self.kind == PeriodKind.MONTH.value:
            return f"{MONTHS[self.start.month - 1]} {self.start.year}"
        if self.kind == PeriodKind.QUARTER.value:
            return f"{(self.start.month - 1) // 3 + 1}e trimestre {self.start.year}"
        if self.kind == PeriodKind.YEAR.value:
            return str(self.start.year)
        return f"du {fr_date(self.start)} au {fr_date(self.end - timedelta(days=1))}"

    def previous(self) -> Period:
        """The period just before, of the same kind (same length for a custom one: as many months for a
        range of whole months, as many days otherwise)."""
        if self.kind == PeriodKind.CUSTOM.value and self.start.day == 1 and self.end.day == 1:
            months = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month
            return replace(self, start=_add_months(self.start, -months), end=self.start)
        if self.kind in (PeriodKind.WEEK.value, PeriodKind.CUSTOM.value):
            length = self.end - self.start
            return replace(self, start=self.start - length, end=self.start)
        months = {PeriodKind.MONTH.value: 1, PeriodKind.QUARTER.value: 3, PeriodKind.YEAR.value: 12}[self.kind]
        return replace(self, start=_add_months(self.start, -months), end=self.start)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def period_of(kind: str, anchor: date, *, start: date | None = None, end: date | None = None) -> Period:
    """The period of `kind` that contains `anchor`; a custom one runs from `start` to `end` included.

    >>> period_of("trimestre", date(2025, 5, 17)).label
    '2e trimestre 2025'
    """
    if kind == PeriodKind.WEEK.value:
        first = anchor - timedelta(days=anchor.weekday())
        return Period(kind, first, first + timedelta(days=7))
    if kind == PeriodKind.MONTH.value:
        first = anchor.replace(day=1)
        return Period(kind, first, _add_months(first, 1))
    if kind == PeriodKind.QUARTER.value:
        first = date(anchor.year, (anchor.month - 1) // 3 * 3 + 1, 1)
        return Period(kind, first, _add_months(first, 3))
    if kind == PeriodKind.YEAR.value:
        return Period(kind, date(anchor.year, 1, 1), date(anchor.year + 1, 1, 1))
    if start is None or end is None or end < start:
        raise ValueError("une période personnalisée demande un début et une fin dans l'ordre")
    return Period(kind, start, end + timedelta(days=1))


@dataclass(frozen=True)
class Scope:
    """A territorial filter: a région, a département, or the overseas départements only."""

    region_code: str | None = None
    departement_code: str | None = None
    overseas_only: bool = False

    @property
    def is_national(self) -> bool:
        return not (self.region_code or self.departement_code or self.overseas_only)


def scope_for(actor: Actor, requested: Scope | None = None) -> Scope:
    """The scope an actor may read: a funder limited to a territory cannot widen it."""
    requested = requested or Scope()
    if actor.departement_code:
        return Scope(departement_code=actor.departement_code)
    if actor.region_code:
        departement = requested.departement_code
        return Scope(region_code=actor.region_code, departement_code=departement, overseas_only=requested.overseas_only)
    return requested


def in_scope(column, scope: Scope):
    """SQL condition: the département code in `column` lies in `scope` (None when national)."""
    if scope.is_national:
        return None
    query = select(Departement.code)
    if scope.departement_code:
        query = query.where(Departement.code == scope.departement_code)
    if scope.region_code:
        query = query.where(Departement.region_code == scope.region_code)
    if scope.overseas_only:
        query = query.where(Departement.overseas == True)
    return column.in_(query)


def scope_holds(scope: Scope, *, code: str, region_code: str, overseas: bool) -> bool:
    """The département (`code`, its région, overseas or not) lies in `scope`: the Python twin of `in_scope`.

    >>> scope_holds(Scope(region_code="03"), code="973", region_code="03", overseas=True)
    True
    """
    return (
        (not scope.departement_code or code == scope.departement_code)
        and (not scope.region_code or region_code == scope.region_code)
        and (not scope.overseas_only or overseas)
    )


def month_starts(first: date, last: date) -> list[date]:
    """The first day of every month from `first`'s to `last`'s, both included.

    >>> month_starts(date(2025, 11, 20), date(2026, 1, 3))
    [datetime.date(2025, 11, 1), datetime.date(2025, 12, 1), datetime.date(2026, 1, 1)]
    """
    months, day = [], first.replace(day=1)
    while day <= last:
        months.append(day)
        day = _add_months(day, 1)
    return months
