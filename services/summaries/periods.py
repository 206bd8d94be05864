"""How a period splits into whole months (read from a monthly summary) and edge days (read from the rows)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from core.summaries import first_of_month, next_month


@dataclass(frozen=True)
class Split:
    first_month: date | None  # first day of the first whole month (None: open)
    last_month: date | None  # first day of the last whole month (None: open)
    edges: tuple[tuple[date, date], ...]  # day ranges, both ends included, outside the whole months


def split_period(start: date | None, end: date | None) -> Split | None:
    """The whole months from `start` to `end` (both included) and the days left at either edge; None when
    no whole month lies inside (the rows are then read directly).

    >>> split_period(date(2025, 1, 15), date(2025, 4, 10))
    Split(first_month=datetime.date(2025, 2, 1), last_month=datetime.date(2025, 3, 1), edges=((datetime.date(2025, 1, 15), datetime.date(2025, 1, 31)), (datetime.date(2025, 4, 1), datetime.date(2025, 4, 10))))
    >>> split_period(date(2025, 1, 1), None).edges, split_period(date(2025, 1, 2), date(2025, 1, 30))
    ((), None)
    """
    edges = []
    first = None
    if start is not None:
        first = start if start.day == 1 else next_month(start)
        if first != start:
            edges.append((start, first - timedelta(days=1)))
    last = None
    if end is not None:
        if (end + timedelta(days=1)).day == 1:
            last = first_of_month(end)
        else:
            last = first_of_month(first_of_month(end) - timedelta(days=1))
            edges.append((first_of_month(end), end))
    if first is not None and last is not None and first > last:
        return None
    return Split(first, last, tuple(edges))


def months_of(split: Split, month_column) -> list:
    """SQL conditions: `month_column` (a first day) lies in the whole months of `split`."""
    conditions = []
    if split.first_month is not None:
        conditions.append(month_column >= split.first_month)
    if split.last_month is not None:
        conditions.append(month_column <= split.last_month)
    return conditions
