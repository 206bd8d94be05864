"""What a funder may be shown of aggregated data about children: the publication policy in one place.

``services/indicators/disclosure.py`` protects *counts* (small counts suppressed, complements hidden, others
rounded). That is not enough: a count of « < 5 » next to a breakdown that lists the requester, the
département, the age band and the sex of those few children tells who they are. Every view a
funder reads (indicators, the path and signalement pages, downloads, the protected annual report,
the home page) goes through the rules below, applied in the service layer:

1. **Time.** A funder reads whole calendar months, quarters and years, or a custom range of whole
   months, and only months that are over: the month in progress changes every day, so comparing it
   from one day to the next would give a day's figures. No week or day grain for children or
   signalements (:func:`check_period`).
2. **No label without a crowd.** A breakdown is published only when the number of children (or
   signalements) it describes reaches the threshold; below it the table is replaced by a French
   note saying it is not published, and why (:func:`breakdown_publishable`).
3. **Fixed categories.** A published breakdown lists every category of its vocabulary in a fixed
   order, zeros included, so that the presence or absence of a row tells nothing
   (:func:`full_rows`).
4. **No attribute pinned by zeros.** In a line (a one-way table, a row or a column of a two-way
   table) whose non-zero counts are all suppressed, the zeros are suppressed too (« < 5 »):
   otherwise the published zeros would say that all the children of that line fall in the few
   suppressed categories (:func:`mask_pinning_zeros`).

A fifth rule, on aggregates of *structures* shown to partners (at least three contributing
structures, none above 85 % of the total), lives with the weekly figures it applies to.

Pure functions, no database, no Streamlit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from core.errors import AncrageError
from services.indicators.disclosure import Mark

PERIOD_REFUSED = (
    "Période refusée : les indicateurs protégés se lisent par mois, trimestres ou années entiers, ou sur une "
    "suite de mois entiers (du 1er d'un mois au dernier jour d'un mois)."
)
PERIOD_NOT_OVER = (
    "Période refusée : seuls les mois terminés sont publiés ; le mois en cours le sera à partir du 1er du mois suivant."
)
BREAKDOWN_WITHHELD = (
    "Répartition non publiée : elle porterait sur moins de {threshold} {unit} pour cette période et ce "
    "territoire. Une répartition n'est publiée que si son total atteint le seuil, pour qu'aucune "
    "caractéristique d'un enfant ne puisse être déduite."
)


def publication_rules(*, threshold: int) -> list[str]:
    """The policy in French, for the funder's page and the « Méthode » of the protected report."""
    return [
        "Période : les indicateurs se lisent par mois, trimestre ou année civils entiers, ou sur une suite de mois "
        "entiers, et seulement pour des mois terminés (ni semaine, ni jour, ni mois en cours).",
        f"Répartitions : une répartition (par demandeur, département, forme d'exploitation, âge, sexe, catégorie, "
        f"gravité, destinataire…) n'est publiée que si elle porte sur au moins {threshold} enfants ou signalements ; "
        "sinon le tableau indique qu'il n'est pas publié, et pourquoi.",
        "Catégories : une répartition publiée donne toujours toutes les catégories, dans le même ordre, zéros "
        "compris : la présence d'une ligne ne dit rien.",
        "Zéros : dans une ligne ou une colonne dont tous les effectifs non nuls sont masqués, les zéros sont masqués "
        f"aussi (« < {threshold} »), pour qu'on ne puisse pas en déduire que tous les enfants partagent une même "
        "caractéristique.",
        "Structures : un total de chiffres de structures montré à une structure partenaire repose sur au moins trois "
        "autres structures, dont aucune ne pèse plus de 85 % du total ; sinon il n'est pas montré.",
    ]


class PeriodRefused(AncrageError):
    """A protected read asked for a period that is not a range of whole (finished) months."""


def is_month_start(day: date) -> bool:
    return day.day == 1


def first_unpublished_day(today: date) -> date:
    """The first day a funder cannot read yet: the first of the current month.

    >>> first_unpublished_day(date(2026, 12, 3))
    datetime.date(2026, 12, 1)
    """
    return today.replace(day=1)


def check_period(start: date | None, end: date | None, *, today: date, finished_only: bool = True) -> None:
    """Refuse (PeriodRefused, in French) a protected period that is not whole months.

    `start` is the first day, `end` the day after the last one (both required). With `finished_only`
    (a funder), the period must also end before the current month.

    >>> check_period(date(2026, 1, 1), date(2026, 4, 1), today=date(2026, 12, 3))
    >>> check_period(date(2026, 1, 2), date(2026, 2, 1), today=date(2026, 12, 3))
    Traceback (most recent call last):
    ...
    services.indicators.disclosure_policy.PeriodRefused: Période refusée : les indicateurs protégés se lisent par mois, trimestres ou années entiers, ou sur une suite de mois entiers (du 1er d'un mois au dernier jour d'un mois).
    """
    if start is None or end is None or end <= start or not is_month_start(start) or not is_month_start(end):
        raise PeriodRefused(PERIOD_REFUSED)
    if finished_only and end > first_unpublished_day(today):
        raise PeriodRefused(PERIOD_NOT_OVER)


def check_days(first: date | None, last: date | None, *, today: date) -> None:
    """`check_period` for a funder's range given by its first and last days (both included)."""
    check_period(first, None if last is None else last + timedelta(days=1), today=today)


def breakdown_publishable(population: int, *, threshold: int) -> bool:
    """A breakdown of `population` children (or signalements) may be published.

    >>> breakdown_publishable(4, threshold=5), breakdown_publishable(5, threshold=5)
    (False, True)
    """
    return population >= threshold


def withheld_note(*, threshold: int, unit: str = "enfants") -> str:
    return BREAKDOWN_WITHHELD.format(threshold=threshold, unit=unit)


def full_rows(found: dict, vocabulary: Iterable[tuple[object, str]]) -> list[tuple[object, str, int]]:
    """Every (key, label) of the vocabulary in its order, with its count (0 when absent).

    A key found but not in the vocabulary (data outside the list) is added at the end, so that no
    count is lost.

    >>> full_rows({"b": 2}, [("a", "A"), ("b", "B")])
    [('a', 'A', 0), ('b', 'B', 2)]
    """
    rows = [(key, label, int(found.get(key, 0))) for key, label in vocabulary]
    known = {key for key, _, _ in rows}
    rows += [(key, str(key), int(n)) for key, n in found.items() if key not in known]
    return rows


def _mask_line(line: list, values: Sequence[int]) -> None:
    hidden = [isinstance(c, Mark) for c in line]
    if not any(hidden):
        return
    if all(h or v == 0 for h, v in zip(hidden, values)):
        for i, v in enumerate(values):
            if v == 0 and not hidden[i]:
                line[i] = Mark.SMALL


def mask_pinning_zeros(cells: Sequence[Sequence[object]], values: Sequence[Sequence[int]]) -> tuple[tuple, ...]:
    """Rule 4 on a published table (`cells`, rows of published cells) whose true counts are `values`.

    >>> S = Mark.SMALL
    >>> mask_pinning_zeros([[S], [S], [0]], [[2], [3], [0]])
    ((<Mark.SMALL: 'small'>,), (<Mark.SMALL: 'small'>,), (<Mark.SMALL: 'small'>,))
    >>> mask_pinning_zeros([[S], [S], [10], [0]], [[2], [3], [10], [0]])[3]
    (0,)
    """
    grid = [list(row) for row in cells]
    if not grid:
        return ()
    width = len(grid[0])
    if width == 1:
        column = [row[0] for row in grid]
        _mask_line(column, [row[0] for row in values])
        return tuple((c,) for c in column)
    for row, true in zip(grid, values):
        _mask_line(row, true)
    for j in range(width):
        column = [row[j] for row in grid]
        _mask_line(column, [row[j] for row in values])
        for row, cell in zip(grid, column):
            row[j] = cell
    return tuple(tuple(row) for row in grid)
