"""Structures as contributors: when a sum of several structures' figures may be shown outside the coordination.

Pure functions, no database. The rule is the French statistical-secrecy rule for establishments
(*secret statistique des établissements*): an aggregate of structures is published only when

1. at least :data:`MIN_CONTRIBUTORS` (3) structures contribute to it, and
2. no single structure accounts for more than :data:`MAX_SHARE` (85 %) of it.

Otherwise one or two structures' own figures could be read off, or guessed closely.

A partner knows its own figures, so its contribution must not help it pass: the rule is applied to
the aggregate *minus its own structure* (at least 3 **other** structures; the largest other one at
most 85 % of the total of the others). A funder, who has no structure, is held to the same test on
every contributor. The coordination sees exact totals and is not subject to the rule.

Differences give figures away too. When the whole network is published and some of its régions
are not, the network minus the published régions is the sum of the unpublished ones: that sum
must pass the rule as well, or more régions are withheld (:func:`contributors_withheld_parts`).
Sums of parts that each pass the rule pass it too (with figures that are never negative, the
largest one stays under 85 % of any larger total), so what can be derived from the published
figures is always a sum of at least 3 other structures where none dominates.

Limits: the rule is checked per figure (one week × one element). A figure that changes after it
was first shown (a late report, a correction) can be differenced in time; the weekly views only
publish weeks once their figures are settled for that reason (see services.weekly.series).
Figures are assumed never negative (every weekly element has a minimum of 0 or more).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

MIN_CONTRIBUTORS = 3
MAX_SHARE = 0.85

WITHHELD_FEW = (
    "Non publié : moins de 3 structures autres que la vôtre, ou une structure représente plus de 85 % du total."
)
WITHHELD_FEW_FUNDER = "Non publié : moins de 3 structures, ou une structure représente plus de 85 % du total."
WITHHELD_COMPLEMENT = (
    "Non publié : par différence avec le total du réseau et les autres régions, ce chiffre "
    "donnerait celui d'une ou deux structures."
)
WITHHELD_UNSETTLED = (
    "Non publié : les chiffres de cette semaine peuvent encore changer (publiés pour le réseau "
    "{weeks} semaines après l'échéance, une fois la semaine verrouillée)."
)
WITHHELD_MONTH = "Non publié : au moins une semaine de ce mois n'est pas publiée."

K = TypeVar("K")


@dataclass(frozen=True)
class Contributors:
    """What the rule needs to know of a sum of structures' figures: how many, how much, the largest one.

    >>> Contributors.of([4, 2, 1]) + Contributors.of([3])
    Contributors(count=4, total=10.0, largest=4.0)
    """

    count: int = 0
    total: float = 0.0
    largest: float = 0.0

    @classmethod
    def of(cls, values: Iterable[float]) -> Contributors:
        values = [float(v) for v in values]
        return cls(len(values), sum(values), max(values, default=0.0))

    def __add__(self, other: Contributors) -> Contributors:
        return Contributors(self.count + other.count, self.total + other.total, max(self.largest, other.largest))


NOBODY = Contributors()


def contributors_publishable(others: Contributors) -> bool:
    """Whether a sum of these (other) structures' figures may be shown: 3 or more, none above 85 % of the total.

    A sum without any other structure tells nothing of anybody else and is publishable.

    >>> contributors_publishable(Contributors.of([5, 4, 3]))
    True
    >>> contributors_publishable(Contributors.of([5, 4]))  # two structures: each knows the other's figure
    False
    >>> contributors_publishable(Contributors.of([90, 5, 5]))  # one structure is 90 % of it
    False
    """
    if others.count == 0:
        return True
    return others.count >= MIN_CONTRIBUTORS and others.largest <= MAX_SHARE * others.total


def contributors_withheld_parts(parts: Mapping[K, Contributors], *, whole_published: bool) -> set[K]:
    """The parts of a partition (the régions of the network) to withhold, given the other structures in each.

    Each part failing the rule is withheld. When the whole is published, the withheld parts
    together are known by difference, so they must pass the rule too: the published part with the
    smallest total is withheld next, until they do. Parts without other structures are never
    withheld (they show at most the reader's own figure).

    >>> parts = {"A": Contributors.of([9]), "B": Contributors.of([5, 4, 3]), "C": Contributors.of([6, 6, 6, 6])}
    >>> sorted(contributors_withheld_parts(parts, whole_published=True))
    ['A', 'B']
    >>> sorted(contributors_withheld_parts(parts, whole_published=False))
    ['A']
    """
    withheld = {key for key, part in parts.items() if not contributors_publishable(part)}
    if not whole_published:
        return withheld
    while not contributors_publishable(contributors_sum(parts[key] for key in withheld)):
        candidates = [key for key, part in parts.items() if key not in withheld and part.count]
        if not candidates:
            break  # every part is withheld: their union is the whole, published, so it passes
        withheld.add(min(candidates, key=lambda key: (parts[key].total, parts[key].count, str(key))))
    return withheld


def contributors_sum(parts: Iterable[Contributors]) -> Contributors:
    """The contributors of a sum of disjoint sums (régions into the network)."""
    total = NOBODY
    for part in parts:
        total = total + part
    return total
