"""Training sessions: recording one (planned, or delivered with its participants), its checks and its detail.

The coordination manages sessions. The checks and the write are shared with the import
(services.training.imports); lists and counts are in services.training.session_listing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel
from sqlmodel import select

from core.access import Action, Actor, require
from core.clock import paris_today
from core.concurrency import get_versioned, versioned_update
from core.db import session_scope
from core.errors import FieldError, NotFound, ValidationFailed
from models.base import utcnow
from models.referential import Departement
from models.structure import Structure
from models.training import (
    SessionStatus,
    TrainingAttendance,
    TrainingModule,
    TrainingParticipants,
    TrainingProfile,
    TrainingSession,
)
from services.training.modules import TEXT_TOO_LONG, UNKNOWN_MODULE, UNKNOWN_PROFILE, fr_hours

# --- messages (tests reuse them) ---------------------------------------------------------------
MODULE_REQUIRED = "module obligatoire"
TRAINER_REQUIRED = "organisme formateur obligatoire"
DATE_REQUIRED = "date obligatoire"
END_BEFORE_START = "la date de fin précède la date de début"
PLACE_REQUIRED = "indiquez un département, ou « à distance »"
UNKNOWN_DEPARTEMENT = "département inconnu"
HOURS_OUT_OF_RANGE = "{hours} h hors de la durée du module ({low} à {high} h)"
PARTICIPANTS_NEGATIVE = "nombre négatif"
PARTICIPANTS_REQUIRED = "une session réalisée compte au moins un participant"
UNKNOWN_STATUS = "statut inconnu"
DELIVERED_IN_FUTURE = "une session qui n'est pas encore terminée ne peut pas être marquée réalisée"
SATISFACTION_RANGE = "note de 1 à 5"
EVALUATION_BEFORE_DELIVERY = "l'évaluation se saisit une fois la session réalisée"
UNKNOWN_STRUCTURE = "structure inconnue ({value})"
SESSION_NOT_FOUND = "Session introuvable."

COMMENT_LIMIT = 1000


class SessionData(BaseModel):
    """What the session form (or one import row) provides."""

    module_id: int | None
    start_date: date | None
    end_date: date | None
    trainer_organisation: str = ""
    trainer_name: str | None = None
    remote: bool = False
    departement_code: str | None = None
    hours: float | None = None
    status: str = SessionStatus.PLANNED.value
    participants: dict[str, int] = {}
    structure_ids: list[int] = []
    satisfaction: int | None = None
    evaluation_comment: str | None = None

    @property
    def participant_total(self) -> int:
        return sum(v for v in self.participants.values() if v and v > 0)


@dataclass(frozen=True)
class SessionDetail:
    id: int
    version: int
    module_id: int
    module_title: str
    start_date: date
    end_date: date
    trainer_organisation: str
    trainer_name: str | None
    remote: bool
    departement_code: str | None
    hours: float
    status: str
    satisfaction: int | None
    evaluation_comment: str | None
    participants: dict[str, int]
    structure_ids: list[int]

    @property
    def participant_total(self) -> int:
        return sum(self.participants.values())


SESSION_LABELS = {
    "module_id": "Module",
    "start_date": "Début",
    "end_date": "Fin",
    "trainer_organisation": "Organisme formateur",
    "trainer_name": "Formateur",
    "remote": "À distance",
    "departement_code": "Département",
    "hours": "Heures",
    "status": "Statut",
    "satisfaction": "Satisfaction",
    "evaluation_comment": "Commentaire",
}


def session_errors(session, data: SessionData, *, today: date, row: int | None = None) -> list[FieldError]:
    """Every fault of a session's data, in French (shared by the form and the import)."""
    errors: list[FieldError] = []

    def fault(label: str, message: str) -> None:
        errors.append(FieldError(label, message, row=row))

    module = session.get(TrainingModule, data.module_id) if data.module_id is not None else None
    if data.module_id is None:
        fault("Module", MODULE_REQUIRED)
    elif module is None:
        fault("Module", UNKNOWN_MODULE)
    organisation = (data.trainer_organisation or "").strip()
    if not organisation:
        fault("Organisme formateur", TRAINER_REQUIRED)
    elif len(organisation) > 160:
        fault("Organisme formateur", TEXT_TOO_LONG.format(limit=160))
    if data.trainer_name and len(data.trainer_name.strip()) > 120:
        fault("Formateur", TEXT_TOO_LONG.format(limit=120))
    if data.start_date is None:
        fault("Date de début", DATE_REQUIRED)
    if data.end_date is None:
        fault("Date de fin", DATE_REQUIRED)
    if data.start_date and data.end_date and data.end_date < data.start_date:
        fault("Date de fin", END_BEFORE_START)
    if not data.remote:
        if not data.departement_code:
            fault("Lieu", PLACE_REQUIRED)
        elif session.get(Departement, data.departement_code) is None:
            fault("Lieu", UNKNOWN_DEPARTEMENT)
    if data.hours is None or data.hours <= 0:
        fault(
            "Heures",
            HOURS_OUT_OF_RANGE.format(
                hours=fr_hours(data.hours or 0),
                low=fr_hours(module.duration_min_hours) if module else "?",
                high=fr_hours(module.duration_max_hours) if module else "?",
            ),
        )
    elif module is not None and not (
        module.duration_min_hours - 1e-9 <= data.hours <= module.duration_max_hours + 1e-9
    ):
        fault(
            "Heures",
            HOURS_OUT_OF_RANGE.format(
                hours=fr_hours(data.hours),
                low=fr_hours(module.duration_min_hours),
                high=fr_hours(module.duration_max_hours),
            ),
        )
    for profile, count in data.participants.items():
        label = f"Participants « {TrainingProfile.label_of(profile)} »"
        if profile not in TrainingProfile.labels():
            fault("Participants", UNKNOWN_PROFILE.format(value=profile))
        elif count is not None and count < 0:
            fault(label, PARTICIPANTS_NEGATIVE)
    delivered = data.status == SessionStatus.DELIVERED.value
    if data.status not in SessionStatus.labels():
        fault("Statut", UNKNOWN_STATUS)
    if delivered and data.participant_total < 1:
        fault("Participants", PARTICIPANTS_REQUIRED)
    if delivered and data.end_date and data.end_date > today:
        fault("Statut", DELIVERED_IN_FUTURE)
    if data.satisfaction is not None and not 1 <= data.satisfaction <= 5:
        fault("Satisfaction", SATISFACTION_RANGE)
    comment = (data.evaluation_comment or "").strip()
    if len(comment) > COMMENT_LIMIT:
        fault("Commentaire", TEXT_TOO_LONG.format(limit=COMMENT_LIMIT))
    if not delivered and (data.satisfaction is not None or comment):
        fault("Évaluation", EVALUATION_BEFORE_DELIVERY)
    wanted = set(data.structure_ids)
    if wanted:
        known = set(session.exec(select(Structure.id).where(Structure.id.in_(wanted))).all())
        for missing in sorted(wanted - known):
            fault("Structures", UNKNOWN_STRUCTURE.format(value=missing))
    return errors


def _session_values(data: SessionData) -> dict:
    return dict(
        module_id=data.module_id,
        start_date=data.start_date,
        end_date=data.end_date,
        trainer_organisation=data.trainer_organisation.strip(),
        trainer_name=(data.trainer_name or "").strip() or None,
        remote=data.remote,
        departement_code=None if data.remote else data.departement_code,
        hours=float(data.hours),
        status=data.status,
        satisfaction=data.satisfaction,
        evaluation_comment=(data.evaluation_comment or "").strip() or None,
    )


def write_session(session, data: SessionData, existing: TrainingSession | None = None) -> TrainingSession:
    """Write a validated session with its participants and attending structures (no checks here)."""
    row = existing or TrainingSession()
    for key, value in _session_values(data).items():
        setattr(row, key, value)
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    counts = {p: int(c) for p, c in data.participants.items() if c and c > 0}
    current = {
        p.profile: p
        for p in session.exec(select(TrainingParticipants).where(TrainingParticipants.session_id == row.id))
    }
    for profile, line in current.items():
        if profile not in counts:
            session.delete(line)
        elif line.headcount != counts[profile]:
            line.headcount = counts[profile]
            session.add(line)
    for profile, count in counts.items():
        if profile not in current:
            session.add(TrainingParticipants(session_id=row.id, profile=profile, headcount=count))
    attending = set(
        session.exec(select(TrainingAttendance.structure_id).where(TrainingAttendance.session_id == row.id)).all()
    )
    wanted = set(data.structure_ids)
    for structure_id in attending - wanted:
        session.delete(session.get(TrainingAttendance, (row.id, structure_id)))
    for structure_id in sorted(wanted - attending):
        session.add(TrainingAttendance(session_id=row.id, structure_id=structure_id))
    session.flush()
    return row


def training_session_create(*, actor: Actor, data: SessionData, today: date | None = None) -> SessionDetail:
    """Coordination only: record a session (planned, or delivered with its participants)."""
    require(actor, Action.TRAINING_MANAGE)
    with session_scope(actor) as session:
        errors = session_errors(session, data, today=today or paris_today())
        if errors:
            raise ValidationFailed(errors)
        row = write_session(session, data)
        return _detail(session, row)


def training_session_update(
    *,
    actor: Actor,
    session_id: int,
    expected_version: int,
    data: SessionData,
    seen: dict | None = None,
    today: date | None = None,
) -> SessionDetail:
    """Coordination only: change a session, refused if someone saved it since it was opened."""
    require(actor, Action.TRAINING_MANAGE)
    with session_scope(actor) as session:
        row = versioned_update(
            session,
            TrainingSession,
            session_id,
            expected_version=expected_version,
            not_found=SESSION_NOT_FOUND,
            seen=seen,
            labels=SESSION_LABELS,
            check=lambda _row: session_errors(session, data, today=today or paris_today()),
            apply=lambda row: write_session(session, data, row),
        )
        return _detail(session, row)


def training_session_delete(*, actor: Actor, session_id: int, expected_version: int) -> None:
    """Coordination only: remove a session recorded by mistake (its participants and attendance too)."""
    require(actor, Action.TRAINING_MANAGE)
    with session_scope(actor) as session:
        row = get_versioned(
            session, TrainingSession, session_id, expected_version=expected_version, not_found=SESSION_NOT_FOUND
        )
        for child in (TrainingParticipants, TrainingAttendance):
            for line in session.exec(select(child).where(child.session_id == session_id)):
                session.delete(line)
        session.flush()
        session.delete(row)


def training_session_get(*, actor: Actor, session_id: int) -> SessionDetail:
    """Coordination only: one session with its participants and attending structures."""
    require(actor, Action.TRAINING_MANAGE)
    with session_scope(actor) as session:
        row = session.get(TrainingSession, session_id)
        if row is None:
            raise NotFound(SESSION_NOT_FOUND)
        return _detail(session, row)


def _detail(session, row: TrainingSession) -> SessionDetail:
    participants = dict(
        session.exec(
            select(TrainingParticipants.profile, TrainingParticipants.headcount).where(
                TrainingParticipants.session_id == row.id
            )
        ).all()
    )
    structures = sorted(
        session.exec(select(TrainingAttendance.structure_id).where(TrainingAttendance.session_id == row.id)).all()
    )
    title = session.get(TrainingModule, row.module_id).title
    return SessionDetail(
        id=row.id,
        version=row.version,
        module_id=row.module_id,
        module_title=title,
        start_date=row.start_date,
        end_date=row.end_date,
        trainer_organisation=row.trainer_organisation,
        trainer_name=row.trainer_name,
        remote=row.remote,
        departement_code=row.departement_code,
        hours=row.hours,
        status=row.status,
        satisfaction=row.satisfaction,
        evaluation_comment=row.evaluation_comment,
        participants={p: participants[p] for p in TrainingProfile.labels() if p in participants},
        structure_ids=list(structures),
    )
