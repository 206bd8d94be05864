"""Signalements: partner staff declare a worrying situation; the coordination acknowledges it,
passes it on to the competent authorities, follows it up and closes it.

Every step is appended as a `SignalementEvent`; no function here updates or deletes an event, and
the declaration columns of a signalement are written once. The derived columns of the header
(status, deadlines, first acknowledgement and transmission…) are recomputed from all the events by
`derive_state` (services/signalements/circuit.py), in the same transaction as the event appended
(see models/signalement.py). Reads (a signalement, lists, the board, counts, home items) are in
services/signalements/reads.py.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel
from sqlmodel import func, select

from core.access import Action, Actor, require, scope_structure
from core.bounds import text_faults, text_limit
from core.clock import paris_date
from core.db import session_scope
from core.errors import AccessDenied, FieldError, NotFound, ValidationFailed
from core.formatting import PARIS
from models.base import utcnow
from models.child import Child
from models.signalement import (
    ActionTaken,
    Category,
    Channel,
    EventKind,
    Outcome,
    RecipientKind,
    Severity,
    Signalement,
    SignalementEvent,
)
from services.alerts.events import on_signalement_declared
from services.signalements.circuit import _append, _deadlines
from services.signalements.reads import (
    CHILD_RECENT_DAYS,
    NOT_FOUND,
    SignalementSummary,
    _eligible_children,
    _summary_of,
)

FACTS_MIN_LENGTH = 20
OCCURRED_REQUIRED = "indiquez la date et l'heure des faits"
OCCURRED_IN_FUTURE = "la date des faits ne peut pas être dans le futur"
CATEGORY_REQUIRED = "choisissez une catégorie"
SEVERITY_REQUIRED = "choisissez un niveau de gravité"
FACTS_REQUIRED = f"décrivez les faits (au moins {FACTS_MIN_LENGTH} caractères)"
CHILD_NOT_IN_STRUCTURE = (
    f"aucun enfant accueilli par votre structure (ou sorti depuis moins de {CHILD_RECENT_DAYS} jours) ne porte ce code"
)
UNKNOWN_VALUE = "valeur inconnue"
OTHER_ACTION_DETAIL = "précisez l'autre mesure prise"
STRUCTURE_REQUIRED = "seule l'équipe d'une structure partenaire déclare un signalement"
ALREADY_ACKNOWLEDGED = "ce signalement a déjà été pris en compte"
ALREADY_CLOSED = "ce signalement est clôturé"
NOT_ACKNOWLEDGED = "prenez d'abord le signalement en compte"
RECIPIENT_REQUIRED = "choisissez au moins un destinataire"
CHANNEL_REQUIRED = "indiquez comment la transmission a été faite"
PASSED_AT_REQUIRED = "indiquez la date et l'heure de la transmission"
PASSED_AT_IN_FUTURE = "la transmission ne peut pas être datée dans le futur"
PASSED_AT_BEFORE_FACTS = "la transmission ne peut pas précéder les faits"
NOTE_REQUIRED = "écrivez une note"
OUTCOME_REQUIRED = "choisissez l'issue"
CORRECTION_NOTE_REQUIRED = "expliquez ce que la correction rectifie"
CANNOT_VOID_KIND = "seules une prise en compte, une transmission, un suivi ou une clôture peuvent être annulés"
ALREADY_VOIDED = "cette étape est déjà annulée"
VOID_UNKNOWN = "étape inconnue pour ce signalement"
VOID_ACK_FIRST = "annulez d'abord les transmissions et la clôture qui suivent cette prise en compte"
PARTNER_CANNOT_VOID = "Accès refusé : seule la coordination annule une étape du circuit."
FORCED_CLOCK = "Accès refusé : seul le système peut dater une étape à sa place."


class SignalementDeclaration(BaseModel):
    """What the declaration form provides; everything is checked by `signalement_declare`."""

    occurred_at: datetime | None = None
    category: str | None = None
    severity: str | None = None
    child_code: str | None = None
    facts: str = ""
    actions_taken: list[str] = []
    actions_detail: str | None = None


class Transmission(BaseModel):
    """A passing on to one or more recipients, at one time, by one channel."""

    recipient_kinds: list[str] = []
    channel: str | None = None
    at: datetime | None = None
    detail: str | None = None
    note: str | None = None


# --- helpers --------------------------------------------------------------------------------------


def _clock(actor: Actor, now: datetime | None) -> datetime:
    """The current instant; only the system (demo, imports) may date a step itself."""
    if now is None:
        return utcnow()
    if not actor.is_system:
        raise AccessDenied(FORCED_CLOCK)
    return _aware(now)


def _event(actor: Actor, kind: EventKind, at: datetime, recorded_at: datetime, **values) -> SignalementEvent:
    return SignalementEvent(
        kind=kind.value,
        at=at,
        recorded_at=recorded_at,
        author_user_id=actor.user_id,
        author_name=actor.display_name,
        author_role=actor.role,
        **values,
    )


def _load(session, actor: Actor, signalement_id: int) -> Signalement:
    """The signalement if the actor may see it; otherwise NotFound (another structure's is not revealed)."""
    statement = scope_structure(
        select(Signalement).where(Signalement.id == signalement_id), actor, Signalement.structure_id
    )
    signalement = session.exec(statement).first()
    if signalement is None:
        raise NotFound(NOT_FOUND)
    return signalement


def _aware(value: datetime | None) -> datetime | None:
    """An instant in UTC (a date and time typed without a zone is Paris time).

    Durations and deadlines are computed in UTC: arithmetic on two Paris times would count wall
    clock hours and be an hour off across a change to or from summer time.
    """
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=PARIS)
    return value.astimezone(UTC)


def _clean(text: str | None) -> str | None:
    text = (text or "").strip()
    return text or None


def _bounded(label: str, text: str | None, model, field: str) -> None:
    """Refuse, before anything is written, a text longer than its column or holding a NUL character."""
    if faults := text_faults(label, text, text_limit(model, field)):
        raise ValidationFailed(faults)


def _check_code(values: list[str] | None, enum_cls, field: str, errors: list[FieldError]) -> None:
    for value in values or []:
        if value not in enum_cls.labels():
            errors.append(FieldError(field, UNKNOWN_VALUE))


# --- writes ---------------------------------------------------------------------------------------


def signalement_declare(
    *, actor: Actor, data: SignalementDeclaration, now: datetime | None = None
) -> SignalementSummary:
    """Partner staff: declare a situation in their own structure; the circuit starts at once."""
    require(actor, Action.SIGNALEMENT_DECLARE)
    if actor.structure_id is None:
        raise AccessDenied(STRUCTURE_REQUIRED)
    now = _clock(actor, now)
    today = paris_date(now)
    errors: list[FieldError] = []
    if data.occurred_at is None:
        errors.append(FieldError("Date et heure des faits", OCCURRED_REQUIRED))
    elif _aware(data.occurred_at) > now:
        errors.append(FieldError("Date et heure des faits", OCCURRED_IN_FUTURE))
    if not data.category:
        errors.append(FieldError("Catégorie", CATEGORY_REQUIRED))
    elif data.category not in Category.labels():
        errors.append(FieldError("Catégorie", UNKNOWN_VALUE))
    if not data.severity:
        errors.append(FieldError("Gravité", SEVERITY_REQUIRED))
    elif data.severity not in Severity.labels():
        errors.append(FieldError("Gravité", UNKNOWN_VALUE))
    facts = (data.facts or "").strip()
    if len(facts) < FACTS_MIN_LENGTH:
        errors.append(FieldError("Faits", FACTS_REQUIRED))
    errors += text_faults("Faits", facts, text_limit(Signalement, "facts"))
    errors += text_faults("Précisions sur les mesures", data.actions_detail, text_limit(Signalement, "actions_detail"))
    errors += text_faults("Code de l'enfant", data.child_code, text_limit(Child, "code"))
    _check_code(data.actions_taken, ActionTaken, "Mesures déjà prises", errors)
    if ActionTaken.OTHER.value in (data.actions_taken or []) and not _clean(data.actions_detail):
        errors.append(FieldError("Précisions sur les mesures", OTHER_ACTION_DETAIL))
    child_code = _clean(data.child_code)
    occurred_at = _aware(data.occurred_at)
    with session_scope(actor) as session:
        child_id = None
        if child_code:
            found = session.exec(
                _eligible_children(actor, today).where(func.upper(Child.code) == child_code.upper())
            ).first()
            if found is None:
                errors.append(FieldError("Code de l'enfant", CHILD_NOT_IN_STRUCTURE))
            else:
                child_id = found[0]
        if errors:
            raise ValidationFailed(errors)
        ack_due, pass_due = _deadlines(data.severity, now)
        signalement = Signalement(
            structure_id=actor.structure_id,
            child_id=child_id,
            occurred_at=occurred_at,
            declared_at=now,
            declared_on=today,
            category=data.category,
            severity=data.severity,
            facts=facts,
            actions_taken=list(dict.fromkeys(data.actions_taken or [])),
            actions_detail=_clean(data.actions_detail),
            declared_by_user_id=actor.user_id,
            declared_by_name=actor.display_name,
            current_category=data.category,
            current_severity=data.severity,
            ack_due_at=ack_due,
            pass_due_at=pass_due,
            last_event_at=now,
            event_count=0,
        )
        session.add(signalement)
        session.flush()
        _append(
            session,
            signalement,
            [
                _event(
                    actor,
                    EventKind.DECLARED,
                    now,
                    now,
                    severity=data.severity,
                    category=data.category,
                    ack_due_at=ack_due,
                    pass_due_at=pass_due,
                )
            ],
        )
        summary = _summary_of(session, signalement.id)
        on_signalement_declared(
            signalement_id=summary.id, reference=summary.reference, severity=summary.severity, ack_due_at=ack_due
        )
        return summary


def signalement_acknowledge(
    *, actor: Actor, signalement_id: int, note: str | None = None, now: datetime | None = None
) -> SignalementSummary:
    """Coordination only: record that the coordination has taken the signalement in hand."""
    require(actor, Action.SIGNALEMENT_HANDLE)
    now = _clock(actor, now)
    _bounded("Note", note, SignalementEvent, "note")
    with session_scope(actor) as session:
        signalement = _load(session, actor, signalement_id)
        if signalement.closed_at is not None:
            raise ValidationFailed(FieldError("Prise en compte", ALREADY_CLOSED))
        if signalement.acknowledged_at is not None:
            raise ValidationFailed(FieldError("Prise en compte", ALREADY_ACKNOWLEDGED))
        _append(session, signalement, [_event(actor, EventKind.ACKNOWLEDGED, now, now, note=_clean(note))])
        return _summary_of(session, signalement_id)


def signalement_pass_on(
    *, actor: Actor, signalement_id: int, data: Transmission, now: datetime | None = None
) -> SignalementSummary:
    """Coordination only: record a transmission to one or more authorities (acknowledging first if needed)."""
    require(actor, Action.SIGNALEMENT_HANDLE)
    now = _clock(actor, now)
    errors: list[FieldError] = []
    kinds = list(dict.fromkeys(data.recipient_kinds or []))
    if not kinds:
        errors.append(FieldError("Destinataires", RECIPIENT_REQUIRED))
    _check_code(kinds, RecipientKind, "Destinataires", errors)
    if not data.channel:
        errors.append(FieldError("Moyen", CHANNEL_REQUIRED))
    elif data.channel not in Channel.labels():
        errors.append(FieldError("Moyen", UNKNOWN_VALUE))
    errors += text_faults("Précisions", data.detail, text_limit(SignalementEvent, "recipient_detail"))
    errors += text_faults("Note", data.note, text_limit(SignalementEvent, "note"))
    with session_scope(actor) as session:
        signalement = _load(session, actor, signalement_id)
        at = _aware(data.at)
        if at is None:
            errors.append(FieldError("Transmis le", PASSED_AT_REQUIRED))
        elif at > now:
            errors.append(FieldError("Transmis le", PASSED_AT_IN_FUTURE))
        elif at < signalement.occurred_at:
            errors.append(FieldError("Transmis le", PASSED_AT_BEFORE_FACTS))
        if signalement.closed_at is not None:
            errors.append(FieldError("Transmission", ALREADY_CLOSED))
        if errors:
            raise ValidationFailed(errors)
        events = []
        if signalement.acknowledged_at is None:
            ack_at = max(signalement.declared_at, min(now, at))
            events.append(_event(actor, EventKind.ACKNOWLEDGED, ack_at, now))
        for kind in kinds:
            events.append(
                _event(
                    actor,
                    EventKind.PASSED_ON,
                    at,
                    now,
                    recipient_kind=kind,
                    recipient_detail=_clean(data.detail),
                    channel=data.channel,
                    note=_clean(data.note),
                )
            )
        _append(session, signalement, events)
        return _summary_of(session, signalement_id)


def signalement_follow_up(
    *, actor: Actor, signalement_id: int, note: str, now: datetime | None = None
) -> SignalementSummary:
    """Coordination, and partner staff on their own structure's: add a follow-up note."""
    require(actor, Action.SIGNALEMENT_COMPLETE)
    now = _clock(actor, now)
    _bounded("Note de suivi", note, SignalementEvent, "note")
    with session_scope(actor) as session:
        signalement = _load(session, actor, signalement_id)
        errors = []
        if not _clean(note):
            errors.append(FieldError("Note de suivi", NOTE_REQUIRED))
        if signalement.closed_at is not None:
            errors.append(FieldError("Suivi", ALREADY_CLOSED))
        if errors:
            raise ValidationFailed(errors)
        _append(session, signalement, [_event(actor, EventKind.FOLLOW_UP, now, now, note=_clean(note))])
        return _summary_of(session, signalement_id)


def signalement_close(
    *, actor: Actor, signalement_id: int, outcome: str | None, note: str | None = None, now: datetime | None = None
) -> SignalementSummary:
    """Coordination only: close an acknowledged signalement with its outcome."""
    require(actor, Action.SIGNALEMENT_HANDLE)
    now = _clock(actor, now)
    _bounded("Commentaire", note, SignalementEvent, "note")
    with session_scope(actor) as session:
        signalement = _load(session, actor, signalement_id)
        errors = []
        if not outcome:
            errors.append(FieldError("Issue", OUTCOME_REQUIRED))
        elif outcome not in Outcome.labels():
            errors.append(FieldError("Issue", UNKNOWN_VALUE))
        if signalement.closed_at is not None:
            errors.append(FieldError("Clôture", ALREADY_CLOSED))
        elif signalement.acknowledged_at is None:
            errors.append(FieldError("Clôture", NOT_ACKNOWLEDGED))
        if errors:
            raise ValidationFailed(errors)
        _append(session, signalement, [_event(actor, EventKind.CLOSED, now, now, outcome=outcome, note=_clean(note))])
        return _summary_of(session, signalement_id)


def signalement_correct(
    *,
    actor: Actor,
    signalement_id: int,
    note: str,
    severity: str | None = None,
    category: str | None = None,
    voids_event_id: int | None = None,
    now: datetime | None = None,
) -> SignalementSummary:
    """Coordination, and partner staff on their own structure's: append a correction.

    A correction explains itself (note), may reclassify (severity, with new deadlines counted from
    the declaration, or category) and, for the coordination only, may void an earlier step.
    """
    require(actor, Action.SIGNALEMENT_COMPLETE)
    now = _clock(actor, now)
    if voids_event_id is not None and not actor.is_coordination:
        raise AccessDenied(PARTNER_CANNOT_VOID)
    _bounded("Ce qui est corrigé", note, SignalementEvent, "note")
    with session_scope(actor) as session:
        signalement = _load(session, actor, signalement_id)
        errors: list[FieldError] = []
        if not _clean(note):
            errors.append(FieldError("Correction", CORRECTION_NOTE_REQUIRED))
        if severity and severity not in Severity.labels():
            errors.append(FieldError("Gravité", UNKNOWN_VALUE))
        if category and category not in Category.labels():
            errors.append(FieldError("Catégorie", UNKNOWN_VALUE))
        if voids_event_id is not None:
            errors += _void_problems(session, signalement, voids_event_id)
        if errors:
            raise ValidationFailed(errors)
        values = {}
        if severity and severity != signalement.current_severity:
            ack_due, pass_due = _deadlines(severity, signalement.declared_at)
            values.update(severity=severity, ack_due_at=ack_due, pass_due_at=pass_due)
        if category and category != signalement.current_category:
            values["category"] = category
        _append(
            session,
            signalement,
            [_event(actor, EventKind.CORRECTION, now, now, note=_clean(note), voids_event_id=voids_event_id, **values)],
        )
        return _summary_of(session, signalement_id)


def _void_problems(session, signalement: Signalement, event_id: int) -> list[FieldError]:
    events = session.exec(
        select(SignalementEvent).where(SignalementEvent.signalement_id == signalement.id).order_by(SignalementEvent.id)
    ).all()
    by_id = {e.id: e for e in events}
    voided = {e.voids_event_id for e in events if e.voids_event_id}
    target = by_id.get(event_id)
    if target is None:
        return [FieldError("Étape annulée", VOID_UNKNOWN)]
    voidable = {
        EventKind.ACKNOWLEDGED.value,
        EventKind.PASSED_ON.value,
        EventKind.FOLLOW_UP.value,
        EventKind.CLOSED.value,
    }
    if target.kind not in voidable:
        return [FieldError("Étape annulée", CANNOT_VOID_KIND)]
    if event_id in voided:
        return [FieldError("Étape annulée", ALREADY_VOIDED)]
    if target.kind == EventKind.ACKNOWLEDGED.value:
        other_acks = [
            e for e in events if e.kind == EventKind.ACKNOWLEDGED.value and e.id != event_id and e.id not in voided
        ]
        later = [
            e for e in events if e.kind in (EventKind.PASSED_ON.value, EventKind.CLOSED.value) and e.id not in voided
        ]
        if later and not other_acks:
            return [FieldError("Étape annulée", VOID_ACK_FIRST)]
    return []
