"""Orientation: proposing a structure for a request, the structure's answer (acceptance or refusal),
withdrawal, and the consents recorded on a proposal. Which structures to propose is ranked by the
placement finder (services/path/finder.py).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import select

from core.access import Action, Actor, require, require_structure
from core.concurrency import check_version
from core.db import session_scope
from core.errors import FieldError, NotFound, ValidationFailed
from models.base import utcnow
from models.child import (
    AuthorityBasis,
    ChildRequest,
    OrientationProposal,
    Placement,
    ProposalStatus,
    RefusalReason,
    RequestStatus,
)
from models.structure import NetworkStatus, Structure
from services.alerts.events import on_proposal, on_proposal_answer
from services.path.finder import _occupancy, _profile, _rank_one, min_distance_km, reported_free_places
from services.path.request_detail import ProposalView, _proposal_view
from services.path.requests import FUTURE_TOLERANCE, REQUEST_NOT_FOUND, refresh_status

PROPOSAL_NOT_FOUND = "Proposition d'orientation introuvable."
PROPOSE_CLOSED = "cette sollicitation n'attend plus d'orientation"
PROPOSE_ORIENTED = "une structure a déjà accepté : retirez d'abord cette orientation pour en proposer une autre"
STRUCTURE_NOT_ACTIVE = "seule une structure active du réseau peut recevoir une proposition"
STRUCTURE_UNKNOWN = "structure inconnue"
ALREADY_PROPOSED = "cette structure a déjà une proposition en cours pour cet enfant"
AT_FUTURE = "la date ne peut pas être dans le futur"
AT_BEFORE_REQUEST = "la date ne peut pas précéder la réception de la sollicitation"
ANSWER_NOT_PENDING = "cette proposition n'attend plus de réponse"
REFUSAL_REASON_REQUIRED = "choisissez le motif du refus"
DETAIL_REQUIRED = "précisez le motif"
WITHDRAW_NOT_OPEN = "seule une proposition en attente ou acceptée peut être retirée"
WITHDRAW_PLACED = "l'enfant est déjà arrivé dans cette structure : enregistrez sa sortie"
CONSENT_NOT_OPEN = "les consentements s'enregistrent sur une proposition en attente ou acceptée"
ASSENT_REQUIRED = "indiquez si l'assentiment de l'enfant a été recueilli"
ASSENT_REASON_REQUIRED = "indiquez pourquoi l'assentiment de l'enfant n'a pas été recueilli"
AUTHORITY_REQUIRED = "indiquez l'accord de l'autorité parentale ou la décision du juge"
AUTHORITY_REASON_REQUIRED = "indiquez pourquoi l'accord de l'autorité parentale n'a pas été obtenu"
ACCEPTED_BY_OTHER = "une autre structure a accepté l'accueil"


def _check_at(errors: list[FieldError], at: datetime | None, request: ChildRequest, label: str) -> datetime:
    now = utcnow()
    if at is None:
        return now
    if at > now + FUTURE_TOLERANCE:
        errors.append(FieldError(label, AT_FUTURE))
    elif at < request.received_at:
        errors.append(FieldError(label, AT_BEFORE_REQUEST))
    return at


def _load(session, proposal_id: int) -> tuple[OrientationProposal, ChildRequest]:
    proposal = session.get(OrientationProposal, proposal_id)
    if proposal is None:
        raise NotFound(PROPOSAL_NOT_FOUND)
    return proposal, session.get(ChildRequest, proposal.request_id)


def _view(session, proposal: OrientationProposal) -> ProposalView:
    structure = session.get(Structure, proposal.structure_id)
    return _proposal_view(proposal, structure.name, structure.departement_code)


def proposal_create(*, actor: Actor, request_id: int, structure_id: int, at: datetime | None = None) -> ProposalView:
    """Coordination only: propose a structure for a request (the finder's reason is kept with it)."""
    require(actor, Action.PATH_REQUEST_MANAGE)
    with session_scope(actor) as session:
        request = session.get(ChildRequest, request_id)
        if request is None:
            raise NotFound(REQUEST_NOT_FOUND)
        errors: list[FieldError] = []
        if request.status == RequestStatus.ORIENTED.value:
            errors.append(FieldError("Sollicitation", PROPOSE_ORIENTED))
        elif request.status not in (RequestStatus.NEW.value, RequestStatus.IN_PROGRESS.value):
            errors.append(FieldError("Sollicitation", PROPOSE_CLOSED))
        structure = session.get(Structure, structure_id)
        if structure is None:
            errors.append(FieldError("Structure", STRUCTURE_UNKNOWN))
        elif structure.status != NetworkStatus.ACTIVE.value:
            errors.append(FieldError("Structure", STRUCTURE_NOT_ACTIVE))
        open_one = session.exec(
            select(OrientationProposal.id).where(
                OrientationProposal.request_id == request.id,
                OrientationProposal.structure_id == structure_id,
                OrientationProposal.status.in_([ProposalStatus.PENDING.value, ProposalStatus.ACCEPTED.value]),
            )
        ).first()
        if open_one is not None:
            errors.append(FieldError("Structure", ALREADY_PROPOSED))
        at = _check_at(errors, at, request, "Date de la proposition")
        if errors:
            raise ValidationFailed(errors)
        assert structure.id is not None
        present, expected = _occupancy(session, [structure.id])
        info = _rank_one(
            _profile(session, request),
            structure,
            present=present.get(structure.id, 0),
            expected=expected.get(structure.id, 0),
            reported=reported_free_places(structure_ids=[structure.id]).get(structure.id),
            minimum=min_distance_km(),
            proposal_status=None,
        )
        proposal = OrientationProposal(
            request_id=request.id,
            structure_id=structure.id,
            status=ProposalStatus.PENDING.value,
            distance_km=round(info["distance"], 1),
            finder_note=info["reason"][:400],
            proposed_at=at,
            proposed_by=actor.username,
        )
        session.add(proposal)
        session.flush()
        refresh_status(session, request)
        session.flush()
        on_proposal(proposal_id=proposal.id, structure_id=structure.id)
        return _view(session, proposal)


def proposal_answer(
    *,
    actor: Actor,
    proposal_id: int,
    expected_version: int,
    accepted: bool,
    refusal_reason: str | None = None,
    detail: str | None = None,
    at: datetime | None = None,
) -> ProposalView:
    """The proposed structure's staff (or the coordination for it): accept, or refuse with a reason."""
    require(actor, Action.PATH_CHILD_UPDATE)
    with session_scope(actor) as session:
        proposal, request = _load(session, proposal_id)
        require_structure(actor, proposal.structure_id)
        check_version(proposal, expected_version)
        errors: list[FieldError] = []
        if proposal.status != ProposalStatus.PENDING.value or request.status == RequestStatus.CLOSED.value:
            errors.append(FieldError("Proposition", ANSWER_NOT_PENDING))
        if not accepted:
            if refusal_reason not in RefusalReason.labels():
                errors.append(FieldError("Motif du refus", REFUSAL_REASON_REQUIRED))
            elif refusal_reason == RefusalReason.OTHER.value and not (detail or "").strip():
                errors.append(FieldError("Précision", DETAIL_REQUIRED))
        at = _check_at(errors, at, request, "Date de la réponse")
        if not errors and at < proposal.proposed_at:
            errors.append(FieldError("Date de la réponse", "la réponse ne peut pas précéder la proposition"))
        if errors:
            raise ValidationFailed(errors)
        proposal.answered_at = at
        proposal.answered_by = actor.username
        proposal.answer_detail = (detail or "").strip() or None
        if accepted:
            proposal.status = ProposalStatus.ACCEPTED.value
            for other in session.exec(
                select(OrientationProposal).where(
                    OrientationProposal.request_id == request.id,
                    OrientationProposal.id != proposal.id,
                    OrientationProposal.status == ProposalStatus.PENDING.value,
                )
            ):
                other.status = ProposalStatus.WITHDRAWN.value
                other.answered_at = at
                other.answer_detail = ACCEPTED_BY_OTHER
                session.add(other)
        else:
            proposal.status = ProposalStatus.REFUSED.value
            proposal.refusal_reason = refusal_reason
        session.add(proposal)
        session.flush()
        refresh_status(session, request)
        session.flush()
        on_proposal_answer(proposal_id=proposal.id)
        return _view(session, proposal)


def proposal_withdraw(
    *, actor: Actor, proposal_id: int, expected_version: int, detail: str | None = None
) -> ProposalView:
    """Coordination only: withdraw a pending or accepted proposal (before the child's arrival)."""
    require(actor, Action.PATH_REQUEST_MANAGE)
    with session_scope(actor) as session:
        proposal, request = _load(session, proposal_id)
        check_version(proposal, expected_version)
        if proposal.status not in (ProposalStatus.PENDING.value, ProposalStatus.ACCEPTED.value):
            raise ValidationFailed(FieldError("Proposition", WITHDRAW_NOT_OPEN))
        if session.exec(select(Placement.id).where(Placement.request_id == request.id)).first() is not None:
            raise ValidationFailed(FieldError("Proposition", WITHDRAW_PLACED))
        proposal.status = ProposalStatus.WITHDRAWN.value
        proposal.answered_at = utcnow()
        proposal.answer_detail = (detail or "").strip() or "retirée par la coordination"
        session.add(proposal)
        session.flush()
        refresh_status(session, request)
        session.flush()
        return _view(session, proposal)


def consent_record(
    *,
    actor: Actor,
    proposal_id: int,
    expected_version: int,
    assent_obtained: bool | None,
    authority_basis: str | None,
    assent_missing_reason: str | None = None,
    authority_missing_reason: str | None = None,
    at: datetime | None = None,
) -> ProposalView:
    """Coordination or the proposed structure's staff: the child's assent and the authority's consent, or why not."""
    require(actor, Action.PATH_CHILD_UPDATE)
    with session_scope(actor) as session:
        proposal, request = _load(session, proposal_id)
        require_structure(actor, proposal.structure_id)
        check_version(proposal, expected_version)
        errors: list[FieldError] = []
        if proposal.status not in (ProposalStatus.PENDING.value, ProposalStatus.ACCEPTED.value):
            errors.append(FieldError("Proposition", CONSENT_NOT_OPEN))
        if assent_obtained is None:
            errors.append(FieldError("Assentiment de l'enfant", ASSENT_REQUIRED))
        elif assent_obtained is False and not (assent_missing_reason or "").strip():
            errors.append(FieldError("Assentiment de l'enfant", ASSENT_REASON_REQUIRED))
        if authority_basis not in AuthorityBasis.labels():
            errors.append(FieldError("Autorité parentale", AUTHORITY_REQUIRED))
        elif authority_basis == AuthorityBasis.NOT_OBTAINED.value and not (authority_missing_reason or "").strip():
            errors.append(FieldError("Autorité parentale", AUTHORITY_REASON_REQUIRED))
        at = _check_at(errors, at, request, "Date des consentements")
        if errors:
            raise ValidationFailed(errors)
        proposal.assent_obtained = assent_obtained
        proposal.assent_missing_reason = None if assent_obtained else assent_missing_reason.strip()
        proposal.authority_basis = authority_basis
        proposal.authority_missing_reason = (
            authority_missing_reason.strip() if authority_basis == AuthorityBasis.NOT_OBTAINED.value else None
        )
        proposal.consent_recorded_at = at
        proposal.consent_recorded_by = actor.username
        session.add(proposal)
        session.flush()
        return _view(session, proposal)
