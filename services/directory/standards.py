"""The référentiel: criteria the coordination sets, and each structure's assessment against them.

A structure's compliance counts its latest assessment of each ACTIVE criterion (met, partly met,
not met, or not assessed yet). An assessment is stale when it is older than the setting
`standard_stale_months` (12 months by default): the directory and the home page flag it.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel
from sqlmodel import case, func, select

from core.access import Action, Actor, require, require_structure, scope_structure
from core.clock import paris_today
from core.concurrency import check_version, set_changed, versioned_update
from core.db import session_scope
from core.errors import FUTURE_DATE, FieldError, NotFound, ValidationFailed
from models.base import utcnow
from models.standard import (
    AssessmentLevel,
    CriterionCategory,
    CriterionCreate,
    CriterionPublic,
    StandardAssessment,
    StandardCriterion,
)
from models.structure import STRUCTURE_NOT_FOUND, NetworkStatus, Structure

LABEL_REQUIRED = "l'intitulé est obligatoire"
LABEL_TAKEN = "un critère porte déjà cet intitulé"
UNKNOWN_CATEGORY = "catégorie inconnue"
UNKNOWN_LEVEL = "niveau inconnu"
UNKNOWN_CRITERION = "critère inconnu"
DATE_REQUIRED = "date d'évaluation obligatoire"
COMMENT_TOO_LONG = "500 caractères au plus"
CRITERION_NOT_FOUND = "Critère introuvable."

CRITERION_LABELS = {
    "label": "Intitulé",
    "description": "Description",
    "category": "Catégorie",
    "position": "Ordre",
    "active": "Actif",
}


def months_before(day: date, months: int) -> date:
    """The same day `months` months earlier (clamped to the month's end).

    >>> months_before(date(2025, 3, 31), 1)
    datetime.date(2025, 2, 28)
    """
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def stale_before(today: date | None = None) -> date:
    """Assessments dated before this day are stale."""
    from services.admin.settings import setting_get

    return months_before(today or paris_today(), int(setting_get(key="standard_stale_months")))


# --------------------------------------------------------------------------------------------
# Criteria
# --------------------------------------------------------------------------------------------


def _criterion_errors(session, data: CriterionCreate, *, except_id: int | None = None) -> list[FieldError]:
    errors = []
    label = " ".join((data.label or "").split())
    if not label:
        errors.append(FieldError(CRITERION_LABELS["label"], LABEL_REQUIRED))
    elif len(label) > 160:
        errors.append(FieldError(CRITERION_LABELS["label"], "160 caractères au plus"))
    else:
        stmt = select(StandardCriterion.id).where(func.lower(StandardCriterion.label) == label.lower())
        if except_id is not None:
            stmt = stmt.where(StandardCriterion.id != except_id)
        if session.exec(stmt).first():
            errors.append(FieldError(CRITERION_LABELS["label"], LABEL_TAKEN))
    if data.category not in CriterionCategory.labels():
        errors.append(FieldError(CRITERION_LABELS["category"], UNKNOWN_CATEGORY))
    if data.description and len(data.description) > 1000:
        errors.append(FieldError(CRITERION_LABELS["description"], "1 000 caractères au plus"))
    return errors


def criterion_create(*, actor: Actor, data: CriterionCreate) -> CriterionPublic:
    """Coordination only: add a criterion to the référentiel."""
    require(actor, Action.STANDARD_MANAGE)
    with session_scope(actor) as session:
        errors = _criterion_errors(session, data)
        if errors:
            raise ValidationFailed(errors)
        values = data.model_dump()
        values["label"] = " ".join(values["label"].split())
        if not values.get("position"):
            values["position"] = (session.exec(select(func.max(StandardCriterion.position))).one() or 0) + 1
        criterion = StandardCriterion(**values)
        session.add(criterion)
        session.flush()
        return CriterionPublic.model_validate(criterion, from_attributes=True)


def criterion_update(
    *, actor: Actor, criterion_id: int, expected_version: int | None, data: CriterionCreate
) -> CriterionPublic:
    """Coordination only: change a criterion (retire it with `active=False`; its assessments stay)."""
    require(actor, Action.STANDARD_MANAGE)
    with session_scope(actor) as session:
        values = data.model_dump()
        values["label"] = " ".join(values["label"].split())
        criterion = versioned_update(
            session,
            StandardCriterion,
            criterion_id,
            expected_version=expected_version,
            not_found=CRITERION_NOT_FOUND,
            labels=CRITERION_LABELS,
            check=lambda _criterion: _criterion_errors(session, data, except_id=criterion_id),
            apply=lambda criterion: set_changed(session, criterion, values),
        )
        session.flush()
        return CriterionPublic.model_validate(criterion, from_attributes=True)


def criterion_list(*, actor: Actor, include_inactive: bool = False) -> list[CriterionPublic]:
    """Coordination and partner staff: the criteria of the référentiel, in their order."""
    require(actor, Action.STANDARD_READ)
    with session_scope(actor) as session:
        stmt = select(StandardCriterion).order_by(StandardCriterion.position, StandardCriterion.id)
        if not include_inactive:
            stmt = stmt.where(StandardCriterion.active.is_(True))
        return [CriterionPublic.model_validate(c, from_attributes=True) for c in session.exec(stmt)]


# --------------------------------------------------------------------------------------------
# Assessments
# --------------------------------------------------------------------------------------------


class AssessmentInput(BaseModel):
    criterion_id: int
    level: str
    assessed_on: date | None
    comment: str | None = None
    expected_version: int | None = None


@dataclass(frozen=True)
class AssessmentRow:
    criterion_id: int
    criterion_label: str
    category: str
    level: str | None
    assessed_on: date | None
    comment: str | None
    version: int | None
    stale: bool


def assessment_grid(*, actor: Actor, structure_id: int) -> list[AssessmentRow]:
    """Coordination: any structure; partner staff: their own. Each active criterion with its latest assessment."""
    require(actor, Action.STANDARD_READ)
    require_structure(actor, structure_id)
    limit = stale_before()
    with session_scope(actor) as session:
        rows = session.exec(
            select(StandardCriterion, StandardAssessment)
            .outerjoin(
                StandardAssessment,
                (StandardAssessment.criterion_id == StandardCriterion.id)
                & (StandardAssessment.structure_id == structure_id),
            )
            .where(StandardCriterion.active.is_(True))
            .order_by(StandardCriterion.position, StandardCriterion.id)
        ).all()
    return [
        AssessmentRow(
            c.id,
            c.label,
            c.category,
            a.level if a else None,
            a.assessed_on if a else None,
            a.comment if a else None,
            a.version if a else None,
            bool(a and a.assessed_on < limit),
        )
        for c, a in rows
    ]


def assessments_save(*, actor: Actor, structure_id: int, items: list[AssessmentInput]) -> int:
    """Coordination only: record a structure's assessments (all or none); returns how many changed.

    Errors name the criterion's position in `items` as their line (1 = first).
    """
    require(actor, Action.STANDARD_MANAGE)
    today = paris_today()
    with session_scope(actor) as session:
        if session.get(Structure, structure_id) is None:
            raise NotFound(STRUCTURE_NOT_FOUND)
        criteria = {c.id: c for c in session.exec(select(StandardCriterion))}
        existing = {
            a.criterion_id: a
            for a in session.exec(select(StandardAssessment).where(StandardAssessment.structure_id == structure_id))
        }
        errors: list[FieldError] = []
        for line, item in enumerate(items, start=1):
            label = criteria[item.criterion_id].label if item.criterion_id in criteria else str(item.criterion_id)
            if item.criterion_id not in criteria:
                errors.append(FieldError("Critère", UNKNOWN_CRITERION, row=line))
            if item.level not in AssessmentLevel.labels():
                errors.append(FieldError(f"{label} — niveau", UNKNOWN_LEVEL, row=line))
            if item.assessed_on is None:
                errors.append(FieldError(f"{label} — date", DATE_REQUIRED, row=line))
            elif item.assessed_on > today:
                errors.append(FieldError(f"{label} — date", FUTURE_DATE, row=line))
            if item.comment and len(item.comment) > 500:
                errors.append(FieldError(f"{label} — commentaire", COMMENT_TOO_LONG, row=line))
            current = existing.get(item.criterion_id)
            if current is not None:
                check_version(current, item.expected_version)
        if errors:
            raise ValidationFailed(errors)
        changed = 0
        for item in items:
            comment = (item.comment or "").strip() or None
            current = existing.get(item.criterion_id)
            if current is None:
                current = StandardAssessment(
                    structure_id=structure_id,
                    criterion_id=item.criterion_id,
                    level=item.level,
                    assessed_on=item.assessed_on,
                    comment=comment,
                )
            elif (current.level, current.assessed_on, current.comment) == (item.level, item.assessed_on, comment):
                continue
            else:
                current.level, current.assessed_on, current.comment = item.level, item.assessed_on, comment
                current.updated_at = utcnow()
            session.add(current)
            changed += 1
        session.flush()
        return changed


# --------------------------------------------------------------------------------------------
# Compliance
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Compliance:
    criteria: int
    met: int
    partly: int
    not_met: int
    oldest: date | None
    stale: int

    @property
    def assessed(self) -> int:
        return self.met + self.partly + self.not_met

    @property
    def missing(self) -> int:
        return self.criteria - self.assessed

    @property
    def rate(self) -> float | None:
        """Share of active criteria met (a partly met one counts half); None before any assessment."""
        if not self.criteria or not self.assessed:
            return None
        return (self.met + 0.5 * self.partly) / self.criteria


def _compliance_statement(limit: date):
    level = StandardAssessment.level
    return (
        select(
            StandardAssessment.structure_id,
            func.sum(case((level == AssessmentLevel.MET.value, 1), else_=0)).label("met"),
            func.sum(case((level == AssessmentLevel.PARTLY.value, 1), else_=0)).label("partly"),
            func.sum(case((level == AssessmentLevel.NOT_MET.value, 1), else_=0)).label("not_met"),
            func.min(StandardAssessment.assessed_on).label("oldest"),
            func.sum(case((StandardAssessment.assessed_on < limit, 1), else_=0)).label("stale"),
        )
        .join(StandardCriterion, StandardCriterion.id == StandardAssessment.criterion_id)
        .where(StandardCriterion.active.is_(True))
        .group_by(StandardAssessment.structure_id)
    )


def _active_criteria(session) -> int:
    return session.exec(select(func.count(StandardCriterion.id)).where(StandardCriterion.active.is_(True))).one()


def compliance_for(*, actor: Actor, structure_ids: list[int]) -> dict[int, Compliance]:
    """Coordination: any structures; partner staff: their own only. Compliance by structure id."""
    require(actor, Action.STANDARD_READ)
    with session_scope(actor) as session:
        total = _active_criteria(session)
        stmt = _compliance_statement(stale_before()).where(StandardAssessment.structure_id.in_(structure_ids))
        rows = {row[0]: row for row in session.exec(scope_structure(stmt, actor, StandardAssessment.structure_id))}
    empty = (None, 0, 0, 0, None, 0)
    return {
        sid: Compliance(total, int(r[1] or 0), int(r[2] or 0), int(r[3] or 0), r[4], int(r[5] or 0))
        for sid in structure_ids
        if actor.is_coordination or sid == actor.structure_id
        for r in [rows.get(sid, empty)]
    }


@dataclass(frozen=True)
class ComplianceRow:
    structure_id: int
    name: str
    status: str
    departement_code: str
    compliance: Compliance


@dataclass(frozen=True)
class CompliancePage:
    rows: list[ComplianceRow]
    total: int


def compliance_list(
    *, actor: Actor, stale_only: bool = False, never_assessed_only: bool = False, limit: int = 50, offset: int = 0
) -> CompliancePage:
    """Coordination only: compliance of the structures still in the network (not left), paged in SQL."""
    require(actor, Action.STANDARD_MANAGE)
    stale_limit = stale_before()
    summary = _compliance_statement(stale_limit).subquery()
    stmt = (
        select(
            Structure.id,
            Structure.name,
            Structure.status,
            Structure.departement_code,
            summary.c.met,
            summary.c.partly,
            summary.c.not_met,
            summary.c.oldest,
            summary.c.stale,
        )
        .outerjoin(summary, summary.c.structure_id == Structure.id)
        .where(Structure.status != NetworkStatus.LEFT.value)
    )
    if stale_only:
        stmt = stmt.where(summary.c.stale > 0)
    if never_assessed_only:
        stmt = stmt.where(summary.c.structure_id.is_(None))
    with session_scope(actor) as session:
        criteria = _active_criteria(session)
        total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
        rows = session.exec(stmt.order_by(Structure.name).limit(limit).offset(offset)).all()
    return CompliancePage(
        rows=[
            ComplianceRow(
                r[0],
                r[1],
                r[2],
                r[3],
                Compliance(criteria, int(r[4] or 0), int(r[5] or 0), int(r[6] or 0), r[7], int(r[8] or 0)),
            )
            for r in rows
        ],
        total=total,
    )


def compliance_followup_counts(*, actor: Actor) -> tuple[int, int]:
    """Coordination only: structures still in the network with an assessment older than the limit, and
    those never assessed, from one query."""
    require(actor, Action.STANDARD_MANAGE)
    summary = _compliance_statement(stale_before()).subquery()
    stmt = (
        select(
            func.coalesce(func.sum(case((summary.c.stale > 0, 1), else_=0)), 0),
            func.coalesce(func.sum(case((summary.c.structure_id.is_(None), 1), else_=0)), 0),
        )
        .select_from(Structure)
        .outerjoin(summary, summary.c.structure_id == Structure.id)
        .where(Structure.status != NetworkStatus.LEFT.value)
    )
    with session_scope(actor) as session:
        stale, never = session.exec(stmt).one()
    return int(stale), int(never)


def stale_structure_count(*, actor: Actor) -> int:
    """Coordination only: structures still in the network with at least one assessment older than the limit."""
    return compliance_followup_counts(actor=actor)[0]


def never_assessed_count(*, actor: Actor) -> int:
    """Coordination only: structures still in the network that were never assessed."""
    return compliance_followup_counts(actor=actor)[1]
