"""What the indicator sources return to the catalogue (services/indicators/catalogue.py): true values, never
shown to a funder as they are, the query they answer (who reads, the period, the scope), and the
catalogue entry (:class:`IndicatorSpec`) each feature package declares in its ``indicator_sources``
module (gathered by services/indicators/registry.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from importlib.util import find_spec

from core.access import Actor
from core.clock import paris_today
from services.periods import Period, Scope

COUNT, SHARE, MEDIAN, RATE, NUMBER = "count", "share", "median", "rate", "number"  # NUMBER: never a child count


# --- what the sources return (true values, never shown to a funder as they are) -------------------


@dataclass(frozen=True)
class Raw:
    """A true headline value: a count, a share (numerator / denominator), a median or a rate."""

    kind: str = COUNT
    value: float | None = None  # count, median (days), rate (0..1)
    numerator: int | None = None  # share
    denominator: int | None = None  # share
    observations: int | None = None  # median: how many values it is the median of
    unit: str = ""


@dataclass(frozen=True)
class RawHeadline:
    value: Raw
    secondary: tuple[tuple[str, Raw], ...] = ()


@dataclass(frozen=True)
class RawTable:
    """A breakdown with its true values.

    kind: "counts": a one-way (one column) or two-way table of counts that add up to the totals;
    "multi": one column of counts where a record may count in several rows (no total);
    "measures": columns are different measures (never protected, never summed).
    """

    key: str
    title: str
    dimension: str
    rows: tuple[tuple[str | None, str], ...]  # (key, label)
    columns: tuple[tuple[str | None, str], ...]  # (key, label)
    values: tuple[tuple[float | None, ...], ...]
    kind: str = "counts"
    units: tuple[str, ...] = ()  # per column for "measures": count | percent | days | hours | number
    counts_children: bool | None = None  # None: as the indicator
    drill: bool = True
    note: str = ""
    chart_column: int = 0  # the column a bar chart shows (measures)
    population: int | None = None  # records the table describes (None: the sum of its counts)
    unit: str = "enfants"  # what `population` counts, in French (for the note of a withheld table)


@dataclass(frozen=True)
class Query:
    """What a source computes for: who reads (see _reader), the period and the scope."""

    reader: Actor
    period: Period
    scope: Scope
    protected: bool = False  # the figures will be published protected: breakdowns list every category

    @property
    def first(self) -> date:
        return self.period.start

    @property
    def last(self) -> date:
        return self.period.end - timedelta(days=1)

    @property
    def as_of(self) -> date:
        """The day a stock is read on: the period's last day, or today while it runs."""
        return min(self.last, paris_today())

    def at(self, period: Period) -> Query:
        return replace(self, period=period)


@dataclass(frozen=True)
class RecordPage:
    """Records behind a number (coordination only), one page, with the total."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple, ...]
    total: int


# --- a catalogue entry ----------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorInfo:
    """What describes an indicator (no function: safe to cache and to pickle)."""

    key: str
    number: int
    title: str
    short_title: str
    definition: str
    counts_children: bool
    unit: str
    from_call: bool
    stock: bool  # read at the end of the period (structures, départements) rather than over it
    available: bool

    @property
    def label(self) -> str:
        return f"{self.number}. {self.short_title}" if self.from_call else f"{self.short_title} (complémentaire)"


@dataclass(frozen=True)
class IndicatorSpec:
    """One catalogue entry, declared in its feature package's ``indicator_sources`` module: the call's
    title, the French definition, and the functions that compute the true figures."""

    key: str
    number: int
    title: str
    short_title: str
    definition: str
    counts_children: bool
    unit: str
    source: str  # the feature module the figures come from
    headline: Callable[[Query], RawHeadline]
    tables: Callable[[Query], list[RawTable]]
    records: Callable[[Query, str | None, str | None, str | None, int, int], RecordPage] | None = None
    from_call: bool = True
    stock: bool = False

    @property
    def available(self) -> bool:
        return all(find_spec(name) is not None for name in self.source.split(","))

    def info(self) -> IndicatorInfo:
        return IndicatorInfo(
            self.key,
            self.number,
            self.title,
            self.short_title,
            self.definition,
            self.counts_children,
            self.unit,
            self.from_call,
            self.stock,
            self.available,
        )
