"""What a home page item is: the small value every feature's contribution to the home page returns."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TodoItem:
    """One line of a role's home page: what needs the user today, how many, how urgent, where to go."""

    label: str
    count: int | None = None
    level: str = "info"  # info | warning | error
    page: str | None = None  # key of the page that deals with it
