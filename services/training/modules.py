"""The training catalogue: modules, their durations, formats, target profiles and prerequisites.

The coordination manages the catalogue; every role reads it (the strategy is not confidential).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from pydantic import BaseModel
from sqlmodel import select

from core.access import Action, Actor, require
from core.concurrency import versioned_update
from core.db import session_scope
from core.errors import FieldError, NotFound, ValidationFailed
from models.base import utcnow
from models.training import TrainingFormat, TrainingModule, TrainingPrerequisite, TrainingProfile

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
MODULE_NOT_FOUND = "Module introuvable."
TEXT_TOO_LONG = "{limit} caractères au plus"

MAX_MODULE_HOURS = 200


def fr_hours(value: float) -> str:
    """>>> fr_hours(3.5), fr_hours(7.0)
    ('3,5', '7')
    """
    return f"{value:g}".replace(".", ",")


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
        module = versioned_update(
            session,
            TrainingModule,
            module_id,
            expected_version=expected_version,
            not_found=MODULE_NOT_FOUND,
            seen=seen,
            labels=MODULE_LABELS,
            check=lambda _module: _module_errors(session, data, module_id),
            apply=lambda module: _write_module(session, module, data),
        )
        session.flush()
        return _module_public(session, module)


def _write_module(session, module: TrainingModule, data: ModuleData) -> None:
    for key, value in _module_values(data).items():
        setattr(module, key, value)
    module.updated_at = utcnow()
    current = set(
        session.exec(
            select(TrainingPrerequisite.prerequisite_id).where(TrainingPrerequisite.module_id == module.id)
        ).all()
    )
    wanted = set(data.prerequisite_ids)
    for pre in current - wanted:
        session.delete(session.get(TrainingPrerequisite, (module.id, pre)))
    for pre in sorted(wanted - current):
        session.add(TrainingPrerequisite(module_id=module.id, prerequisite_id=pre))


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
        return modules_public(session, modules)


def training_module_get(*, actor: Actor, module_id: int) -> ModulePublic:
    """Any role: one module of the catalogue."""
    require(actor, Action.TRAINING_CATALOGUE_READ)
    with session_scope(actor) as session:
        module = session.get(TrainingModule, module_id)
        if module is None:
            raise NotFound(MODULE_NOT_FOUND)
        return _module_public(session, module)


def _module_public(session, module: TrainingModule) -> ModulePublic:
    return modules_public(session, [module])[0]


def modules_public(session, modules) -> list[ModulePublic]:
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
