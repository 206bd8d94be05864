"""The coordination's emergencies: each open immediate-danger or overdue signalement, one home line each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from core.access import Action, Actor, can
from models.base import utcnow
from models.signalement import Severity
from services.home.todo import TodoItem

# The home lists at most this many signalements one by one; the board lists them all.
URGENT_LIMIT = 10
# Open signalements read to pick them (the board puts every overdue one before a fresh immediate danger).
URGENT_SCAN = 500


@dataclass(frozen=True)
class UrgentSignalement:
    id: int
    reference: str
    severity: str
    structure_name: str
    step: str
    due_at: datetime
    overdue: bool


def urgent_signalements(*, actor: Actor, now: datetime | None = None) -> list[UrgentSignalement]:
    """Coordination only: open signalements that are overdue or in immediate danger and awaiting a step.

    The gravest first (immediate danger, late or not), then by deadline; at most URGENT_LIMIT.
    """
    from services.signalements.reads import signalement_board

    now = now or utcnow()
    page = signalement_board(actor=actor, now=now, limit=URGENT_SCAN)
    urgent = []
    for row in page.rows:
        due = row.due(now)
        if due is None:
            continue
        if not due.overdue and row.severity != Severity.IMMEDIATE_DANGER.value:
            continue
        urgent.append(
            UrgentSignalement(
                row.id, row.reference, row.severity, row.structure_name, due.step, due.due_at, due.overdue
            )
        )
    # The gravest first (immediate danger, late or not), then the nearest (or most overdue) deadline.
    rank = {severity.value: severity.rank for severity in Severity}
    return sorted(urgent, key=lambda s: (rank.get(s.severity, 9), s.due_at))[:URGENT_LIMIT]


def countdown_text(due_at: datetime, now: datetime | None = None) -> str:
    """French countdown to a deadline, or how late it is.

    >>> from datetime import UTC
    >>> t = datetime(2026, 1, 1, 12, tzinfo=UTC)
    >>> countdown_text(t + timedelta(minutes=42, seconds=10), t)
    'reste 42 min'
    >>> countdown_text(t - timedelta(hours=2, minutes=5), t)
    'en retard de 2 h 05'
    """
    now = now or utcnow()
    left = due_at - now
    minutes = int(abs(left) / timedelta(minutes=1))
    hours, rest = divmod(minutes, 60)
    span = f"{hours} h {rest:02d}" if hours else f"{rest} min"
    return f"reste {span}" if left >= timedelta(0) else f"en retard de {span}"


def urgent_home_items(actor: Actor) -> list[TodoItem]:
    """Home provider: one red line per urgent signalement, with its gravity, structure and deadline."""
    if not actor.is_coordination or not can(actor, Action.SIGNALEMENT_HANDLE):
        return []
    items = []
    for s in urgent_signalements(actor=actor):
        items.append(
            TodoItem(
                f"Signalement {s.reference} — {Severity.label_of(s.severity)}",
                None,
                "error",
                "signalements",
                urgency=0,
                due_at=s.due_at,
                detail=f"{s.structure_name} — {s.step} attendue avant le",
            )
        )
    return items
