"""Notifications caused by a write: called by the write services inside their own transaction."""

from __future__ import annotations

from dataclasses import replace

from core.db import session_scope
from models.notification import NotificationKind
from models.signalement import Severity
from services.alerts.outbox import coordination, notify, on_call, team_of


def on_signalement_declared(*, signalement_id: int, reference: str, severity: str, ack_due_at) -> None:
    """The on-call addresses (by mail, whatever their choice for immediate danger) and the coordination."""
    with session_scope() as session:
        forced = on_call(session)
        if severity != Severity.IMMEDIATE_DANGER.value:
            # Other severities follow each person's choice, on-call addresses included.
            forced = [replace(r, forced_mail=False) for r in forced]
        notify(
            event_key=f"signalement:{signalement_id}",
            kind=NotificationKind.SIGNALEMENT,
            reference=reference,
            page="signalements",
            recipients=forced + coordination(session),
            due_at=ack_due_at,
        )


def proposal_reference(proposal_id: int) -> str:
    """>>> proposal_reference(7)
    'ORI-0007'
    """
    return f"ORI-{proposal_id:04d}"


def on_proposal(*, proposal_id: int, structure_id: int) -> None:
    """A child proposed to a structure: its team is told (the proposal number, never the child)."""
    with session_scope() as session:
        notify(
            event_key=f"proposition:{proposal_id}",
            kind=NotificationKind.PROPOSAL,
            reference=proposal_reference(proposal_id),
            page="enfants",
            recipients=team_of(session, structure_id),
        )


def on_proposal_answer(*, proposal_id: int) -> None:
    """A structure answered a proposal: the coordination is told."""
    with session_scope() as session:
        notify(
            event_key=f"reponse_proposition:{proposal_id}",
            kind=NotificationKind.PROPOSAL_ANSWER,
            reference=proposal_reference(proposal_id),
            page="sollicitations",
            recipients=coordination(session),
        )
