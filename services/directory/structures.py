"""Partner structures: create, read one, edit, confirm the contact, and the network status history.

Network status over time: every status a structure takes is kept in `structure_status_changes`
with the day it took effect, so counts "at a date" (services.directory.coverage) read the status the
structure had then. A change of status cannot take effect in the future, so the status column and
the history agree on today's status. The list is in services.directory.structure_listing, the
export and the import in services.directory.structure_export and services.directory.structure_import.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import func, select

from core.access import Action, Actor, can, require, require_structure
from core.clock import paris_today
from core.concurrency import versioned_update
from core.db import session_scope
from core.errors import AccessDenied, FieldError, NotFound, ValidationFailed
from core.formatting import fr_date
from models.base import utcnow
from models.structure import (
    NetworkStatus,
    Structure,
    StructureCreate,
    StructurePublic,
    StructureStatusChange,
    StructureUpdate,
)
from services.directory.structure_rules import (
    CHANGE_BEFORE_LAST,
    EDITABLE_FIELDS,
    LABELS,
    NAME_TAKEN,
    NOT_FOUND,
    PARTNER_FIELDS,
    check_values,
    clean_values,
    fill_dates,
    initial_history,
    name_taken,
)

PARTNER_FIELDS_ONLY = (
    "Accès refusé : une structure partenaire ne peut modifier que son contact (téléphone, e-mail) et sa capacité."
)


def _public(structure: Structure) -> StructurePublic:
    return StructurePublic.model_validate(structure, from_attributes=True)


def insert_structure(session, values: dict, today: date) -> Structure:
    values = dict(values)
    if values["status"] == NetworkStatus.LEFT.value:
        values["status_changed_on"] = values.get("left_on")
    elif values["status"] != NetworkStatus.JOINING.value and values.get("status_changed_on") is None:
        values["status_changed_on"] = values.get("joined_on") or today
    structure = Structure(**{key: values.get(key) for key in StructureCreate.model_fields if key in values})
    session.add(structure)
    session.flush()
    for status, effective in initial_history(values, today):
        session.add(StructureStatusChange(structure_id=structure.id, status=status, effective_on=effective))
    return structure


def structure_create(*, actor: Actor, data: StructureCreate) -> StructurePublic:
    """Coordination only: add a structure to the directory (its status history starts with it)."""
    require(actor, Action.STRUCTURE_CREATE)
    today = paris_today()
    values = fill_dates(clean_values(data.model_dump()), today)
    errors = check_values(values, today=today)
    with session_scope(actor) as session:
        if values.get("name") and name_taken(session, values["name"]):
            errors.append(FieldError(LABELS["name"], NAME_TAKEN))
        if errors:
            raise ValidationFailed(errors)
        return _public(insert_structure(session, values, today))


def structure_get(*, actor: Actor, structure_id: int) -> StructurePublic:
    """Coordination and partner staff: one structure of the directory."""
    require(actor, Action.STRUCTURE_READ)
    with session_scope(actor) as session:
        structure = session.get(Structure, structure_id)
        if structure is None:
            raise NotFound(NOT_FOUND)
        return _public(structure)


def structure_options(*, actor: Actor) -> list[tuple[int, str]]:
    """Coordination and partner staff: (id, name) of every structure, for pick lists."""
    require(actor, Action.STRUCTURE_READ)
    with session_scope(actor) as session:
        return [tuple(row) for row in session.exec(select(Structure.id, Structure.name).order_by(Structure.name))]


@dataclass
class UpdatePlan:
    structure: Structure
    values: dict
    effective: date | None
    errors: list[FieldError]


def plan_update(
    session, structure: Structure, changes: dict, today: date, *, row: int | None = None, skip: set[str] = frozenset()
) -> UpdatePlan:
    """Merge `changes` into the structure's current values and check the whole result (nothing applied)."""
    values = {key: getattr(structure, key) for key in EDITABLE_FIELDS}
    old_status = values["status"]
    values.update(changes)
    values = clean_values(values)
    new_status = values["status"]
    errors: list[FieldError] = []
    effective = None
    if new_status != old_status and new_status in NetworkStatus.labels():
        effective = (
            changes.get("status_changed_on")
            or (values.get("left_on") if new_status == NetworkStatus.LEFT.value else None)
            or today
        )
        if new_status == NetworkStatus.ACTIVE.value and values.get("joined_on") is None:
            values["joined_on"] = effective
        if new_status == NetworkStatus.LEFT.value and values.get("left_on") is None:
            values["left_on"] = effective
        if old_status == NetworkStatus.LEFT.value:
            values["left_on"] = None
        values["status_changed_on"] = effective
        last = session.exec(
            select(func.max(StructureStatusChange.effective_on)).where(
                StructureStatusChange.structure_id == structure.id
            )
        ).one()
        if last is not None and effective < last:
            errors.append(FieldError(LABELS["status_changed_on"], f"{CHANGE_BEFORE_LAST} ({fr_date(last)})", row=row))
    skipped = {LABELS[k] for k in skip}
    errors += [e for e in check_values(values, row=row, today=today) if e.field not in skipped]
    if values.get("name") and name_taken(session, values["name"], except_id=structure.id):
        errors.append(FieldError(LABELS["name"], NAME_TAKEN, row=row))
    return UpdatePlan(structure, values, effective, errors)


def write_update(session, actor: Actor, plan: UpdatePlan, today: date) -> None:
    structure = plan.structure
    for key in EDITABLE_FIELDS:
        if getattr(structure, key) != plan.values[key]:
            setattr(structure, key, plan.values[key])
    if plan.effective is not None:
        session.add(
            StructureStatusChange(structure_id=structure.id, status=plan.values["status"], effective_on=plan.effective)
        )
    if actor.is_partner:
        structure.contact_checked_on = today
    if session.is_modified(structure):
        structure.updated_at = utcnow()
    session.add(structure)


def structure_update(
    *, actor: Actor, structure_id: int, expected_version: int | None, changes: StructureUpdate, seen: dict | None = None
) -> StructurePublic:
    """Coordination: any field of any structure. Partner staff: contact and capacity of their own structure only.

    Only the fields set in `changes` are changed; a partner setting any other field is refused.
    """
    require(actor, Action.STRUCTURE_EDIT_OWN)
    require_structure(actor, structure_id)
    changed = changes.model_dump(exclude_unset=True)
    if not can(actor, Action.STRUCTURE_EDIT_ALL) and set(changed) - PARTNER_FIELDS:
        raise AccessDenied(PARTNER_FIELDS_ONLY)
    today = paris_today()
    with session_scope(actor) as session:
        plans: list[UpdatePlan] = []

        def check(structure: Structure) -> list[FieldError]:
            plans.append(plan_update(session, structure, changed, today))
            return plans[0].errors

        structure = versioned_update(
            session,
            Structure,
            structure_id,
            expected_version=expected_version,
            not_found=NOT_FOUND,
            seen=seen,
            labels=LABELS,
            check=check,
            apply=lambda _structure: write_update(session, actor, plans[0], today),
        )
        session.flush()
        return _public(structure)


def structure_confirm_contact(*, actor: Actor, structure_id: int) -> StructurePublic:
    """Partner staff of the structure (or coordination): confirm its contact and capacity are up to date."""
    require(actor, Action.STRUCTURE_EDIT_OWN)
    require_structure(actor, structure_id)
    with session_scope(actor) as session:
        structure = session.get(Structure, structure_id)
        if structure is None:
            raise NotFound(NOT_FOUND)
        structure.contact_checked_on = paris_today()
        session.add(structure)
        session.flush()
        return _public(structure)


@dataclass(frozen=True)
class StatusStep:
    status: str
    effective_on: date


def structure_status_history(*, actor: Actor, structure_id: int) -> list[StatusStep]:
    """Coordination and partner staff: the network statuses a structure went through, oldest first."""
    require(actor, Action.STRUCTURE_READ)
    with session_scope(actor) as session:
        rows = session.exec(
            select(StructureStatusChange.status, StructureStatusChange.effective_on)
            .where(StructureStatusChange.structure_id == structure_id)
            .order_by(StructureStatusChange.effective_on, StructureStatusChange.id)
        ).all()
    return [StatusStep(status, effective_on) for status, effective_on in rows]


def structure_contact_to_check(*, actor: Actor, months: int) -> bool:
    """Partner staff: True when their structure's contact and capacity were never confirmed, or not for `months`."""
    if not actor.is_partner or actor.structure_id is None:
        return False
    with session_scope(actor) as session:
        checked = session.exec(select(Structure.contact_checked_on).where(Structure.id == actor.structure_id)).first()
    from services.directory.standards import months_before

    return checked is None or checked < months_before(paris_today(), months)
