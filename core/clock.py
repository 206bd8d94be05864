"""The network's clock: dates are those of Paris, whatever the server's time zone.

One place for "today", so that a page never uses the server's ``date.today()`` (a server on UTC
would move to tomorrow at 1 a.m. in winter, Paris time).

>>> from datetime import timezone
>>> paris_date(datetime(2026, 12, 31, 23, 30, tzinfo=timezone.utc))
datetime.date(2027, 1, 1)
"""

from __future__ import annotations

from datetime import date, datetime

from core.formatting import PARIS


def paris_now() -> datetime:
    """The current time, in Paris."""
    return datetime.now(PARIS)


def paris_today() -> date:
    """Today's date in Paris, the network's calendar."""
    return paris_now().date()


def paris_date(value: datetime) -> date:
    """The Paris date of an aware datetime."""
    return value.astimezone(PARIS).date()
