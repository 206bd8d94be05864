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


def _weekly_figures(actor: Actor) -> list[TodoItem]:
    from services.weekly import WeekState, weekly_partner_todo
    from services.weekly_board import weekly_missing_count
    from services.weekly_calendar import fr_deadline, week_short_label

    if can(actor, Action.WEEKLY_BOARD):
        week, missing, passed = weekly_missing_count(actor=actor)
        if not missing:
            return []
        if passed:
            return [TodoItem(f"structures n'ont pas envoyé leurs chiffres de la semaine {week_short_label(week)}",
                             missing, "warning", "weekly_board")]
        return [TodoItem(f"structures n'ont pas encore envoyé leurs chiffres de la semaine {week_short_label(week)}",
                         missing, "info", "weekly_board")]
    todo = weekly_partner_todo(actor=actor) if actor.is_partner else None
    if todo is None:
        return []
    items = []
    if todo.overdue_weeks:
        weeks = ", ".join(week_short_label(w) for w in todo.overdue_weeks)
        items.append(TodoItem(f"semaine(s) de chiffres en retard : {weeks}", len(todo.overdue_weeks), "warning", "weekly_entry"))
    if todo.sent_back_weeks:
        weeks = ", ".join(week_short_label(w) for w in todo.sent_back_weeks)
        items.append(TodoItem(f"semaine(s) renvoyée(s) par la coordination, à corriger : {weeks}",
                              len(todo.sent_back_weeks), "warning", "weekly_entry"))
    if todo.previous_state in (WeekState.DUE, WeekState.DRAFT):
        items.append(TodoItem(f"Chiffres de la semaine {week_short_label(todo.previous_week)} à envoyer avant le "
                              f"{fr_deadline(todo.previous_deadline)}", None, "warning", "weekly_entry"))
    if todo.current_state in (WeekState.DUE, WeekState.DRAFT):
        items.append(TodoItem(f"Chiffres de cette semaine ({week_short_label(todo.current_week)}) à envoyer avant le "
                              f"{fr_deadline(todo.current_deadline)}", None, "info", "weekly_entry"))
    return items


PROVIDERS: list[Callable[[Actor], list[TodoItem]]] = [
    _accounts,
    _weekly_figures,
]


def home_items(*, actor: Actor) -> list[TodoItem]:
    """Any role: the items that need the actor today, most urgent first."""
    require(actor, Action.HOME_VIEW)
    items = [item for provider in PROVIDERS for item in provider(actor)]
    order = {"error": 0, "warning": 1, "info": 2}
    return sorted(items, key=lambda item: order.get(item.level, 3))
