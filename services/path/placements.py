"""Placements: the child's arrival in a structure, runaways and returns during the stay, and the exit.

Partner staff see and update only the children placed in (or proposed to) their own structure; the
coordination may act for any structure. Every opening of one child's card is written to the access log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import func, select

from core.access import REFUSED_STRUCTURE, Action, Actor, require, require_structure
from core.clock import paris_date
from core.concurrency import check_version
from core.db import session_scope
from core.errors import AccessDenied, FieldError, NotFound, ValidationFailed
from core.formatting import fr_date
from models.base import utcnow
from models.child import (
    Child,
    ChildRequest,
    ExitReason,
    OrientationProposal,
    Placement,
    PlacementEvent,
    PlacementEventKind,
    ProposalStatus,
    RequestStatus,
)
from models.structure import Structure
from services.path.child_access import CONTEXT_STRUCTURE, child_access_record
from services.path.request_detail import (
    PlacementView,
    ProposalView,
    _proposal_view,
    consent_complete,
    hours_since,
    placement_view,
)
from services.path.requests import refresh_status

PLACEMENT_NOT_FOUND = "Placement introuvable."
CHILD_NOT_FOUND = "Enfant introuvable."
RECENT_EXIT_DAYS = 90

ARRIVAL_NOT_ACCEPTED = "l'accueil ne peut être confirmé que sur une proposition acceptée par la structure"
CONSENT_MISSING = (
    "enregistrez d'abord l'assentiment de l'enfant et l'accord de l'autorité parentale "
    "(ou la décision du juge), ou la raison de leur absence"
)
DATE_REQUIRED = "indiquez la date"
DATE_FUTURE = "la date ne peut pas être dans le futur"
OPEN_PLACEMENT_EXISTS = "cet enfant a déjà un placement en cours : enregistrez d'abord sa sortie"
RUNAWAY_NOT_OPEN = "le placement est terminé"
RUNAWAY_ALREADY = "l'enfant est déjà signalé en fugue : enregistrez d'abord son retour"
RETURN_NOT_RUNAWAY = "l'enfant n'est pas signalé en fugue"
EXIT_ALREADY = "la sortie est déjà enregistrée"
EXIT_REASON_REQUIRED = "choisissez le motif de sortie"
DETAIL_REQUIRED = "précisez le motif"


def arrival_before_request(received_on: date) -> str:
    return f"l'arrivée ne peut pas précéder la sollicitation (reçue le {fr_date(received_on)})"


def arrival_before_acceptance(accepted_on: date) -> str:
    return f"l'arrivée ne peut pas précéder l'accord de la structure ({fr_date(accepted_on)})"


def arrival_before_exit(end_date: date) -> str:
    return f"l'arrivée ne peut pas précéder la sortie du placement précédent ({fr_date(end_date)})"


def date_before(what: str, day: date) -> str:
    return f"la date ne peut pas précéder {what} ({fr_date(day)})"


def _today() -> date:
    return paris_date(utcnow())


def _check_day(errors: list[FieldError], label: str, day: date | None) -> bool:
    if day is None:
        errors.append(FieldError(label, DATE_REQUIRED))
        return False
    if day > _today():
        errors.append(FieldError(label, DATE_FUTURE))
        return False
    return True


def placement_arrival(
    *, actor: Actor, proposal_id: int, expected_version: int, arrival_date: date | None
) -> PlacementView:
    """The structure's staff (or the coordination): the child arrived; needs an accepted proposal and consents."""
    require(actor, Action.PATH_CHILD_UPDATE)
    with session_scope(actor) as session:
        proposal = session.get(OrientationProposal, proposal_id)
        if proposal is None:
            raise NotFound("Proposition d'orientation introuvable.")
        require_structure(actor, proposal.structure_id)
        check_version(proposal, expected_version)
        request = session.get(ChildRequest, proposal.request_id)
        errors: list[FieldError] = []
        if proposal.status != ProposalStatus.ACCEPTED.value or request.status != RequestStatus.ORIENTED.value:
            errors.append(FieldError("Orientation", ARRIVAL_NOT_ACCEPTED))
        elif not consent_complete(proposal):
            errors.append(FieldError("Consentements", CONSENT_MISSING))
        if _check_day(errors, "Date d'arrivée", arrival_date):
            if arrival_date < request.received_on:
                errors.append(FieldError("Date d'arrivée", arrival_before_request(request.received_on)))
            elif proposal.answered_at is not None and arrival_date < paris_date(proposal.answered_at):
                errors.append(FieldError("Date d'arrivée", arrival_before_acceptance(paris_date(proposal.answered_at))))
        if (
            session.exec(
                select(Placement.id).where(Placement.child_id == request.child_id, Placement.end_date.is_(None))
            ).first()
            is not None
        ):
            errors.append(FieldError("Enfant", OPEN_PLACEMENT_EXISTS))
        last_end = session.exec(
            select(func.max(Placement.end_date)).where(Placement.child_id == request.child_id)
        ).one()
        if arrival_date is not None and last_end is not None and arrival_date < last_end:
            errors.append(FieldError("Date d'arrivée", arrival_before_exit(last_end)))
        if errors:
            raise ValidationFailed(errors)
        placement = Placement(
            child_id=request.child_id,
            structure_id=proposal.structure_id,
            arrival_date=arrival_date,
            request_id=request.id,
            distance_km=proposal.distance_km,
            recorded_by=actor.username,
        )
        session.add(placement)
        session.flush()
        refresh_status(session, request)
        session.flush()
        return placement_view(session, placement, session.get(Structure, placement.structure_id).name)


def _load_placement(
    session, actor: Actor, placement_id: int, expected_version: int
) -> tuple[Placement, list[PlacementEvent]]:
    placement = session.get(Placement, placement_id)
    if placement is None:
        raise NotFound(PLACEMENT_NOT_FOUND)
    require_structure(actor, placement.structure_id)
    check_version(placement, expected_version)
    events = session.exec(
        select(PlacementEvent)
        .where(PlacementEvent.placement_id == placement.id)
        .order_by(PlacementEvent.occurred_on, PlacementEvent.id)
    ).all()
    return placement, list(events)


def _check_after_events(errors, label, day, placement: Placement, events: list[PlacementEvent]) -> None:
    if day is None:
        return
    if day < placement.arrival_date:
        errors.append(FieldError(label, date_before("l'arrivée", placement.arrival_date)))
    elif events and day < events[-1].occurred_on:
        errors.append(FieldError(label, date_before("le dernier événement", events[-1].occurred_on)))


def _event(
    session, actor: Actor, placement_id: int, expected_version: int, occurred_on: date | None, kind: PlacementEventKind
) -> PlacementView:
    placement, events = _load_placement(session, actor, placement_id, expected_version)
    label = "Date de la fugue" if kind == PlacementEventKind.RUNAWAY else "Date du retour"
    errors: list[FieldError] = []
    if placement.end_date is not None:
        errors.append(FieldError("Placement", RUNAWAY_NOT_OPEN))
    elif kind == PlacementEventKind.RUNAWAY and placement.on_runaway:
        errors.append(FieldError("Placement", RUNAWAY_ALREADY))
    elif kind == PlacementEventKind.RETURN and not placement.on_runaway:
        errors.append(FieldError("Placement", RETURN_NOT_RUNAWAY))
    if _check_day(errors, label, occurred_on):
        _check_after_events(errors, label, occurred_on, placement, events)
    if errors:
        raise ValidationFailed(errors)
    session.add(
        PlacementEvent(placement_id=placement.id, kind=kind.value, occurred_on=occurred_on, recorded_by=actor.username)
    )
    placement.on_runaway = kind == PlacementEventKind.RUNAWAY
    session.add(placement)
    session.flush()
    return placement_view(session, placement, session.get(Structure, placement.structure_id).name)


def placement_runaway(
    *, actor: Actor, placement_id: int, expected_version: int, occurred_on: date | None
) -> PlacementView:
    """The structure's staff (or the coordination): the child ran away (the placement stays open)."""
    require(actor, Action.PATH_CHILD_UPDATE)
    with session_scope(actor) as session:
        return _event(session, actor, placement_id, expected_version, occurred_on, PlacementEventKind.RUNAWAY)


def placement_return(
    *, actor: Actor, placement_id: int, expected_version: int, occurred_on: date | None
) -> PlacementView:
    """The structure's staff (or the coordination): the child came back from a runaway."""
    require(actor, Action.PATH_CHILD_UPDATE)
    with session_scope(actor) as session:
        return _event(session, actor, placement_id, expected_version, occurred_on, PlacementEventKind.RETURN)


def placement_exit(
    *,
    actor: Actor,
    placement_id: int,
    expected_version: int,
    end_date: date | None,
    reason: str | None,
    detail: str | None = None,
) -> PlacementView:
    """The structure's staff (or the coordination): the child left, with the exit reason."""
    require(actor, Action.PATH_CHILD_UPDATE)
    with session_scope(actor) as session:
        placement, events = _load_placement(session, actor, placement_id, expected_version)
        errors: list[FieldError] = []
        if placement.end_date is not None:
            errors.append(FieldError("Placement", EXIT_ALREADY))
        if _check_day(errors, "Date de sortie", end_date):
            _check_after_events(errors, "Date de sortie", end_date, placement, events)
        if reason not in ExitReason.labels():
            errors.append(FieldError("Motif de sortie", EXIT_REASON_REQUIRED))
        elif reason == ExitReason.OTHER.value and not (detail or "").strip():
            errors.append(FieldError("Précision", DETAIL_REQUIRED))
        if errors:
            raise ValidationFailed(errors)
        placement.end_date = end_date
        placement.exit_reason = reason
        placement.exit_detail = (detail or "").strip() or None
        session.add(placement)
        session.flush()
        return placement_view(session, placement, session.get(Structure, placement.structure_id).name)


@dataclass(frozen=True)
class ChildLine:
    """One child in a structure's lists (profile facts only: code, age, sex, forms, risks)."""

    child_id: int
    code: str
    age: int
    sex: str
    exploitation_forms: list[str]
    risk_flags: list[str]
    proposal_id: int | None = None
    proposal_version: int | None = None
    proposed_at: datetime | None = None
    waiting_hours: int | None = None
    distance_km: float | None = None
    consent_complete: bool | None = None
    placement_id: int | None = None
    placement_version: int | None = None
    arrival_date: date | None = None
    end_date: date | None = None
    exit_reason: str | None = None
    on_runaway: bool = False


@dataclass(frozen=True)
class StructureChildren:
    structure_id: int
    structure_name: str
    pending: list[ChildLine]
    expected: list[ChildLine]
    present: list[ChildLine]
    recent_exits: list[ChildLine]


def _structure_scope(actor: Actor, structure_id: int | None) -> int:
    if actor.is_partner:
        if structure_id not in (None, actor.structure_id):
            raise AccessDenied(REFUSED_STRUCTURE)
        return actor.structure_id
    if structure_id is None:
        raise ValidationFailed(FieldError("Structure", "choisissez une structure"))
    return structure_id


def structure_children(*, actor: Actor, structure_id: int | None = None) -> StructureChildren:
    """Partner staff (own structure) or the coordination (any): proposals to answer, arrivals expected,
    children present, recent exits."""
    require(actor, Action.PATH_CHILD_READ)
    structure_id = _structure_scope(actor, structure_id)
    now = utcnow()
    with session_scope(actor) as session:
        structure = session.get(Structure, structure_id)
        if structure is None:
            raise NotFound("Structure introuvable.")
        proposal_rows = session.exec(
            select(OrientationProposal, ChildRequest, Child)
            .join(ChildRequest, ChildRequest.id == OrientationProposal.request_id)
            .join(Child, Child.id == ChildRequest.child_id)
            .where(
                OrientationProposal.structure_id == structure_id,
                (
                    (OrientationProposal.status == ProposalStatus.PENDING.value)
                    & ChildRequest.status.in_([RequestStatus.NEW.value, RequestStatus.IN_PROGRESS.value])
                )
                | (
                    (OrientationProposal.status == ProposalStatus.ACCEPTED.value)
                    & (ChildRequest.status == RequestStatus.ORIENTED.value)
                ),
            )
            .order_by(OrientationProposal.proposed_at)
        ).all()
        placement_rows = session.exec(
            select(Placement, ChildRequest, Child)
            .join(Child, Child.id == Placement.child_id)
            .join(ChildRequest, ChildRequest.id == Placement.request_id, isouter=True)
            .where(
                Placement.structure_id == structure_id,
                Placement.end_date.is_(None) | (Placement.end_date >= _today() - timedelta(days=RECENT_EXIT_DAYS)),
            )
            .order_by(Placement.arrival_date)
        ).all()
    pending, expected, present, exits = [], [], [], []
    for proposal, request, child in proposal_rows:
        line = ChildLine(
            child_id=child.id,
            code=child.code,
            age=request.child_age,
            sex=child.sex,
            exploitation_forms=list(request.exploitation_forms),
            risk_flags=list(request.risk_flags),
            proposal_id=proposal.id,
            proposal_version=proposal.version,
            proposed_at=proposal.proposed_at,
            waiting_hours=hours_since(proposal.proposed_at, now),
            distance_km=proposal.distance_km,
            consent_complete=consent_complete(proposal),
        )
        (pending if proposal.status == ProposalStatus.PENDING.value else expected).append(line)
    for placement, request, child in placement_rows:
        line = ChildLine(
            child_id=child.id,
            code=child.code,
            age=request.child_age if request else child.age,
            sex=child.sex,
            exploitation_forms=list(request.exploitation_forms) if request else [],
            risk_flags=list(request.risk_flags) if request else [],
            placement_id=placement.id,
            placement_version=placement.version,
            arrival_date=placement.arrival_date,
            end_date=placement.end_date,
            exit_reason=placement.exit_reason,
            on_runaway=placement.on_runaway,
            distance_km=placement.distance_km,
        )
        (present if placement.end_date is None else exits).append(line)
    exits.sort(key=lambda line: line.end_date, reverse=True)
    return StructureChildren(structure_id, structure.name, pending, expected, present, exits)


@dataclass(frozen=True)
class ChildCard:
    """One child's record as a structure sees it: its own proposal and placement only."""

    child_id: int
    code: str
    age: int
    sex: str
    nationality_group: str | None
    exploitation_forms: list[str]
    risk_flags: list[str]
    received_on: date | None
    proposal: ProposalView | None
    placement: PlacementView | None


def structure_child_open(*, actor: Actor, child_id: int, structure_id: int | None = None) -> ChildCard:
    """Partner staff (own structure) or the coordination: open one child's card (logged in the access log).

    Refused when the child has neither a proposal nor a placement in the structure.
    """
    require(actor, Action.PATH_CHILD_READ)
    structure_id = _structure_scope(actor, structure_id)
    with session_scope(actor) as session:
        child = session.get(Child, child_id)
        if child is None:
            raise NotFound(CHILD_NOT_FOUND)
        placement_row = session.exec(
            select(Placement)
            .where(Placement.child_id == child.id, Placement.structure_id == structure_id)
            .order_by(Placement.arrival_date.desc(), Placement.id.desc())
            .limit(1)
        ).first()
        proposal_row = session.exec(
            select(OrientationProposal)
            .join(ChildRequest, ChildRequest.id == OrientationProposal.request_id)
            .where(ChildRequest.child_id == child.id, OrientationProposal.structure_id == structure_id)
            .order_by(OrientationProposal.id.desc())
            .limit(1)
        ).first()
        if placement_row is None and proposal_row is None:
            raise AccessDenied(REFUSED_STRUCTURE)
        request_id = (
            placement_row.request_id
            if placement_row is not None and placement_row.request_id
            else proposal_row.request_id
            if proposal_row is not None
            else None
        )
        if (
            proposal_row is not None
            and placement_row is not None
            and placement_row.request_id
            and proposal_row.request_id != placement_row.request_id
            and placement_row.end_date is None
        ):
            proposal_row = None
        request = session.get(ChildRequest, request_id) if request_id else None
        child_access_record(session, actor, child_id=child.id, request_id=request_id, context=CONTEXT_STRUCTURE)
        structure = session.get(Structure, structure_id)
        return ChildCard(
            child_id=child.id,
            code=child.code,
            age=request.child_age if request else child.age,
            sex=child.sex,
            nationality_group=child.nationality_group,
            exploitation_forms=list(request.exploitation_forms) if request else [],
            risk_flags=list(request.risk_flags) if request else [],
            received_on=request.received_on if request else None,
            proposal=_proposal_view(proposal_row, structure.name, structure.departement_code) if proposal_row else None,
            placement=placement_view(session, placement_row, structure.name) if placement_row else None,
        )


@dataclass(frozen=True)
class StructureTodo:
    pending: int
    expected: int
    present: int


def structure_todo(*, actor: Actor) -> StructureTodo:
    """Partner staff: how many proposals to answer, arrivals expected and children present in their structure."""
    require(actor, Action.PATH_CHILD_READ)
    structure_id = _structure_scope(actor, None) if actor.is_partner else None
    if structure_id is None:
        return StructureTodo(0, 0, 0)
    with session_scope(actor) as session:
        rows = dict(
            session.exec(
                select(OrientationProposal.status, func.count())
                .join(ChildRequest, ChildRequest.id == OrientationProposal.request_id)
                .where(
                    OrientationProposal.structure_id == structure_id,
                    (
                        (OrientationProposal.status == ProposalStatus.PENDING.value)
                        & ChildRequest.status.in_([RequestStatus.NEW.value, RequestStatus.IN_PROGRESS.value])
                    )
                    | (
                        (OrientationProposal.status == ProposalStatus.ACCEPTED.value)
                        & (ChildRequest.status == RequestStatus.ORIENTED.value)
                    ),
                )
                .group_by(OrientationProposal.status)
            ).all()
        )
        present = session.exec(
            select(func.count())
            .select_from(Placement)
            .where(Placement.structure_id == structure_id, Placement.end_date.is_(None))
        ).one()
    return StructureTodo(rows.get(ProposalStatus.PENDING.value, 0), rows.get(ProposalStatus.ACCEPTED.value, 0), present)
