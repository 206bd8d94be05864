"""Agreements with conseils départementaux (conventions).

A convention is IN FORCE on a date D when it is signed (or was, before being terminated), its
signature date is on or before D, and its end date is empty or on or after D (for a terminated
one the end date is the day it was terminated). A conseil départemental is ENGAGED on D when its
département has at least one convention in force on D. Two conventions of one département may
not be in force on the same day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import and_, func, or_, select

from core.access import Action, Actor, require
from core.clock import paris_today
from core.concurrency import set_changed, versioned_update
from core.db import session_scope
from core.errors import FieldError, NotFound, ValidationFailed
from core.formatting import fr_date
from models.base import code_list_contains
from models.convention import Convention, ConventionCreate, ConventionPublic, ConventionScope, ConventionStatus
from models.referential import Departement, Region
from services.directory.structure_rules import FUTURE_DATE, UNKNOWN_DEPARTEMENT

SIGNED_ON_REQUIRED = "date de signature obligatoire pour une convention signée ou dénoncée"
SIGNED_ON_DRAFT = "une convention en préparation n'a pas encore de date de signature"
ENDS_ON_REQUIRED = "date de fin obligatoire pour une convention dénoncée (jour de la dénonciation)"
ENDS_BEFORE_SIGNED = "la date de fin précède la date de signature"
SCOPE_REQUIRED = "indiquez au moins un objet de la convention"
UNKNOWN_STATUS = "statut inconnu"
UNKNOWN_SCOPE = "objet inconnu"
OVERLAP = "une autre convention de ce département est en vigueur sur une partie de cette période"
NOT_FOUND = "Convention introuvable."

LABELS = {
    "departement_code": "Département",
    "status": "Statut",
    "signed_on": "Date de signature",
    "ends_on": "Date de fin",
    "scope": "Objet",
    "notes": "Remarques",
}
_BINDING = (ConventionStatus.SIGNED.value, ConventionStatus.TERMINATED.value)


def in_force_condition(on: date):
    """SQL condition: the convention is in force on `on` (see the module's definition)."""
    return and_(
        Convention.status.in_(_BINDING),
        Convention.signed_on <= on,
        or_(Convention.ends_on.is_(None), Convention.ends_on >= on),
    )


def _is_in_force(c: Convention | ConventionCreate, on: date) -> bool:
    return (
        c.status in _BINDING
        and c.signed_on is not None
        and c.signed_on <= on
        and (c.ends_on is None or c.ends_on >= on)
    )


def _errors(session, data: ConventionCreate, *, except_id: int | None = None) -> list[FieldError]:
    today = paris_today()
    errors: list[FieldError] = []

    def fault(key: str, message: str) -> None:
        errors.append(FieldError(LABELS[key], message))

    if session.get(Departement, data.departement_code or "") is None:
        fault("departement_code", f"{UNKNOWN_DEPARTEMENT} « {data.departement_code or ''} »")
    if data.status not in ConventionStatus.labels():
        fault("status", UNKNOWN_STATUS)
    if data.status in _BINDING and data.signed_on is None:
        fault("signed_on", SIGNED_ON_REQUIRED)
    if data.status == ConventionStatus.DRAFT.value and data.signed_on is not None:
        fault("signed_on", SIGNED_ON_DRAFT)
    if data.signed_on and data.signed_on > today:
        fault("signed_on", FUTURE_DATE)
    if data.status == ConventionStatus.TERMINATED.value:
        if data.ends_on is None:
            fault("ends_on", ENDS_ON_REQUIRED)
        elif data.ends_on > today:
            fault("ends_on", FUTURE_DATE)
    if data.signed_on and data.ends_on and data.ends_on < data.signed_on:
        fault("ends_on", ENDS_BEFORE_SIGNED)
    if not data.scope:
        fault("scope", SCOPE_REQUIRED)
    elif unknown := [s for s in data.scope if s not in ConventionScope.labels()]:
        fault("scope", f"{UNKNOWN_SCOPE} : {', '.join(unknown)}")
    if data.notes and len(data.notes) > 1000:
        fault("notes", "1 000 caractères au plus")
    if not errors and data.status in _BINDING:
        far = date.max
        stmt = select(Convention.signed_on, Convention.ends_on).where(
            Convention.departement_code == data.departement_code,
            Convention.status.in_(_BINDING),
            Convention.signed_on <= (data.ends_on or far),
            or_(Convention.ends_on.is_(None), Convention.ends_on >= data.signed_on),
        )
        if except_id is not None:
            stmt = stmt.where(Convention.id != except_id)
        other = session.exec(stmt).first()
        if other is not None:
            until = f"au {fr_date(other[1])}" if other[1] else "sans date de fin"
            fault("signed_on", f"{OVERLAP} (du {fr_date(other[0])} {until})")
    return errors


def _public(convention: Convention, names: tuple[str, str], on: date) -> ConventionPublic:
    return ConventionPublic.model_validate(
        convention,
        from_attributes=True,
        update={"departement_name": names[0], "region_name": names[1], "in_force": _is_in_force(convention, on)},
    )


def _names(session, code: str) -> tuple[str, str]:
    row = session.exec(select(Departement.name, Region.name).join(Region).where(Departement.code == code)).first()
    return tuple(row) if row else ("", "")


def convention_create(*, actor: Actor, data: ConventionCreate) -> ConventionPublic:
    """Coordination only: record an agreement with a conseil départemental."""
    require(actor, Action.CONVENTION_MANAGE)
    with session_scope(actor) as session:
        errors = _errors(session, data)
        if errors:
            raise ValidationFailed(errors)
        values = data.model_dump()
        values["notes"] = (values.get("notes") or "").strip() or None
        convention = Convention(**values)
        session.add(convention)
        session.flush()
        return _public(convention, _names(session, convention.departement_code), paris_today())


def convention_update(
    *, actor: Actor, convention_id: int, expected_version: int | None, data: ConventionCreate
) -> ConventionPublic:
    """Coordination only: change an agreement (sign it, terminate it, correct its dates or scope)."""
    require(actor, Action.CONVENTION_MANAGE)
    with session_scope(actor) as session:
        values = data.model_dump()
        values["notes"] = (values.get("notes") or "").strip() or None
        convention = versioned_update(
            session,
            Convention,
            convention_id,
            expected_version=expected_version,
            not_found=NOT_FOUND,
            labels=LABELS,
            check=lambda _convention: _errors(session, data, except_id=convention_id),
            apply=lambda convention: set_changed(session, convention, values),
        )
        session.flush()
        return _public(convention, _names(session, convention.departement_code), paris_today())


def convention_get(*, actor: Actor, convention_id: int) -> ConventionPublic:
    """Coordination only: one agreement."""
    require(actor, Action.CONVENTION_READ)
    with session_scope(actor) as session:
        convention = session.get(Convention, convention_id)
        if convention is None:
            raise NotFound(NOT_FOUND)
        return _public(convention, _names(session, convention.departement_code), paris_today())


@dataclass(frozen=True)
class ConventionFilters:
    status: str | None = None
    region_code: str | None = None
    departement_code: str | None = None
    scope: str | None = None
    in_force_on: date | None = None


@dataclass(frozen=True)
class ConventionPage:
    rows: list[ConventionPublic]
    total: int


def convention_list(
    *, actor: Actor, filters: ConventionFilters | None = None, limit: int = 50, offset: int = 0
) -> ConventionPage:
    """Coordination only: agreements, filtered and paged in SQL, newest signature first."""
    require(actor, Action.CONVENTION_READ)
    filters = filters or ConventionFilters()
    conditions = []
    if filters.status:
        conditions.append(Convention.status == filters.status)
    if filters.region_code:
        conditions.append(Departement.region_code == filters.region_code)
    if filters.departement_code:
        conditions.append(Convention.departement_code == filters.departement_code)
    if filters.scope:
        conditions.append(code_list_contains(Convention.scope, filters.scope))
    if filters.in_force_on:
        conditions.append(in_force_condition(filters.in_force_on))
    base = (
        select(Convention, Departement.name, Region.name)
        .join(Departement, Departement.code == Convention.departement_code)
        .join(Region)
        .where(*conditions)
    )
    today = paris_today()
    with session_scope(actor) as session:
        total = session.exec(select(func.count()).select_from(base.subquery())).one()
        rows = session.exec(
            base.order_by(Convention.signed_on.desc().nulls_first(), Convention.departement_code, Convention.id)
            .limit(limit)
            .offset(offset)
        ).all()
        return ConventionPage(rows=[_public(c, (d, r), today) for c, d, r in rows], total=total)


def conventions_ending_soon(*, actor: Actor, within_days: int | None = None) -> list[ConventionPublic]:
    """Coordination only: conventions in force today whose end date falls within `within_days` (setting by default)."""
    require(actor, Action.CONVENTION_READ)
    if within_days is None:
        from services.admin.settings import setting_get

        within_days = int(setting_get(key="convention_warning_days"))
    today = paris_today()
    with session_scope(actor) as session:
        rows = session.exec(
            select(Convention, Departement.name, Region.name)
            .join(Departement, Departement.code == Convention.departement_code)
            .join(Region)
            .where(
                in_force_condition(today),
                Convention.ends_on.is_not(None),
                Convention.ends_on <= today + timedelta(days=within_days),
            )
            .order_by(Convention.ends_on)
        ).all()
        return [_public(c, (d, r), today) for c, d, r in rows]
