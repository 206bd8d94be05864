"""Continuing training: the catalogue of modules, the yearly plan, the sessions and the team views.

The coordination manages everything here. Partner staff read the catalogue and the trainings of
their own structure (never which other structures attended). Funders read the catalogue and the
plan; their figures come from services.training.indicators.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from pydantic import BaseModel
from sqlalchemy import exists, func, or_
from sqlmodel import select

from core.access import Action, Actor, require, require_structure
from core.clock import paris_today
from core.concurrency import check_version
from core.db import session_scope
from core.errors import Change, ConcurrentEdit, FieldError, NotFound, ValidationFailed
from models.base import utcnow
from models.referential import Departement
from models.structure import Structure
from models.training import (
    SessionStatus,
    TrainingAttendance,
    TrainingFormat,
    TrainingModule,
    TrainingParticipants,
    TrainingPlanLine,
    TrainingPrerequisite,
    TrainingProfile,
    TrainingSession,
)

# --- messages (tests reuse them) ---------------------------------------------------------------
TITLE_REQUIRED = "intitulé obligatoire"
TITLE_TAKEN = "un module porte déjà cet intitulé"
OBJECTIVES_REQUIRED = "objectifs obligatoires"
PROFILES_REQUIRED = "choisissez au moins un profil visé"
UNKNOWN_PROFILE = "profil inconnu : {value}"
DURATION_INVALID = "durée minimale et maximale positives, la minimale ne dépassant pas la maximale"
DURATION_TOO_LONG = "durée de plus de {limit} heures"
UNKNOWN_FORMAT = "format inconnu"
UNKNOWN_PREREQUISITE = "module prérequis inconnu"
SELF_PREREQUISITE = "un module ne peut pas être son propre prérequis"
PREREQUISITE_CYCLE = "ces prérequis formeraient une boucle ({path})"

UNKNOWN_MODULE = "module inconnu"
MODULE_REQUIRED = "module obligatoire"
TRAINER_REQUIRED = "organisme formateur obligatoire"
TEXT_TOO_LONG = "{limit} caractères au plus"
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

PLAN_NEGATIVE = "nombre négatif"
PLAN_YEAR_INVALID = "année invalide"

MAX_MODULE_HOURS = 200
COMMENT_LIMIT = 1000


def fr_hours(value: float) -> str:
    """>>> fr_hours(3.5), fr_hours(7.0)
    ('3,5', '7')
    """
    return f"{value:g}".replace(".", ",")


# --- catalogue ---------------------------------------------------------------------------------


class ModuleData(BaseModel):
    """What the catalogue form provides for a module."""

    title: str
    objectives: str = ""
    target_profiles: list[str] = []
    duration_min_hours: float
    duration_max_hours: float
    format: str
    prerequisite_ids: list[int] = []
    active: bool = True


@dataclass(frozen=True)
class ModulePublic:
    id: int
    version: int
    title: str
    objectives: str
    target_profiles: list[str]
    duration_min_hours: float
    duration_max_hours: float
    format: str
    active: bool
    prerequisite_ids: list[int] = field(default_factory=list)
    prerequisite_titles: list[str] = field(default_factory=list)

    @property
    def duration_label(self) -> str:
        if self.duration_min_hours == self.duration_max_hours:
            return f"{fr_hours(self.duration_min_hours)} h"
        return f"{fr_hours(self.duration_min_hours)} à {fr_hours(self.duration_max_hours)} h"


MODULE_LABELS = {
    "title": "Intitulé",
    "objectives": "Objectifs",
    "target_profiles": "Profils visés",
    "duration_min_hours": "Durée minimale",
    "duration_max_hours": "Durée maximale",
    "format": "Format",
    "active": "Au catalogue",
}


def _module_errors(session, data: ModuleData, module_id: int | None) -> list[FieldError]:
    errors = []
    title = data.title.strip()
    if not title:
        errors.append(FieldError("Intitulé", TITLE_REQUIRED))
    elif len(title) > 160:
        errors.append(FieldError("Intitulé", TEXT_TOO_LONG.format(limit=160)))
    else:
        others = session.exec(select(TrainingModule.title).where(TrainingModule.id != (module_id or -1))).all()
        if title.casefold() in {t.casefold() for t in others}:  # in Python: SQLite lowers ASCII only
            errors.append(FieldError("Intitulé", TITLE_TAKEN))
    if not data.objectives.strip():
        errors.append(FieldError("Objectifs", OBJECTIVES_REQUIRED))
    if not data.target_profiles:
        errors.append(FieldError("Profils visés", PROFILES_REQUIRED))
    for code in data.target_profiles:
        if code not in TrainingProfile.labels():
            errors.append(FieldError("Profils visés", UNKNOWN_PROFILE.format(value=code)))
    low, high = data.duration_min_hours, data.duration_max_hours
    if low is None or high is None or low <= 0 or low > high:
        errors.append(FieldError("Durée", DURATION_INVALID))
    elif high > MAX_MODULE_HOURS:
        errors.append(FieldError("Durée", DURATION_TOO_LONG.format(limit=MAX_MODULE_HOURS)))
    if data.format not in TrainingFormat.labels():
        errors.append(FieldError("Format", UNKNOWN_FORMAT))
    errors += _prerequisite_errors(session, module_id, data.prerequisite_ids)
    return errors


def _prerequisite_errors(session, module_id: int | None, prerequisite_ids: list[int]) -> list[FieldError]:
    wanted = set(prerequisite_ids)
    if module_id is not None and module_id in wanted:
        return [FieldError("Prérequis", SELF_PREREQUISITE)]
    if not wanted:
        return []
    titles = dict(session.exec(select(TrainingModule.id, TrainingModule.title)).all())
    if wanted - set(titles):
        return [FieldError("Prérequis", UNKNOWN_PREREQUISITE)]
    if module_id is None:
        return []  # a new module has no dependants: no loop possible
    edges = defaultdict(set)
    for mod, pre in session.exec(select(TrainingPrerequisite.module_id, TrainingPrerequisite.prerequisite_id)):
        if mod != module_id:
            edges[mod].add(pre)
    edges[module_id] = wanted
    path = _cycle_from(module_id, edges)
    if path:
        return [FieldError("Prérequis", PREREQUISITE_CYCLE.format(path=" → ".join(titles[m] for m in path)))]
    return []


def _cycle_from(start: int, edges: dict[int, set[int]]) -> list[int] | None:
    """A path start → … → start through the prerequisite edges, or None."""
    stack = [(start, [start])]
    seen = set()
    while stack:
        node, path = stack.pop()
        for nxt in sorted(edges.get(node, ())):
            if nxt == start:
                return path + [start]
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, path + [nxt]))
    return None


def training_module_create(*, actor: Actor, data: ModuleData) -> ModulePublic:
    """Coordination only: add a module to the catalogue."""
    require(actor, Action.TRAINING_MANAGE)
    with session_scope(actor) as session:
        errors = _module_errors(session, data, None)
        if errors:
            raise ValidationFailed(errors)
        module = TrainingModule(**_module_values(data))
        session.add(module)
        session.flush()
        for pre in sorted(set(data.prerequisite_ids)):
            session.add(TrainingPrerequisite(module_id=module.id, prerequisite_id=pre))
        session.flush()
        return _module_public(session, module)


def training_module_update(
    *, actor: Actor, module_id: int, expected_version: int, data: ModuleData, seen: dict | None = None
) -> ModulePublic:
    """Coordination only: change a module, refused if someone saved it since it was opened."""
    require(actor, Action.TRAINING_MANAGE)
    with session_scope(actor) as session:
        module = session.get(TrainingModule, module_id)
        if module is None:
            raise NotFound("Module introuvable.")
        check_version(module, expected_version, seen=seen, labels=MODULE_LABELS)
        errors = _module_errors(session, data, module_id)
        if errors:
            raise ValidationFailed(errors)
        for key, value in _module_values(data).items():
            setattr(module, key, value)
        module.updated_at = utcnow()
        session.add(module)
        current = set(
            session.exec(
                select(TrainingPrerequisite.prerequisite_id).where(TrainingPrerequisite.module_id == module_id)
            ).all()
        )
        wanted = set(data.prerequisite_ids)
        for pre in current - wanted:
            session.delete(session.get(TrainingPrerequisite, (module_id, pre)))
        for pre in sorted(wanted - current):
            session.add(TrainingPrerequisite(module_id=module_id, prerequisite_id=pre))
        session.flush()
        return _module_public(session, module)


def _module_values(data: ModuleData) -> dict:
    return dict(
        title=data.title.strip(),
        objectives=data.objectives.strip(),
        target_profiles=list(data.target_profiles),
        duration_min_hours=float(data.duration_min_hours),
        duration_max_hours=float(data.duration_max_hours),
        format=data.format,
        active=data.active,
    )


def training_module_list(*, actor: Actor, active_only: bool = False) -> list[ModulePublic]:
    """Any role: the catalogue, with each module's prerequisites (the strategy is not confidential)."""
    require(actor, Action.TRAINING_CATALOGUE_READ)
    with session_scope(actor) as session:
        stmt = select(TrainingModule).order_by(TrainingModule.title)
        if active_only:
            stmt = stmt.where(TrainingModule.active == True)
        modules = session.exec(stmt).all()
        return _modules_public(session, modules)


def training_module_get(*, actor: Actor, module_id: int) -> ModulePublic:
    """Any role: one module of the catalogue."""
    require(actor, Action.TRAINING_CATALOGUE_READ)
    with session_scope(actor) as session:
        module = session.get(TrainingModule, module_id)
        if module is None:
            raise NotFound("Module introuvable.")
        return _module_public(session, module)


def _module_public(session, module: TrainingModule) -> ModulePublic:
    return _modules_public(session, [module])[0]


def _modules_public(session, modules) -> list[ModulePublic]:
    titles = dict(session.exec(select(TrainingModule.id, TrainingModule.title)).all())
    prerequisites = defaultdict(list)
    for mod, pre in session.exec(select(TrainingPrerequisite.module_id, TrainingPrerequisite.prerequisite_id)):
        prerequisites[mod].append(pre)
    result = []
    for m in modules:
        pre_ids = sorted(prerequisites[m.id], key=lambda i: titles.get(i, ""))
        result.append(
            ModulePublic(
                id=m.id,
                version=m.version,
                title=m.title,
                objectives=m.objectives,
                target_profiles=list(m.target_profiles),
                duration_min_hours=m.duration_min_hours,
                duration_max_hours=m.duration_max_hours,
                format=m.format,
                active=m.active,
                prerequisite_ids=pre_ids,
                prerequisite_titles=[titles[i] for i in pre_ids],
            )
        )
    return result


# --- yearly plan -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanCell:
    module_id: int
    module_title: str
    profile: str
    planned: int


def training_plan_get(*, actor: Actor, year: int) -> list[PlanCell]:
    """Any role: the network's training plan for a year (module × profile → professionals intended)."""
    require(actor, Action.TRAINING_CATALOGUE_READ)
    with session_scope(actor) as session:
        rows = session.exec(
            select(TrainingPlanLine.module_id, TrainingModule.title, TrainingPlanLine.profile, TrainingPlanLine.planned)
            .join(TrainingModule, TrainingModule.id == TrainingPlanLine.module_id)
            .where(TrainingPlanLine.year == year)
            .order_by(TrainingModule.title, TrainingPlanLine.profile)
        ).all()
    return [PlanCell(*row) for row in rows]


def training_plan_years(*, actor: Actor) -> list[int]:
    """Any role: the years that have a plan, newest first."""
    require(actor, Action.TRAINING_CATALOGUE_READ)
    with session_scope(actor) as session:
        return list(session.exec(select(TrainingPlanLine.year).distinct().order_by(TrainingPlanLine.year.desc())))


def training_plan_set(
    *,
    actor: Actor,
    year: int,
    changes: dict[tuple[int, str], int | None],
    seen: dict[tuple[int, str], int] | None = None,
) -> int:
    """Coordination only: set plan cells of a year (0 or None clears one); returns cells changed.

    `seen` holds the values the editor showed: a cell someone else changed meanwhile refuses the
    whole save (no lost update).
    """
    require(actor, Action.TRAINING_MANAGE)
    errors = []
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        errors.append(FieldError("Année", PLAN_YEAR_INVALID))
    for (_module_id, profile), value in changes.items():
        if profile not in TrainingProfile.labels():
            errors.append(FieldError("Profil", UNKNOWN_PROFILE.format(value=profile)))
        if value is not None and value < 0:
            errors.append(FieldError(f"Plan {TrainingProfile.label_of(profile)}", PLAN_NEGATIVE))
    with session_scope(actor) as session:
        titles = dict(session.exec(select(TrainingModule.id, TrainingModule.title)).all())
        if any(module_id not in titles for module_id, _ in changes):
            errors.append(FieldError("Module", UNKNOWN_MODULE))
        if errors:
            raise ValidationFailed(errors)
        lines = {
            (line.module_id, line.profile): line
            for line in session.exec(select(TrainingPlanLine).where(TrainingPlanLine.year == year))
        }
        if seen is not None:
            moved = [
                Change(
                    f"{titles[m]} — {TrainingProfile.label_of(p)}",
                    seen.get((m, p), 0),
                    lines[(m, p)].planned if (m, p) in lines else 0,
                )
                for (m, p) in changes
                if seen.get((m, p), 0) != (lines[(m, p)].planned if (m, p) in lines else 0)
            ]
            if moved:
                raise ConcurrentEdit(moved)
        written = 0
        for (module_id, profile), value in changes.items():
            line = lines.get((module_id, profile))
            value = int(value or 0)
            if line is None and value:
                session.add(TrainingPlanLine(year=year, module_id=module_id, profile=profile, planned=value))
            elif line is not None and not value:
                session.delete(line)
            elif line is not None and line.planned != value:
                line.planned, line.updated_at = value, utcnow()
                session.add(line)
            else:
                continue
            written += 1
        return written


def training_plan_copy(*, actor: Actor, from_year: int, to_year: int) -> int:
    """Coordination only: start a year's plan from another year's (only into an empty year)."""
    require(actor, Action.TRAINING_MANAGE)
    with session_scope(actor) as session:
        if session.exec(
            select(func.count()).select_from(TrainingPlanLine).where(TrainingPlanLine.year == to_year)
        ).one():
            raise ValidationFailed(FieldError("Année", f"le plan {to_year} n'est pas vide"))
        source = session.exec(select(TrainingPlanLine).where(TrainingPlanLine.year == from_year)).all()
        for line in source:
            session.add(
                TrainingPlanLine(year=to_year, module_id=line.module_id, profile=line.profile, planned=line.planned)
            )
        return len(source)


# --- sessions ----------------------------------------------------------------------------------


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
class SessionRow:
    id: int
    module_id: int
    module_title: str
    start_date: date
    end_date: date
    place: str
    hours: float
    status: str
    participants: int
    structures: int
    satisfaction: int | None
    trainer_organisation: str


@dataclass(frozen=True)
class SessionPage:
    rows: list[SessionRow]
    total: int


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
        row = session.get(TrainingSession, session_id)
        if row is None:
            raise NotFound("Session introuvable.")
        check_version(row, expected_version, seen=seen, labels=SESSION_LABELS)
        errors = session_errors(session, data, today=today or paris_today())
        if errors:
            raise ValidationFailed(errors)
        write_session(session, data, row)
        return _detail(session, row)


def training_session_delete(*, actor: Actor, session_id: int, expected_version: int) -> None:
    """Coordination only: remove a session recorded by mistake (its participants and attendance too)."""
    require(actor, Action.TRAINING_MANAGE)
    with session_scope(actor) as session:
        row = session.get(TrainingSession, session_id)
        if row is None:
            raise NotFound("Session introuvable.")
        check_version(row, expected_version)
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
            raise NotFound("Session introuvable.")
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


def _participants_total():
    return (
        select(func.coalesce(func.sum(TrainingParticipants.headcount), 0))
        .where(TrainingParticipants.session_id == TrainingSession.id)
        .correlate(TrainingSession)
        .scalar_subquery()
    )


def place_label(remote: bool, departement_code: str | None, departement_name: str | None) -> str:
    return "À distance" if remote else f"{departement_code} — {departement_name or ''}".strip(" —")


def training_session_list(
    *,
    actor: Actor,
    year: int | None = None,
    module_id: int | None = None,
    status: str | None = None,
    structure_id: int | None = None,
    pending_only: bool = False,
    limit: int = 50,
    offset: int = 0,
    today: date | None = None,
) -> SessionPage:
    """Coordination only: sessions, newest first, filtered and paged in SQL, with the total.

    `pending_only` keeps what still needs entering: past sessions not yet marked delivered, and
    delivered ones without an evaluation.
    """
    require(actor, Action.TRAINING_MANAGE)
    conditions = []
    if year is not None:
        conditions += [TrainingSession.start_date >= date(year, 1, 1), TrainingSession.start_date <= date(year, 12, 31)]
    if module_id is not None:
        conditions.append(TrainingSession.module_id == module_id)
    if status:
        conditions.append(TrainingSession.status == status)
    if structure_id is not None:
        conditions.append(
            exists().where(
                TrainingAttendance.session_id == TrainingSession.id, TrainingAttendance.structure_id == structure_id
            )
        )
    if pending_only:
        conditions.append(_pending_condition(today or paris_today()))
    structures = (
        select(func.count())
        .select_from(TrainingAttendance)
        .where(TrainingAttendance.session_id == TrainingSession.id)
        .correlate(TrainingSession)
        .scalar_subquery()
    )
    newest_first = (TrainingSession.start_date.desc(), TrainingSession.id.desc())
    # The page's ids first: the per-session sums then run for the page only, not for every match.
    page = select(TrainingSession.id).where(*conditions).order_by(*newest_first).limit(limit).offset(offset).subquery()
    with session_scope(actor) as session:
        total = session.exec(select(func.count()).select_from(TrainingSession).where(*conditions)).one()
        rows = session.exec(
            select(TrainingSession, TrainingModule.title, Departement.name, _participants_total(), structures)
            .join(page, page.c.id == TrainingSession.id)
            .join(TrainingModule, TrainingModule.id == TrainingSession.module_id)
            .join(Departement, Departement.code == TrainingSession.departement_code, isouter=True)
            .order_by(*newest_first)
        ).all()
    return SessionPage(
        total=total,
        rows=[
            SessionRow(
                id=s.id,
                module_id=s.module_id,
                module_title=title,
                start_date=s.start_date,
                end_date=s.end_date,
                place=place_label(s.remote, s.departement_code, dep_name),
                hours=s.hours,
                status=s.status,
                participants=int(count or 0),
                structures=int(n_structures or 0),
                satisfaction=s.satisfaction,
                trainer_organisation=s.trainer_organisation,
            )
            for s, title, dep_name, count, n_structures in rows
        ],
    )


def _pending_condition(today: date):
    overdue = (TrainingSession.status == SessionStatus.PLANNED.value) & (TrainingSession.end_date < today)
    unevaluated = (TrainingSession.status == SessionStatus.DELIVERED.value) & (TrainingSession.satisfaction.is_(None))
    return or_(overdue, unevaluated)


@dataclass(frozen=True)
class PendingCounts:
    overdue: int  # past sessions still planned: participants not entered
    unevaluated: int  # delivered sessions without a satisfaction score


def training_pending_counts(*, actor: Actor, today: date | None = None) -> PendingCounts:
    """Coordination only: what still needs entering about past sessions."""
    require(actor, Action.TRAINING_MANAGE)
    today = today or paris_today()
    with session_scope(actor) as session:
        overdue = session.exec(
            select(func.count())
            .select_from(TrainingSession)
            .where(TrainingSession.status == SessionStatus.PLANNED.value, TrainingSession.end_date < today)
        ).one()
        unevaluated = session.exec(
            select(func.count())
            .select_from(TrainingSession)
            .where(TrainingSession.status == SessionStatus.DELIVERED.value, TrainingSession.satisfaction.is_(None))
        ).one()
    return PendingCounts(overdue=overdue, unevaluated=unevaluated)


# --- a structure's team --------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamSession:
    """A session the structure's staff attended (or is registered for): nothing about other structures."""

    session_id: int
    module_id: int
    module_title: str
    start_date: date
    end_date: date
    place: str
    hours: float
    status: str
    trainer_organisation: str


@dataclass(frozen=True)
class TeamModule:
    module_id: int
    title: str
    objectives: str
    format: str
    duration_label: str
    target_profiles: list[str]
    prerequisite_titles: list[str]
    followed_sessions: int
    last_followed: date | None
    prerequisites_met: bool
    next_session_date: date | None
    next_session_place: str | None

    @property
    def missing(self) -> bool:
        return self.followed_sessions == 0


def _team_structure(actor: Actor, structure_id: int | None) -> int:
    require(actor, Action.TRAINING_SESSION_READ)
    structure_id = actor.structure_id if structure_id is None and actor.is_partner else structure_id
    require_structure(actor, structure_id)
    return structure_id


def training_team_history(*, actor: Actor, structure_id: int | None = None) -> list[TeamSession]:
    """Coordination, or partner staff for their own structure: the sessions its staff attended."""
    structure_id = _team_structure(actor, structure_id)
    with session_scope(actor) as session:
        rows = session.exec(
            select(TrainingSession, TrainingModule.title, Departement.name)
            .join(TrainingAttendance, TrainingAttendance.session_id == TrainingSession.id)
            .join(TrainingModule, TrainingModule.id == TrainingSession.module_id)
            .join(Departement, Departement.code == TrainingSession.departement_code, isouter=True)
            .where(TrainingAttendance.structure_id == structure_id)
            .order_by(TrainingSession.start_date.desc())
        ).all()
    return [
        TeamSession(
            session_id=s.id,
            module_id=s.module_id,
            module_title=title,
            start_date=s.start_date,
            end_date=s.end_date,
            place=place_label(s.remote, s.departement_code, dep),
            hours=s.hours,
            status=s.status,
            trainer_organisation=s.trainer_organisation,
        )
        for s, title, dep in rows
    ]


def training_team_modules(
    *, actor: Actor, structure_id: int | None = None, today: date | None = None
) -> list[TeamModule]:
    """Coordination, or partner staff for their own structure: each active module, followed or not.

    A module is followed once the structure's staff attended a delivered session of it. For a
    missing module the next planned session of the network (date, place) is given.
    """
    structure_id = _team_structure(actor, structure_id)
    today = today or paris_today()
    with session_scope(actor) as session:
        followed = {
            module_id: (count, last)
            for module_id, count, last in session.exec(
                select(TrainingSession.module_id, func.count(TrainingSession.id), func.max(TrainingSession.end_date))
                .join(TrainingAttendance, TrainingAttendance.session_id == TrainingSession.id)
                .where(
                    TrainingAttendance.structure_id == structure_id,
                    TrainingSession.status == SessionStatus.DELIVERED.value,
                )
                .group_by(TrainingSession.module_id)
            )
        }
        next_dates = (
            select(TrainingSession.module_id, func.min(TrainingSession.start_date).label("first"))
            .where(TrainingSession.status == SessionStatus.PLANNED.value, TrainingSession.start_date >= today)
            .group_by(TrainingSession.module_id)
            .subquery()
        )
        upcoming = {}
        for module_id, start, remote, dep_code, dep_name in session.exec(
            select(
                TrainingSession.module_id,
                TrainingSession.start_date,
                TrainingSession.remote,
                TrainingSession.departement_code,
                Departement.name,
            )
            .join(
                next_dates,
                (next_dates.c.module_id == TrainingSession.module_id)
                & (next_dates.c.first == TrainingSession.start_date),
            )
            .join(Departement, Departement.code == TrainingSession.departement_code, isouter=True)
            .where(TrainingSession.status == SessionStatus.PLANNED.value)
            .order_by(TrainingSession.id)
        ):
            upcoming.setdefault(module_id, (start, place_label(remote, dep_code, dep_name)))
        modules = _modules_public(
            session,
            session.exec(
                select(TrainingModule).where(TrainingModule.active == True).order_by(TrainingModule.title)
            ).all(),
        )
    result = []
    for m in modules:
        count, last = followed.get(m.id, (0, None))
        nxt = upcoming.get(m.id, (None, None))
        result.append(
            TeamModule(
                module_id=m.id,
                title=m.title,
                objectives=m.objectives,
                format=m.format,
                duration_label=m.duration_label,
                target_profiles=m.target_profiles,
                prerequisite_titles=m.prerequisite_titles,
                followed_sessions=count,
                last_followed=last,
                prerequisites_met=all(p in followed for p in m.prerequisite_ids),
                next_session_date=nxt[0],
                next_session_place=nxt[1],
            )
        )
    return result


def training_team_missing_count(*, actor: Actor, structure_id: int | None = None) -> int:
    """Coordination, or partner staff for their own structure: active modules its staff never followed."""
    structure_id = _team_structure(actor, structure_id)
    followed = (
        select(TrainingSession.module_id)
        .join(TrainingAttendance, TrainingAttendance.session_id == TrainingSession.id)
        .where(TrainingAttendance.structure_id == structure_id, TrainingSession.status == SessionStatus.DELIVERED.value)
    )
    with session_scope(actor) as session:
        return session.exec(
            select(func.count())
            .select_from(TrainingModule)
            .where(TrainingModule.active == True, TrainingModule.id.not_in(followed))
        ).one()
