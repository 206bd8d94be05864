"""What a home page item is: the small value every feature's contribution to the home page returns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class TodoItem:
    """One line of a role's home page: what needs the user today, how many, how urgent, where to go."""

    label: str
    count: int | None = None
    level: str = "info"  # info | warning | error
    page: str | None = None  # key of the page that deals with it
    # 0: an emergency (immediate danger, overdue signalement, a partner's proposal awaiting its answer);
    # 1: an overdue step; 2: a request waiting; 3: the rest. The home sorts on it first.
    urgency: int = 3
    due_at: datetime | None = None  # a deadline the home counts down to
    detail: str | None = None  # one more line (gravity, structure)
