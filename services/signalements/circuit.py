"""The circuit of a signalement: deadlines per severity and the replay of its events.

Deadlines run from the declaration, per severity, in hours set by the coordination
(`signalement_deadline_hours`). They are fixed on the declaration event (and on a correction that
changes the severity), so a later change of the settings does not rewrite past deadlines.
`derive_state` recomputes the header's derived columns (status, deadlines, first acknowledgement and
transmission…) from all the events; `_append` writes events and the recomputed header together.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import select

from core.access import Action, Actor, require
from core.db import session_scope
from core.errors import ConcurrentEdit, FieldError, ValidationFailed
from models.signalement import (
    EventKind,
    Severity,
    Signalement,
    SignalementEvent,
    SignalementStatus,
    deriving_state,
)

DEADLINE_KEYS = {
    severity: (f"signalement_ack_hours_{severity.value}", f"signalement_pass_hours_{severity.value}")
    for severity in Severity
}


# --- deadlines ----------------------------------------------------------------------------------


def signalement_deadline_hours() -> dict[str, tuple[float, float]]:
    """Any caller: hours allowed to acknowledge and to pass on, per severity (0 = no deadline)."""
    from services.admin.settings import setting_get

    return {
        sev.value: (float(setting_get(key=ack)), float(setting_get(key=pas)))
        for sev, (ack, pas) in DEADLINE_KEYS.items()
    }


def signalement_deadlines_set(*, actor: Actor, hours: dict[str, tuple[float, float]]) -> None:
    """Coordination only: change the deadlines of every severity at once (new signalements)."""
    from services.admin.settings import SETTINGS, setting_set

    require(actor, Action.SETTINGS_MANAGE)
    errors = []
    for severity, (ack, pas) in hours.items():
        for key, value in zip(DEADLINE_KEYS[Severity(severity)], (ack, pas)):
            spec = SETTINGS[key]
            if value is None or not spec.minimum <= value <= spec.maximum:
                errors.append(FieldError(spec.label, f"entre {spec.minimum:g} et {spec.maximum:g} heures"))
    if errors:
        raise ValidationFailed(errors)
    with session_scope(actor):
        for severity, values in hours.items():
            for key, value in zip(DEADLINE_KEYS[Severity(severity)], values):
                setting_set(actor=actor, key=key, value=float(value))


def _deadlines(severity: str, declared_at: datetime) -> tuple[datetime | None, datetime | None]:
    ack, pas = signalement_deadline_hours()[severity]
    return (declared_at + timedelta(hours=ack) if ack else None, declared_at + timedelta(hours=pas) if pas else None)


# --- replay ---------------------------------------------------------------------------------------


def derive_state(events: list, declared_at: datetime) -> dict:
    """The derived columns of a signalement, replayed from all its events in append order.

    A correction may void an earlier step (that step then counts for nothing) and may change the
    severity (with the deadlines it carries) or the category.
    """
    voided = {e.voids_event_id for e in events if e.kind == EventKind.CORRECTION.value and e.voids_event_id}
    live = [e for e in events if e.id not in voided]
    severity = category = ack_due = pass_due = None
    for e in live:
        if e.kind in (EventKind.DECLARED.value, EventKind.CORRECTION.value):
            if e.severity:
                severity, ack_due, pass_due = e.severity, e.ack_due_at, e.pass_due_at
            category = e.category or category
    acks = [e.at for e in live if e.kind == EventKind.ACKNOWLEDGED.value]
    passes = [e.at for e in live if e.kind == EventKind.PASSED_ON.value]
    closes = [e for e in live if e.kind == EventKind.CLOSED.value]
    acknowledged_at = min(acks) if acks else None
    passed_on_at = min(passes) if passes else None
    closing = closes[-1] if closes else None
    followed = acknowledged_at is not None and any(
        e.kind == EventKind.FOLLOW_UP.value and e.at >= acknowledged_at for e in live
    )
    if closing is not None:
        status = SignalementStatus.CLOSED
    elif followed:
        status = SignalementStatus.FOLLOW_UP
    elif passed_on_at is not None:
        status = SignalementStatus.PASSED_ON
    elif acknowledged_at is not None:
        status = SignalementStatus.ACKNOWLEDGED
    else:
        status = SignalementStatus.DECLARED

    def seconds(at):
        return None if at is None else max(0, int((at - declared_at).total_seconds()))

    return {
        "status": status.value,
        "current_severity": severity,
        "current_category": category,
        "ack_due_at": ack_due,
        "pass_due_at": pass_due,
        "acknowledged_at": acknowledged_at,
        "passed_on_at": passed_on_at,
        "closed_at": closing.at if closing else None,
        "outcome": closing.outcome if closing else None,
        "ack_seconds": seconds(acknowledged_at),
        "pass_seconds": seconds(passed_on_at),
        "last_event_at": max(e.at for e in events),
        "event_count": len(events),
    }


def _append(session, signalement: Signalement, events: list[SignalementEvent]) -> None:
    """Add events and refresh the derived columns from the full history, in this transaction."""
    with deriving_state():
        try:
            for e in events:
                e.signalement_id = signalement.id
                session.add(e)
            session.flush()
            history = session.exec(
                select(SignalementEvent)
                .where(SignalementEvent.signalement_id == signalement.id)
                .order_by(SignalementEvent.id)
            ).all()
            for key, value in derive_state(list(history), signalement.declared_at).items():
                setattr(signalement, key, value)
            session.add(signalement)
            session.flush()
        except StaleDataError as error:
            raise ConcurrentEdit() from error
