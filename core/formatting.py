"""French display formats: dates dd/mm/yyyy, times in Europe/Paris, numbers as 1 234."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def fr_date(value: date | datetime | None) -> str:
    """>>> fr_date(date(2025, 3, 7))
    '07/03/2025'
    """
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_paris(value)
    return value.strftime("%d/%m/%Y")


def fr_datetime(value: datetime | None) -> str:
    """An aware instant shown in Paris time: '07/03/2025 14:05'."""
    if value is None:
        return ""
    return to_paris(value).strftime("%d/%m/%Y %H:%M")


def fr_week(day: date) -> str:
    """The ISO week holding `day`, in words (not the '2025-W07' code), for prose.

    >>> fr_week(date(2025, 2, 12)), fr_week(date(2024, 12, 30))
    ('semaine 7 de 2025', 'semaine 1 de 2025')
    """
    year, week, _ = day.isocalendar()
    return f"semaine {week} de {year}"


def to_paris(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("naive datetime: cannot tell which instant it is")
    return value.astimezone(PARIS)


def fr_number(value: float | int | None, decimals: int = 0) -> str:
    """>>> fr_number(1234567), fr_number(12.5, 1)
    ('1 234 567', '12,5')
    """
    if value is None:
        return "—"
    text = f"{value:,.{decimals}f}".replace(",", " ").replace(".", ",")
    return text


def fr_percent(value: float | None, decimals: int = 0) -> str:
    """>>> fr_percent(0.256)
    '26 %'
    """
    if value is None:
        return "—"
    return f"{fr_number(value * 100, decimals)} %"
