"""What each role's home page says needs attention today: one provider per feature."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from core.access import Action, Actor, can, require


@dataclass(frozen=True)
class TodoItem:
    label: str
    count: int | None = None
    level: str = "info"  # info | warning | error
    page: str | None = None  # key of the page that deals with it


def _accounts(actor: Actor) -> list[TodoItem]:
    from services.users import locked_user_count

    if not can(actor, Action.ACCOUNT_MANAGE):
        return []
    locked = locked_user_count(actor=actor)
    if not locked:
        return []
    return [TodoItem("comptes verrouillés après des échecs de connexion", locked, "warning", "accounts")]


def _signalements(actor: Actor) -> list[TodoItem]:
    from services.signalements import signalement_home_items

    return signalement_home_items(actor)


PROVIDERS: list[Callable[[Actor], list[TodoItem]]] = [
    _accounts,
    _signalements,
]


def home_items(*, actor: Actor) -> list[TodoItem]:
    """Any role: the items that need the actor today, most urgent first."""
    require(actor, Action.HOME_VIEW)
    items = [item for provider in PROVIDERS for item in provider(actor)]
    order = {"error": 0, "warning": 1, "info": 2}
    return sorted(items, key=lambda item: order.get(item.level, 3))
