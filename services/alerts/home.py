"""The alerts' lines on the home page: places running out in a région."""

from __future__ import annotations

from core.access import Action, Actor, can
from core.formatting import fr_number
from services.home.todo import TodoItem


def alert_home_items(actor: Actor) -> list[TodoItem]:
    """Home provider: régions below their threshold of free places (coordination)."""
    from services.alerts.places import region_places

    items: list[TodoItem] = []
    if actor.is_coordination and can(actor, Action.SETTINGS_MANAGE):
        for region in region_places(actor=actor):
            if region.low:
                items.append(
                    TodoItem(
                        f"Places libres sous le seuil en {region.region_name} : {fr_number(region.free_places)} "
                        f"déclarée(s) pour un seuil de {fr_number(region.threshold)}",
                        None,
                        "warning",
                        "notifications",
                        urgency=2,
                    )
                )
    return items
