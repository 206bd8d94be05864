"""ISO weeks of the weekly figures: Mondays, labels, deadlines and lock dates (pure functions)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from core.clock import paris_date
from core.formatting import PARIS, fr_date, fr_week


def monday_of(day: date) -> date:
    """The Monday of the ISO week holding `day`.

    >>> monday_of(date(2025, 2, 13))
    datetime.date(2025, 2, 10)
    """
    return day - timedelta(days=day.weekday())


def current_week(now: datetime) -> date:
    """Monday of the ISO week running in Paris at `now`."""
    return monday_of(paris_date(now))


def week_label(monday: date) -> str:
    """A week for French readers, with its dates.

    >>> week_label(date(2025, 2, 10))
    'Semaine 7 de 2025 (10/02/2025 – 16/02/2025)'
    """
    return f"{fr_week(monday).capitalize()} ({fr_date(monday)} – {fr_date(monday + timedelta(days=6))})"


def week_dates(monday: date) -> str:
    """The days of a week, for a caption under its name.

    >>> week_dates(date(2025, 2, 10))
    'Du lundi 10/02/2025 au dimanche 16/02/2025'
    """
    return f"Du lundi {fr_date(monday)} au dimanche {fr_date(monday + timedelta(days=6))}"


def week_short_label(monday: date) -> str:
    """A week in a few characters, for tables and axes.

    >>> week_short_label(date(2025, 2, 10))
    'S07 2025'
    """
    year, week, _ = monday.isocalendar()
    return f"S{week:02d} {year}"


_ISO_WEEK = re.compile(r"^\s*(\d{4})\s*-?\s*[Ww](\d{1,2})\s*$")
_SHORT_WEEK = re.compile(r"^\s*[Ss](\d{1,2})\s+(\d{4})\s*$")
_WORDS_WEEK = re.compile(r"^\s*semaine\s+(\d{1,2})\s+(?:de\s+)?(\d{4})\s*$", re.IGNORECASE)
_FR_DATE = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")


def parse_week(text: object) -> date | None:
    """The Monday of a week written '2025-W07', 'S07 2025', 'semaine 7 de 2025', a date ('10/02/2025', '2025-02-12') or a date
    object; None when it cannot be read.

    >>> parse_week("2025-W07"), parse_week("12/02/2025") == parse_week("S07 2025") == parse_week("Semaine 7 de 2025")
    (datetime.date(2025, 2, 10), True)
    """
    if isinstance(text, datetime):
        return monday_of(text.date())
    if isinstance(text, date):
        return monday_of(text)
    value = str(text or "").strip()
    try:
        if match := _ISO_WEEK.match(value):
            return date.fromisocalendar(int(match[1]), int(match[2]), 1)
        if match := _SHORT_WEEK.match(value):
            return date.fromisocalendar(int(match[2]), int(match[1]), 1)
        if match := _WORDS_WEEK.match(value):
            return date.fromisocalendar(int(match[2]), int(match[1]), 1)
        if match := _FR_DATE.match(value):
            return monday_of(date(int(match[3]), int(match[2]), int(match[1])))
        return monday_of(date.fromisoformat(value[:10]))
    except ValueError:
        return None


@dataclass(frozen=True)
class DeadlineRule:
    """When a week's figures are due, and when they lock (see services.admin.settings)."""

    days_after_sunday: int = 2
    hour: int = 12
    lock_weeks: int = 4

    def deadline(self, monday: date) -> datetime:
        """The aware UTC instant the week's figures are due (default: the following Tuesday 12:00, Paris).

        >>> DeadlineRule().deadline(date(2025, 2, 10)).isoformat()
        '2025-02-18T11:00:00+00:00'
        """
        day = monday + timedelta(days=6 + self.days_after_sunday)
        return datetime.combine(day, time(self.hour), PARIS).astimezone(UTC)

    def lock_at(self, monday: date) -> datetime:
        """From this instant only the coordination may reopen the week."""
        return self.deadline(monday) + timedelta(weeks=self.lock_weeks)


def weeks_back(last: date, count: int) -> list[date]:
    """The `count` Mondays ending with `last`, oldest first."""
    return [last - timedelta(weeks=n) for n in range(count - 1, -1, -1)]


WEEKDAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]


def fr_deadline(instant: datetime) -> str:
    """A deadline in Paris time, with its weekday.

    >>> fr_deadline(datetime(2025, 2, 18, 11, 0, tzinfo=UTC))
    'mardi 18/02/2025 à 12:00'
    """
    local = instant.astimezone(PARIS)
    return f"{WEEKDAYS[local.weekday()]} {fr_date(local)} à {local:%H:%M}"
