"""The network's yearly training plan: how many professionals of each profile each module should reach."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import func, select

from core.access import Action, Actor, require
from core.db import session_scope
from core.errors import Change, ConcurrentEdit, FieldError, ValidationFailed
from models.base import utcnow
from models.training import TrainingModule, TrainingPlanLine, TrainingProfile
from services.training.modules import UNKNOWN_MODULE, UNKNOWN_PROFILE

PLAN_NEGATIVE = "nombre négatif"
PLAN_YEAR_INVALID = "année invalide"


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
