"""Requests (sollicitations): a service that found a child asks the coordination to take the child in.

The child gets a pseudonymous code the system generates ("ANC-2025-7KQ3M"); the request records who
asks, the forms and département of exploitation and a short risk assessment. Its status follows the
orientation: new → orientation in progress → oriented → placed, or closed without placement.
Creation, closing, the board and the status refresh are here; one request's full detail (proposals,
placement, history) is in services/path/request_detail.py, the exports in services/path/request_export.py.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from pydantic import BaseModel
from sqlmodel import func, select

from core.access import Action, Actor, can, require
from core.clock import paris_date
from core.concurrency import check_version
from core.db import session_scope
from core.errors import FieldError, NotFound, ValidationFailed
from core.formatting import PARIS
from models.base import utcnow
from models.child import (
    Child,
    ChildRequest,
    ClosureReason,
    NationalityGroup,
    OrientationProposal,
    Placement,
    ProposalStatus,
    RequesterKind,
    RequestStatus,
    RiskFlag,
)
from models.referential import Departement
from models.structure import ExploitationForm, Sex, Structure
from services.path.child_access import CONTEXT_REQUEST, child_access_record
from services.path.request_detail import RequestDetail, _detail, hours_since

CODE_PREFIX = "ANC"
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
CODE_LENGTH = 5
OPEN_STATUSES = (RequestStatus.NEW.value, RequestStatus.IN_PROGRESS.value, RequestStatus.ORIENTED.value)
STATUS_ORDER = [s.value for s in RequestStatus]
FUTURE_TOLERANCE = timedelta(minutes=5)

AGE_ADULT = (
    "l'enfant doit avoir moins de 18 ans : une personne majeure ne relève pas du réseau "
    "(orientez-la vers les dispositifs pour adultes)"
)
AGE_INVALID = "indiquez l'âge en années (de 0 à 17 ans)"
SEX_INVALID = "choisissez fille, garçon ou autre / non précisé"
NATIONALITY_INVALID = "groupe de nationalité inconnu"
FORMS_REQUIRED = "choisissez au moins une forme d'exploitation"
FORM_INVALID = "forme d'exploitation inconnue"
RISK_INVALID = "critère de risque inconnu"
REQUESTER_INVALID = "choisissez le type de demandeur"
DEPARTEMENT_INVALID = "département inconnu"
RECEIVED_FUTURE = "la date de réception ne peut pas être dans le futur"
CHILD_CODE_UNKNOWN = "aucun enfant ne porte ce code"
CHILD_SEX_MISMATCH = "le sexe ne correspond pas à l'enfant déjà connu sous ce code"
CHILD_AGE_DECREASE = "l'âge ne peut pas être inférieur à celui d'une sollicitation précédente"
CHILD_ALREADY_OPEN = "une sollicitation est déjà ouverte pour cet enfant"
CLOSE_REASON_REQUIRED = "choisissez le motif de clôture"
DETAIL_REQUIRED = "précisez le motif"
CLOSE_PLACED = "un enfant déjà arrivé dans une structure : enregistrez sa sortie, pas une clôture"
CLOSE_ALREADY = "cette sollicitation est déjà close"
CLOSED_BEFORE_REQUEST = "la clôture ne peut pas précéder la réception de la sollicitation"
REQUEST_NOT_FOUND = "Sollicitation introuvable."


class RequestCreate(BaseModel):
    """What the coordination types when a service calls about a child (never a name, never a birth date)."""

    received_at: datetime | None = None
    child_age: int | None = None
    sex: str | None = None
    nationality_group: str | None = None
    requester_kind: str | None = None
    requester_departement_code: str | None = None
    exploitation_forms: list[str] = []
    exploitation_departement_code: str | None = None
    risk_flags: list[str] = []
    existing_child_code: str | None = None


@dataclass(frozen=True)
class RequestRow:
    id: int
    version: int
    code: str
    status: str
    received_at: datetime
    age_hours: int
    child_age: int
    sex: str
    exploitation_forms: list[str]
    exploitation_departement_code: str
    requester_kind: str
    risk_flags: list[str]
    structure_name: str | None


@dataclass(frozen=True)
class RequestBoard:
    rows: list[RequestRow]
    total: int
    counts: dict[str, int]
    oldest_open_hours: dict[str, int]


def _new_code(session, year: int, rng: random.Random | None) -> str:
    for _ in range(20):
        suffix = "".join((rng or secrets.SystemRandom()).choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        code = f"{CODE_PREFIX}-{year}-{suffix}"
        if session.exec(select(Child.id).where(Child.code == code)).first() is None:
            return code
    raise RuntimeError("could not draw a free child code")


def _validate(session, data: RequestCreate) -> tuple[list[FieldError], Child | None]:
    errors: list[FieldError] = []
    if data.child_age is None or not isinstance(data.child_age, int) or data.child_age < 0:
        errors.append(FieldError("Âge", AGE_INVALID))
    elif data.child_age >= 18:
        errors.append(FieldError("Âge", AGE_ADULT))
    if data.sex not in Sex.labels():
        errors.append(FieldError("Sexe", SEX_INVALID))
    if data.nationality_group is not None and data.nationality_group not in NationalityGroup.labels():
        errors.append(FieldError("Nationalité", NATIONALITY_INVALID))
    if data.requester_kind not in RequesterKind.labels():
        errors.append(FieldError("Demandeur", REQUESTER_INVALID))
    if not data.requester_departement_code or session.get(Departement, data.requester_departement_code) is None:
        errors.append(FieldError("Département du demandeur", DEPARTEMENT_INVALID))
    if not data.exploitation_forms:
        errors.append(FieldError("Formes d'exploitation", FORMS_REQUIRED))
    elif any(f not in ExploitationForm.labels() for f in data.exploitation_forms):
        errors.append(FieldError("Formes d'exploitation", FORM_INVALID))
    if not data.exploitation_departement_code or session.get(Departement, data.exploitation_departement_code) is None:
        errors.append(FieldError("Département d'exploitation", DEPARTEMENT_INVALID))
    if any(f not in RiskFlag.labels() for f in data.risk_flags):
        errors.append(FieldError("Évaluation du risque", RISK_INVALID))
    if data.received_at is not None and data.received_at > utcnow() + FUTURE_TOLERANCE:
        errors.append(FieldError("Reçue le", RECEIVED_FUTURE))
    child = None
    if data.existing_child_code:
        child = session.exec(select(Child).where(Child.code == data.existing_child_code.strip().upper())).first()
        if child is None:
            errors.append(FieldError("Code de l'enfant", CHILD_CODE_UNKNOWN))
        else:
            if data.sex in Sex.labels() and child.sex != data.sex:
                errors.append(FieldError("Sexe", CHILD_SEX_MISMATCH))
            if isinstance(data.child_age, int) and data.child_age < child.age:
                errors.append(FieldError("Âge", CHILD_AGE_DECREASE))
            still_open = session.exec(
                select(ChildRequest.id).where(ChildRequest.child_id == child.id, ChildRequest.status.in_(OPEN_STATUSES))
            ).first()
            if still_open is not None:
                errors.append(FieldError("Code de l'enfant", CHILD_ALREADY_OPEN))
    return errors, child


def request_create(*, actor: Actor, data: RequestCreate, code_rng: random.Random | None = None) -> RequestDetail:
    """Coordination only: record a request and give the child a new pseudonymous code (or reuse a known one).

    A referrer account may record a new child's request too (services/referrers), never reuse a code."""
    if not (can(actor, Action.REFERRER_SEND) and data.existing_child_code is None):
        require(actor, Action.PATH_REQUEST_MANAGE)
    with session_scope(actor) as session:
        errors, child = _validate(session, data)
        if errors:
            raise ValidationFailed(errors)
        received_at = (data.received_at or utcnow()).astimezone(PARIS)
        if child is None:
            child = Child(
                code=_new_code(session, received_at.year, code_rng),
                age=data.child_age,
                sex=data.sex,
                nationality_group=data.nationality_group,
            )
            session.add(child)
            session.flush()
        else:
            child.age = data.child_age
            child.nationality_group = data.nationality_group or child.nationality_group
            session.add(child)
        request = ChildRequest(
            child_id=child.id,
            received_at=received_at,
            received_on=received_at.date(),
            child_age=data.child_age,
            requester_kind=data.requester_kind,
            requester_departement_code=data.requester_departement_code,
            exploitation_forms=sorted(set(data.exploitation_forms)),
            exploitation_departement_code=data.exploitation_departement_code,
            risk_flags=sorted(set(data.risk_flags)),
            status=RequestStatus.NEW.value,
            created_by=actor.username,
        )
        session.add(request)
        session.flush()
        return _detail(session, request)


def request_board(
    *,
    actor: Actor,
    statuses: list[str] | None = None,
    code: str | None = None,
    limit: int = 50,
    offset: int = 0,
    with_counts: bool = True,
) -> RequestBoard:
    """Coordination only: requests by status (open ones oldest first), paged, with counts per status (limit=0: counts only).

    with_counts=False leaves the counts per status and the oldest open ages empty, for a page that already
    has them: the total of the selection is then counted on its own (the status index answers it)."""
    require(actor, Action.PATH_REQUEST_MANAGE)
    conditions = []
    if statuses:
        conditions.append(ChildRequest.status.in_(statuses))
    if code:
        conditions.append(Child.code.contains(code.strip().upper(), autoescape=True))
    status_rank = sa.case({s: i for i, s in enumerate(STATUS_ORDER)}, value=ChildRequest.status)
    is_open = ChildRequest.status.in_(OPEN_STATUSES)
    with session_scope(actor) as session:
        counts, oldest = {}, {}
        if with_counts:
            counts = dict(session.exec(select(ChildRequest.status, func.count()).group_by(ChildRequest.status)).all())
            oldest = dict(
                session.exec(
                    select(ChildRequest.status, func.min(ChildRequest.received_at))
                    .where(is_open)
                    .group_by(ChildRequest.status)
                ).all()
            )
        if with_counts and not code:
            # Every request has its child (NOT NULL foreign key): the per-status counts give the total.
            total = sum(n for s, n in counts.items() if not statuses or s in statuses)
        else:
            selection = select(func.count()).select_from(ChildRequest)
            if code:
                selection = selection.join(Child, Child.id == ChildRequest.child_id)
            total = session.exec(selection.where(*conditions)).one()
        rows = []
        if limit > 0:
            rows = session.exec(
                select(ChildRequest, Child.code, Child.sex)
                .join(Child, Child.id == ChildRequest.child_id)
                .where(*conditions)
                .order_by(
                    status_rank,
                    sa.case((is_open, ChildRequest.received_at), else_=None).asc(),
                    ChildRequest.received_at.desc(),
                    ChildRequest.id,
                )
                .limit(limit)
                .offset(offset)
            ).all()
        # The accepted proposal's structure, for this page's requests only.
        structure_names = (
            dict(
                session.exec(
                    select(OrientationProposal.request_id, Structure.name)
                    .join(Structure, Structure.id == OrientationProposal.structure_id)
                    .where(
                        OrientationProposal.status == ProposalStatus.ACCEPTED.value,
                        OrientationProposal.request_id.in_([r.id for r, _, _ in rows]),
                    )
                ).all()
            )
            if rows
            else {}
        )
    now = utcnow()
    return RequestBoard(
        rows=[
            RequestRow(
                id=r.id,
                version=r.version,
                code=code_,
                status=r.status,
                received_at=r.received_at,
                age_hours=hours_since(r.received_at, now),
                child_age=r.child_age,
                sex=sex,
                exploitation_forms=list(r.exploitation_forms),
                exploitation_departement_code=r.exploitation_departement_code,
                requester_kind=r.requester_kind,
                risk_flags=list(r.risk_flags),
                structure_name=structure_names.get(r.id),
            )
            for r, code_, sex in rows
        ],
        total=total,
        counts={s: counts.get(s, 0) for s in STATUS_ORDER} if with_counts else {},
        oldest_open_hours={s: hours_since(at, now) for s, at in oldest.items() if at is not None},
    )


def request_id_for_code(*, actor: Actor, code: str) -> int:
    """Coordination only: the latest request of the child with this code."""
    require(actor, Action.PATH_REQUEST_MANAGE)
    with session_scope(actor) as session:
        request_id = session.exec(
            select(ChildRequest.id)
            .join(Child, Child.id == ChildRequest.child_id)
            .where(Child.code == code.strip().upper())
            .order_by(ChildRequest.id.desc())
            .limit(1)
        ).first()
    if request_id is None:
        raise NotFound(REQUEST_NOT_FOUND)
    return request_id


def request_get(*, actor: Actor, request_id: int) -> RequestDetail:
    """Coordination only: one request with its proposals, placement and history (the opening is logged)."""
    require(actor, Action.PATH_REQUEST_MANAGE)
    with session_scope(actor) as session:
        request = session.get(ChildRequest, request_id)
        if request is None:
            raise NotFound(REQUEST_NOT_FOUND)
        child_access_record(session, actor, child_id=request.child_id, request_id=request.id, context=CONTEXT_REQUEST)
        return _detail(session, request)


def request_close(
    *,
    actor: Actor,
    request_id: int,
    expected_version: int,
    reason: str | None,
    detail: str | None = None,
    at: datetime | None = None,
) -> RequestDetail:
    """Coordination only: close a request without placement, with a reason; open proposals are withdrawn."""
    require(actor, Action.PATH_REQUEST_MANAGE)
    with session_scope(actor) as session:
        request = session.get(ChildRequest, request_id)
        if request is None:
            raise NotFound(REQUEST_NOT_FOUND)
        check_version(request, expected_version)
        errors = []
        if request.status == RequestStatus.PLACED.value:
            errors.append(FieldError("Statut", CLOSE_PLACED))
        elif request.status == RequestStatus.CLOSED.value:
            errors.append(FieldError("Statut", CLOSE_ALREADY))
        if reason not in ClosureReason.labels():
            errors.append(FieldError("Motif de clôture", CLOSE_REASON_REQUIRED))
        elif reason == ClosureReason.OTHER.value and not (detail or "").strip():
            errors.append(FieldError("Précision", DETAIL_REQUIRED))
        now = utcnow()
        if at is not None and at > now + FUTURE_TOLERANCE:
            errors.append(FieldError("Date de clôture", RECEIVED_FUTURE.replace("réception", "clôture")))
        elif at is not None and at < request.received_at:
            errors.append(FieldError("Date de clôture", CLOSED_BEFORE_REQUEST))
        if errors:
            raise ValidationFailed(errors)
        now = at or now
        for proposal in session.exec(
            select(OrientationProposal).where(
                OrientationProposal.request_id == request.id,
                OrientationProposal.status.in_([ProposalStatus.PENDING.value, ProposalStatus.ACCEPTED.value]),
            )
        ):
            proposal.status = ProposalStatus.WITHDRAWN.value
            proposal.answered_at = proposal.answered_at or now
            proposal.answer_detail = proposal.answer_detail or "Sollicitation close sans placement"
            session.add(proposal)
        request.status = RequestStatus.CLOSED.value
        request.closure_reason = reason
        request.closure_detail = (detail or "").strip() or None
        request.closed_at = now
        request.oriented_at = None
        request.oriented_on = None
        session.add(request)
        session.flush()
        return _detail(session, request)


def refresh_status(session, request: ChildRequest) -> None:
    """Derive a request's status from its proposals and placement (closed requests stay closed)."""
    if request.status == RequestStatus.CLOSED.value:
        return
    placed = session.exec(select(Placement.id).where(Placement.request_id == request.id)).first()
    proposals = session.exec(select(OrientationProposal).where(OrientationProposal.request_id == request.id)).all()
    accepted = next((p for p in proposals if p.status == ProposalStatus.ACCEPTED.value), None)
    if placed is not None:
        status = RequestStatus.PLACED.value
    elif accepted is not None:
        status = RequestStatus.ORIENTED.value
    elif proposals:
        status = RequestStatus.IN_PROGRESS.value
    else:
        status = RequestStatus.NEW.value
    if accepted is not None:
        request.oriented_at = accepted.answered_at
        request.oriented_on = paris_date(accepted.answered_at) if accepted.answered_at else None
    elif placed is None:
        request.oriented_at = None
        request.oriented_on = None
    request.status = status
    session.add(request)


def request_waiting(*, actor: Actor) -> tuple[int, int | None]:
    """Coordination only: requests not yet oriented (new or orientation in progress) and the oldest one's age in hours."""
    require(actor, Action.PATH_REQUEST_MANAGE)
    with session_scope(actor) as session:
        count, oldest = session.exec(
            select(func.count(), func.min(ChildRequest.received_at)).where(
                ChildRequest.status.in_([RequestStatus.NEW.value, RequestStatus.IN_PROGRESS.value])
            )
        ).one()
    return count, hours_since(oldest) if oldest is not None else None
