"""Staff protection (supervision, « analyse de pratique ») and prevention actions, logged per structure.

Beside the supervision hours stands the exposure to digital outreach (hours × team members), since
the call makes supervision of the staff exposed to child sexual abuse material a quality criterion.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import func, select

from core.access import Action, Actor, require, scope_structure
from core.clock import paris_today
from core.db import session_scope
from core.errors import FieldError, ValidationFailed
from models.outreach import (
    Audience,
    OutreachKind,
    OutreachSession,
    PreventionAction,
    PreventionKind,
    SupervisionKind,
    SupervisionSession,
)
from models.referential import Departement

DAY_INVALID = "indiquez une date qui n'est pas dans le futur"
KIND_INVALID = "choisissez le type"
HOURS_INVALID = "indiquez une durée en heures, de 0,5 à 24"
PARTICIPANTS_INVALID = "indiquez le nombre de participants, de 1 à 200"
AUDIENCE_INVALID = "choisissez le public"
REACHED_INVALID = "indiquez le nombre de personnes touchées, de 0 à 1 000 000"
DEPARTEMENT_INVALID = "département inconnu"


@dataclass(frozen=True)
class StaffProtection:
    supervision_sessions: int
    supervision_hours: float
    participant_hours: float
    digital_exposure_hours: float


def _day_error(day: date | None) -> FieldError | None:
    if day is None or day > paris_today():
        return FieldError("Date", DAY_INVALID)
    return None


def supervision_create(*, actor: Actor, held_on: date | None, kind: str, hours: float, participants: int) -> int:
    """Log a supervision or « analyse de pratique » session for the actor's structure."""
    require(actor, Action.OUTREACH_LOG)
    errors = [e for e in [_day_error(held_on)] if e]
    if kind not in SupervisionKind.labels():
        errors.append(FieldError("Type de séance", KIND_INVALID))
    if hours is None or not 0.5 <= hours <= 24:
        errors.append(FieldError("Durée", HOURS_INVALID))
    if participants is None or not 1 <= participants <= 200:
        errors.append(FieldError("Participants", PARTICIPANTS_INVALID))
    if errors:
        raise ValidationFailed(errors)
    with session_scope(actor) as session:
        row = SupervisionSession(
            structure_id=actor.structure_id if actor.is_partner else None,
            held_on=held_on,
            kind=kind,
            hours=hours,
            participants=participants,
            created_by=actor.username,
        )
        session.add(row)
        session.flush()
        assert row.id is not None
        return row.id


def staff_protection(*, actor: Actor, start: date, end: date) -> StaffProtection:
    """Supervision hours and digital-outreach exposure hours over a period, in the actor's scope."""
    require(actor, Action.OUTREACH_LOG)
    with session_scope(actor) as session:
        supervision = session.exec(
            scope_structure(
                select(
                    func.count(SupervisionSession.id),
                    func.coalesce(func.sum(SupervisionSession.hours), 0),
                    func.coalesce(func.sum(SupervisionSession.hours * SupervisionSession.participants), 0),
                ).where(SupervisionSession.held_on >= start, SupervisionSession.held_on <= end),
                actor,
                SupervisionSession.structure_id,
            )
        ).one()
        exposure_minutes = session.exec(
            scope_structure(
                select(func.coalesce(func.sum(OutreachSession.duration_minutes * OutreachSession.team_size), 0)).where(
                    OutreachSession.kind == OutreachKind.DIGITAL.value,
                    OutreachSession.held_on >= start,
                    OutreachSession.held_on <= end,
                ),
                actor,
                OutreachSession.structure_id,
            )
        ).one()
    return StaffProtection(
        supervision_sessions=int(supervision[0]),
        supervision_hours=float(supervision[1]),
        participant_hours=float(supervision[2]),
        digital_exposure_hours=round(float(exposure_minutes) / 60, 1),
    )


def prevention_create(
    *, actor: Actor, held_on: date | None, kind: str, audience: str, reached: int, departement_code: str
) -> int:
    """Log a prevention action for the actor's structure (the coordination logs its own)."""
    require(actor, Action.OUTREACH_LOG)
    errors = [e for e in [_day_error(held_on)] if e]
    if kind not in PreventionKind.labels():
        errors.append(FieldError("Type d'action", KIND_INVALID))
    if audience not in Audience.labels():
        errors.append(FieldError("Public", AUDIENCE_INVALID))
    if reached is None or not 0 <= reached <= 1_000_000:
        errors.append(FieldError("Personnes touchées", REACHED_INVALID))
    with session_scope(actor) as session:
        if not departement_code or session.get(Departement, departement_code) is None:
            errors.append(FieldError("Département", DEPARTEMENT_INVALID))
        if errors:
            raise ValidationFailed(errors)
        row = PreventionAction(
            structure_id=actor.structure_id if actor.is_partner else None,
            held_on=held_on,
            kind=kind,
            audience=audience,
            reached=reached,
            departement_code=departement_code,
            created_by=actor.username,
        )
        session.add(row)
        session.flush()
        assert row.id is not None
        return row.id


def prevention_totals(*, actor: Actor, start: date, end: date) -> dict[str, tuple[int, int]]:
    """Per audience: (actions, persons reached) over a period, in the actor's scope."""
    require(actor, Action.OUTREACH_LOG)
    with session_scope(actor) as session:
        rows = session.exec(
            scope_structure(
                select(PreventionAction.audience, func.count(PreventionAction.id), func.sum(PreventionAction.reached))
                .where(PreventionAction.held_on >= start, PreventionAction.held_on <= end)
                .group_by(PreventionAction.audience),
                actor,
                PreventionAction.structure_id,
            )
        ).all()
    return {audience: (int(n), int(reached or 0)) for audience, n, reached in rows}
