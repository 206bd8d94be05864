"""Signalements: partner staff declare a worrying situation; the coordination acknowledges it,
passes it on to the competent authorities, follows it up and closes it.

Every step is appended as a `SignalementEvent`; no function here updates or deletes an event, and
the declaration columns of a signalement are written once. The derived columns of the header
(status, deadlines, first acknowledgement and transmission…) are recomputed from all the events by
`derive_state`, in the same transaction as the event appended (see models/signalement.py).

Deadlines run from the declaration, per severity, in hours set by the coordination
(`signalement_deadline_hours`). They are fixed on the declaration event (and on a correction that
changes the severity), so a later change of the settings does not rewrite past deadlines.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import func, select

from core.access import Action, Actor, require, scope_structure
from core.bounds import text_faults, text_limit
from core.db import session_scope
from core.errors import AccessDenied, ConcurrentEdit, FieldError, NotFound, ValidationFailed
from core.formatting import PARIS, to_paris
from models.base import utcnow
from models.child import Child, Placement
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
    SignalementStatus,
    deriving_state,
)
from models.structure import Structure
from services.alerts.events import on_signalement_declared

# How long after a placement ended its child may still be named in a signalement of the
# structure (a runaway is often declared once the placement has been closed).
CHILD_RECENT_DAYS = 30
FACTS_MIN_LENGTH = 20

NOT_FOUND = "Signalement introuvable."
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
DEADLINE_KEYS = {
    severity: (f"signalement_ack_hours_{severity.value}", f"signalement_pass_hours_{severity.value}")
    for severity in Severity
}


# --- public shapes ------------------------------------------------------------------------------


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


@dataclass(frozen=True)
class DueState:
    """The next deadline of an open signalement: which step, when, and whether it has passed."""

    step: str  # "prise en compte" | "transmission"
    due_at: datetime
    overdue: bool
    remaining: timedelta  # negative when overdue


@dataclass(frozen=True)
class SignalementSummary:
    id: int
    reference: str
    structure_id: int
    structure_name: str
    departement_code: str
    child_code: str | None
    occurred_at: datetime
    declared_at: datetime
    declared_by_name: str
    category: str
    severity: str
    status: str
    ack_due_at: datetime | None
    pass_due_at: datetime | None
    acknowledged_at: datetime | None
    passed_on_at: datetime | None
    closed_at: datetime | None
    outcome: str | None
    last_event_at: datetime
    version: int

    @property
    def is_open(self) -> bool:
        return self.status != SignalementStatus.CLOSED.value

    def due(self, now: datetime | None = None) -> DueState | None:
        """The pending deadline (acknowledgement, then transmission), or None."""
        now = now or utcnow()
        if self.closed_at is not None:
            return None
        if self.acknowledged_at is None and self.ack_due_at is not None:
            step, due_at = "prise en compte", self.ack_due_at
        elif self.acknowledged_at is not None and self.passed_on_at is None and self.pass_due_at is not None:
            step, due_at = "transmission", self.pass_due_at
        elif self.acknowledged_at is None and self.pass_due_at is not None:
            step, due_at = "transmission", self.pass_due_at
        else:
            return None
        return DueState(step, due_at, now > due_at, due_at - now)

    def is_overdue(self, now: datetime | None = None) -> bool:
        """Late for the acknowledgement, or (not closed) for the transmission."""
        now = now or utcnow()
        if self.closed_at is not None:
            return False
        late_ack = self.acknowledged_at is None and self.ack_due_at is not None and now > self.ack_due_at
        late_pass = self.passed_on_at is None and self.pass_due_at is not None and now > self.pass_due_at
        return late_ack or late_pass


@dataclass(frozen=True)
class EventPublic:
    id: int
    kind: str
    at: datetime
    recorded_at: datetime
    author_name: str
    author_role: str
    note: str | None
    severity: str | None
    category: str | None
    recipient_kind: str | None
    recipient_detail: str | None
    channel: str | None
    outcome: str | None
    voids_event_id: int | None
    voided_by: int | None  # the correction that cancelled this step


@dataclass(frozen=True)
class SignalementDetail:
    summary: SignalementSummary
    declared_category: str
    declared_severity: str
    facts: str
    actions_taken: list[str]
    actions_detail: str | None
    child_age: int | None
    child_sex: str | None
    events: list[EventPublic]


@dataclass(frozen=True)
class SignalementPage:
    rows: list[SignalementSummary]
    total: int


@dataclass(frozen=True)
class OpenCounts:
    open: int
    overdue: int
    awaiting_ack: int
    awaiting_pass: int


def reference_of(signalement_id: int, declared_at: datetime) -> str:
    """>>> reference_of(42, datetime(2025, 3, 1, tzinfo=UTC))
    'SIG-2025-0042'
    """
    return f"SIG-{to_paris(declared_at).year}-{signalement_id:04d}"


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


def _eligible_children(actor: Actor, on: date):
    """SELECT of the children of the actor's structure that may be named in a signalement."""
    return (
        select(Child.id, Child.code)
        .join(Placement, Placement.child_id == Child.id)
        .where(
            Placement.structure_id == actor.structure_id,
            Placement.arrival_date <= on,
            sa.or_(Placement.end_date.is_(None), Placement.end_date >= on - timedelta(days=CHILD_RECENT_DAYS)),
        )
    )


def _summary_select():
    return (
        select(Signalement, Structure.name, Structure.departement_code, Child.code)
        .join(Structure, Structure.id == Signalement.structure_id)
        .outerjoin(Child, Child.id == Signalement.child_id)
    )


def _summary(row) -> SignalementSummary:
    s, structure_name, departement_code, child_code = row
    return SignalementSummary(
        id=s.id,
        reference=reference_of(s.id, s.declared_at),
        structure_id=s.structure_id,
        structure_name=structure_name,
        departement_code=departement_code,
        child_code=child_code,
        occurred_at=s.occurred_at,
        declared_at=s.declared_at,
        declared_by_name=s.declared_by_name,
        category=s.current_category,
        severity=s.current_severity,
        status=s.status,
        ack_due_at=s.ack_due_at,
        pass_due_at=s.pass_due_at,
        acknowledged_at=s.acknowledged_at,
        passed_on_at=s.passed_on_at,
        closed_at=s.closed_at,
        outcome=s.outcome,
        last_event_at=s.last_event_at,
        version=s.version,
    )


def _summary_of(session, signalement_id: int) -> SignalementSummary:
    return _summary(session.exec(_summary_select().where(Signalement.id == signalement_id)).one())


# --- writes ---------------------------------------------------------------------------------------


def signalement_declare(
    *, actor: Actor, data: SignalementDeclaration, now: datetime | None = None
) -> SignalementSummary:
    """Partner staff: declare a situation in their own structure; the circuit starts at once."""
    require(actor, Action.SIGNALEMENT_DECLARE)
    if actor.structure_id is None:
        raise AccessDenied(STRUCTURE_REQUIRED)
    now = _clock(actor, now)
    today = to_paris(now).date()
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


# --- reads ----------------------------------------------------------------------------------------


def signalement_get(*, actor: Actor, signalement_id: int) -> SignalementDetail:
    """Coordination, and partner staff for their own structure: a signalement with its full history."""
    require(actor, Action.SIGNALEMENT_READ)
    with session_scope(actor) as session:
        statement = scope_structure(
            _summary_select().where(Signalement.id == signalement_id), actor, Signalement.structure_id
        )
        row = session.exec(statement).first()
        if row is None:
            raise NotFound(NOT_FOUND)
        s = row[0]
        child = session.get(Child, s.child_id) if s.child_id else None
        events = session.exec(
            select(SignalementEvent).where(SignalementEvent.signalement_id == s.id).order_by(SignalementEvent.id)
        ).all()
        voided_by = {e.voids_event_id: e.id for e in events if e.voids_event_id}
        return SignalementDetail(
            summary=_summary(row),
            declared_category=s.category,
            declared_severity=s.severity,
            facts=s.facts,
            actions_taken=list(s.actions_taken),
            actions_detail=s.actions_detail,
            child_age=child.age if child else None,
            child_sex=child.sex if child else None,
            events=[
                EventPublic(
                    id=e.id,
                    kind=e.kind,
                    at=e.at,
                    recorded_at=e.recorded_at,
                    author_name=e.author_name,
                    author_role=e.author_role,
                    note=e.note,
                    severity=e.severity,
                    category=e.category,
                    recipient_kind=e.recipient_kind,
                    recipient_detail=e.recipient_detail,
                    channel=e.channel,
                    outcome=e.outcome,
                    voids_event_id=e.voids_event_id,
                    voided_by=voided_by.get(e.id),
                )
                for e in events
            ],
        )


def signalement_list(
    *,
    actor: Actor,
    open_only: bool | None = None,
    structure_id: int | None = None,
    severity: str | None = None,
    category: str | None = None,
    start: date | None = None,
    end: date | None = None,
    limit: int = 50,
    offset: int = 0,
) -> SignalementPage:
    """Coordination (all), partner staff (own structure): signalements newest first, filtered and paged."""
    require(actor, Action.SIGNALEMENT_READ)
    conditions = []
    if open_only is True:
        conditions.append(_is_open())
    elif open_only is False:
        conditions.append(Signalement.status == SignalementStatus.CLOSED.value)
    if structure_id is not None:
        conditions.append(Signalement.structure_id == structure_id)
    if severity:
        conditions.append(Signalement.current_severity == severity)
    if category:
        conditions.append(Signalement.current_category == category)
    if start:
        conditions.append(Signalement.declared_on >= start)
    if end:
        conditions.append(Signalement.declared_on <= end)
    with session_scope(actor) as session:
        count = scope_structure(
            select(func.count()).select_from(Signalement).where(*conditions), actor, Signalement.structure_id
        )
        total = session.exec(count).one()
        statement = scope_structure(_summary_select().where(*conditions), actor, Signalement.structure_id)
        rows = session.exec(
            statement.order_by(Signalement.declared_at.desc(), Signalement.id.desc()).limit(limit).offset(offset)
        ).all()
        return SignalementPage(rows=[_summary(r) for r in rows], total=total)


def _is_open():
    """SQL: not closed, spelt as the open statuses so that the index on status finds them (few, recent)."""
    return Signalement.status.in_([s.value for s in SignalementStatus if s != SignalementStatus.CLOSED])


def _pending_conditions(now: datetime):
    not_ack = Signalement.acknowledged_at.is_(None)
    pass_pending = sa.and_(
        Signalement.passed_on_at.is_(None), Signalement.closed_at.is_(None), Signalement.pass_due_at.is_not(None)
    )
    open_ = _is_open()
    late_ack = sa.and_(open_, not_ack, Signalement.ack_due_at.is_not(None), Signalement.ack_due_at < now)
    late_pass = sa.and_(open_, pass_pending, Signalement.pass_due_at < now)
    return not_ack, pass_pending, sa.or_(late_ack, late_pass)


def signalement_board(
    *, actor: Actor, now: datetime | None = None, limit: int = 50, offset: int = 0
) -> SignalementPage:
    """Coordination only: open signalements, overdue first, then awaiting a step, by severity and deadline."""
    require(actor, Action.SIGNALEMENT_HANDLE)
    now = now or utcnow()
    not_ack, pass_pending, overdue = _pending_conditions(now)
    next_due = sa.case((not_ack, Signalement.ack_due_at), (pass_pending, Signalement.pass_due_at), else_=None)
    group = sa.case((overdue, 0), (sa.or_(not_ack, pass_pending), 1), else_=2)
    rank = sa.case({s.value: s.rank for s in Severity}, value=Signalement.current_severity, else_=9)
    open_ = _is_open()
    with session_scope(actor) as session:
        total = session.exec(select(func.count()).select_from(Signalement).where(open_)).one()
        rows = session.exec(
            _summary_select()
            .where(open_)
            .order_by(group, rank, sa.nulls_last(next_due.asc()), Signalement.declared_at)
            .limit(limit)
            .offset(offset)
        ).all()
        return SignalementPage(rows=[_summary(r) for r in rows], total=total)


def signalement_open_counts(*, actor: Actor, now: datetime | None = None) -> OpenCounts:
    """Coordination (all), partner staff (own structure): open, overdue and awaiting signalements."""
    require(actor, Action.SIGNALEMENT_READ)
    now = now or utcnow()
    not_ack, pass_pending, overdue = _pending_conditions(now)
    open_ = _is_open()

    def flag(condition):
        return func.coalesce(func.sum(sa.case((condition, 1), else_=0)), 0)

    statement = (
        select(
            flag(open_),
            flag(overdue),
            flag(sa.and_(open_, not_ack)),
            flag(sa.and_(open_, sa.not_(not_ack), pass_pending)),
        )
        .select_from(Signalement)
        .where(open_)
    )
    with session_scope(actor) as session:
        row = session.exec(scope_structure(statement, actor, Signalement.structure_id)).one()
    return OpenCounts(*(int(v) for v in row))


def signalement_child_codes(*, actor: Actor) -> list[str]:
    """Partner staff: the codes of the children their structure may name in a declaration."""
    require(actor, Action.SIGNALEMENT_DECLARE)
    today = to_paris(utcnow()).date()
    with session_scope(actor) as session:
        return sorted({code for _, code in session.exec(_eligible_children(actor, today))})


def signalement_home_items(actor: Actor) -> list:
    """Home provider: coordination — overdue, then new signalements; partner — its open ones awaiting."""
    from services.home.todo import TodoItem

    if actor.is_coordination:
        counts = signalement_open_counts(actor=actor)
        items = []
        if counts.overdue:
            items.append(
                TodoItem(
                    _plural(
                        counts.overdue, "signalement en retard sur son délai", "signalements en retard sur leur délai"
                    ),
                    counts.overdue,
                    "error",
                    "signalements",
                )
            )
        if counts.awaiting_ack:
            items.append(
                TodoItem(
                    _plural(
                        counts.awaiting_ack,
                        "nouveau signalement à prendre en compte",
                        "nouveaux signalements à prendre en compte",
                    ),
                    counts.awaiting_ack,
                    "warning",
                    "signalements",
                )
            )
        return items
    if actor.is_partner and actor.structure_id is not None:
        counts = signalement_open_counts(actor=actor)
        if counts.awaiting_ack:
            return [
                TodoItem(
                    _plural(
                        counts.awaiting_ack,
                        "signalement de votre structure en attente de prise en compte par la coordination",
                        "signalements de votre structure en attente de prise en compte par la coordination",
                    ),
                    counts.awaiting_ack,
                    "info",
                    "signalements",
                )
            ]
    return []


def _plural(count: int, one: str, many: str) -> str:
    return one if count == 1 else many
