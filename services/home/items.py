"""What each role's home page says needs attention today: one provider per feature."""

from __future__ import annotations

from collections.abc import Callable

from core.access import Action, Actor, can, require
from core.formatting import fr_week
from services.home.todo import TodoItem

__all__ = ["TodoItem", "home_items"]


def _accounts(actor: Actor) -> list[TodoItem]:
    from services.admin.users import locked_user_count

    if not can(actor, Action.ACCOUNT_MANAGE):
        return []
    locked = locked_user_count(actor=actor)
    if not locked:
        return []
    return [TodoItem("comptes aux connexions retardées après des échecs", locked, "warning", "accounts")]


def _path_requests(actor: Actor) -> list[TodoItem]:
    from services.path.requests import request_waiting

    if not can(actor, Action.PATH_REQUEST_MANAGE):
        return []
    count, oldest_hours = request_waiting(actor=actor)
    if not count:
        return []
    level = "error" if oldest_hours is not None and oldest_hours >= WAITING_ALERT_HOURS else "warning"
    label = f"sollicitation(s) pas encore orientée(s) — la plus ancienne attend depuis {oldest_hours} h"
    return [TodoItem(label, count, level, "requests", urgency=2)]


def _path_children(actor: Actor) -> list[TodoItem]:
    from services.path.placements import structure_todo

    if not actor.is_partner or not can(actor, Action.PATH_CHILD_UPDATE):
        return []
    todo = structure_todo(actor=actor)
    items = []
    if todo.pending:
        items.append(
            TodoItem(
                "proposition(s) d'orientation à examiner (accepter ou refuser)",
                todo.pending,
                "error",
                "children",
                urgency=0,
            )
        )
    if todo.expected:
        items.append(
            TodoItem(
                "arrivée(s) attendue(s) après votre accord : confirmez l'arrivée", todo.expected, "warning", "children"
            )
        )
    if todo.present:
        items.append(
            TodoItem("enfant(s) accueilli(s) : signalez fugue, retour ou sortie", todo.present, "info", "children")
        )
    return items


WAITING_ALERT_HOURS = 48


def _training(actor: Actor) -> list[TodoItem]:
    from services.training.session_listing import training_pending_counts
    from services.training.team import training_team_missing_count

    items = []
    if can(actor, Action.TRAINING_MANAGE):
        pending = training_pending_counts(actor=actor)
        if pending.overdue:
            items.append(
                TodoItem(
                    "sessions passées encore « prévues » : saisir les participants",
                    pending.overdue,
                    "warning",
                    "trainings",
                )
            )
        if pending.unevaluated:
            items.append(
                TodoItem(
                    "sessions réalisées sans évaluation (note de satisfaction)",
                    pending.unevaluated,
                    "info",
                    "trainings",
                )
            )
    elif actor.is_partner and actor.structure_id is not None and can(actor, Action.TRAINING_SESSION_READ):
        missing = training_team_missing_count(actor=actor)
        if missing:
            items.append(
                TodoItem(
                    "modules du catalogue de formation que votre équipe n'a pas encore suivis",
                    missing,
                    "info",
                    "team_trainings",
                )
            )
    return items


def _directory(actor: Actor) -> list[TodoItem]:
    """Référentiel assessments to redo, conventions about to end, a partner's contact to check."""
    from services.admin.settings import setting_get

    items: list[TodoItem] = []
    if can(actor, Action.STANDARD_MANAGE):
        from services.directory.standards import compliance_followup_counts

        months = setting_get(key="standard_stale_months")
        stale, never = compliance_followup_counts(actor=actor)
        if stale:
            items.append(
                TodoItem(
                    f"structures avec une évaluation du référentiel de plus de {months} mois",
                    stale,
                    "warning",
                    "standards",
                )
            )
        if never:
            items.append(TodoItem("structures jamais évaluées au regard du référentiel", never, "info", "standards"))
    if can(actor, Action.CONVENTION_MANAGE):
        from services.directory.conventions import conventions_ending_soon

        days = setting_get(key="convention_warning_days")
        if ending := conventions_ending_soon(actor=actor):
            items.append(
                TodoItem(
                    f"conventions départementales arrivent à échéance dans les {days} jours",
                    len(ending),
                    "warning",
                    "conventions",
                )
            )
    if actor.is_partner and can(actor, Action.STRUCTURE_EDIT_OWN):
        from services.directory.structures import structure_contact_to_check

        if structure_contact_to_check(actor=actor, months=int(setting_get(key="contact_check_months"))):
            items.append(
                TodoItem(
                    "Vérifiez le contact (standard, e-mail) et la capacité de votre structure, "
                    "puis enregistrez-les ou confirmez-les.",
                    None,
                    "warning",
                    "structure",
                )
            )
    return items


def _signalements(actor: Actor) -> list[TodoItem]:
    from services.signalements.reads import signalement_home_items

    return signalement_home_items(actor)


def _weekly_figures(actor: Actor) -> list[TodoItem]:
    from services.weekly.board import weekly_missing_count
    from services.weekly.schedule import WeekState, weekly_partner_todo
    from services.weekly.weeks import fr_deadline

    if can(actor, Action.WEEKLY_BOARD):
        week, missing, passed = weekly_missing_count(actor=actor)
        if not missing:
            return []
        if passed:
            return [
                TodoItem(
                    f"structures n'ont pas envoyé leurs chiffres de la {fr_week(week)}",
                    missing,
                    "warning",
                    "weekly_board",
                )
            ]
        return [
            TodoItem(
                f"structures n'ont pas encore envoyé leurs chiffres de la {fr_week(week)}",
                missing,
                "info",
                "weekly_board",
            )
        ]
    todo = weekly_partner_todo(actor=actor) if actor.is_partner else None
    if todo is None:
        return []
    items = []
    if todo.overdue_weeks:
        weeks = ", ".join(fr_week(w) for w in todo.overdue_weeks)
        items.append(
            TodoItem(f"semaine(s) de chiffres en retard : {weeks}", len(todo.overdue_weeks), "warning", "weekly_entry")
        )
    if todo.sent_back_weeks:
        weeks = ", ".join(fr_week(w) for w in todo.sent_back_weeks)
        items.append(
            TodoItem(
                f"semaine(s) renvoyée(s) par la coordination, à corriger : {weeks}",
                len(todo.sent_back_weeks),
                "warning",
                "weekly_entry",
            )
        )
    if todo.previous_expected and todo.previous_state in (WeekState.DUE, WeekState.DRAFT):
        items.append(
            TodoItem(
                f"Chiffres de la {fr_week(todo.previous_week)} à envoyer avant le "
                f"{fr_deadline(todo.previous_deadline)}",
                None,
                "warning",
                "weekly_entry",
            )
        )
    if todo.current_expected and todo.current_state in (WeekState.DUE, WeekState.DRAFT):
        items.append(
            TodoItem(
                f"Chiffres de cette semaine ({fr_week(todo.current_week)}) à envoyer avant le "
                f"{fr_deadline(todo.current_deadline)}",
                None,
                "info",
                "weekly_entry",
            )
        )
    return items


# --- dashboards and annual report ---
FUNDER_HEADLINES = (
    ("requests", "sollicitations"),
    ("placed", "victimes placées"),
    ("coverage", "départements couverts"),
    ("trained", "professionnels formés"),
)


def _funder_headlines(actor: Actor) -> list[TodoItem]:
    """A funder's home: last month's headline indicators of his territory, protected like his dashboard."""
    if not actor.is_funder or not can(actor, Action.DASHBOARD_READ):
        return []
    from core.clock import paris_today
    from services.indicators.catalogue import indicator_overview
    from services.periods import period_of

    month = period_of("mois", paris_today()).previous()
    views = indicator_overview(actor=actor, period=month, keys=tuple(key for key, _ in FUNDER_HEADLINES))
    parts = [
        f"{view.headline.value.text} {label}"
        for view, (_, label) in zip(views, FUNDER_HEADLINES)
        if view.headline is not None and (view.headline.value.value or view.headline.value.small)
    ]
    if not parts:
        return []
    return [
        TodoItem(
            f"En {month.label} : " + ", ".join(parts) + " (petits effectifs protégés).",
            None,
            "info",
            "funder_indicators",
        )
    ]


def _urgent(actor: Actor) -> list[TodoItem]:
    from services.home.urgent import urgent_home_items

    return urgent_home_items(actor)


def _alerts(actor: Actor) -> list[TodoItem]:
    from services.alerts.home import alert_home_items

    return alert_home_items(actor)


PROVIDERS: list[Callable[[Actor], list[TodoItem]]] = [
    _urgent,
    _accounts,
    _path_requests,
    _path_children,
    _training,
    _directory,
    _signalements,
    _weekly_figures,
    _funder_headlines,
    _alerts,
]
LEVEL_ORDER = {"error": 0, "warning": 1, "info": 2}


def _urgency(item: TodoItem) -> tuple[int, int]:
    """Emergencies, then overdue steps (red), then requests waiting, then the rest by level."""
    urgency = item.urgency if item.urgency != 3 or item.level != "error" else 1
    return urgency, LEVEL_ORDER.get(item.level, 3)


def home_items(*, actor: Actor) -> list[TodoItem]:
    """Any role: the items that need the actor today, most urgent first."""
    require(actor, Action.HOME_VIEW)
    items = [item for provider in PROVIDERS for item in provider(actor)]
    return sorted(items, key=_urgency)
