"""Orientation: finding the best-suited structure for a request, proposing it, and the structure's answer.

The placement finder ranks the ACTIVE structures for one request:

1. « Recommandée » — free places now, the child's age, sex and forms of exploitation accepted, and at
   least the minimum distance (setting `path_min_distance_km`, 200 km by default) between the centroid
   of the département of exploitation and the structure's département;
2. « Outre-mer » — the same, but an overseas structure for a child exploited in metropolitan France:
   safe by distance, yet a move across the ocean uproots the child, so it comes after every
   metropolitan option and is kept for a motivated decision;
3. « Trop proche » — free places and profile accepted, but closer than the minimum distance;
4. « Complète » — profile accepted, no free place now;
5. « Profil non accepté » — age, sex or a form of exploitation outside what the structure takes in;
6. « Déjà refusée » — the structure already refused (or was withdrawn from) this request.

Within a rank, a child exploited in metropolitan France sees the farthest structures first. For a child
exploited overseas the same minimum distance applies (never the same territory; Guadeloupe and
Martinique, about 180 km apart, are too close at 200 km), but the nearest far-enough structures come
first: any other territory is already across the sea from the exploiters, and the nearest one (La
Réunion for Mayotte, Guyane for the Antilles) uproots the child least; metropolitan France follows.

Free places come from the latest weekly figures (`reported_free_places`), or else capacity minus the
children present (open placements); arrivals already agreed (accepted proposals) are deducted too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import func, select

from core.access import Action, Actor, require, require_structure
from core.concurrency import check_version
from core.db import session_scope
from core.errors import FieldError, NotFound, ValidationFailed
from core.formatting import fr_date, fr_number
from models.base import utcnow
from models.child import (
    AuthorityBasis,
    Child,
    ChildRequest,
    OrientationProposal,
    Placement,
    ProposalStatus,
    RefusalReason,
    RequestStatus,
)
from models.structure import ExploitationForm, NetworkStatus, Sex, Structure
from services.admin.settings import setting_get
from services.alerts.events import on_proposal, on_proposal_answer
from services.directory.reference_data import departement_by_code, distance_km
from services.path.requests import (
    FUTURE_TOLERANCE,
    REQUEST_NOT_FOUND,
    ProposalView,
    _proposal_view,
    refresh_status,
)

MIN_DISTANCE_KEY = "path_min_distance_km"

TIER_LABELS = {
    1: "Recommandée",
    2: "Outre-mer",
    3: "Trop proche",
    4: "Complète",
    5: "Profil non accepté",
    6: "Déjà refusée",
}

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


@dataclass(frozen=True)
class ReportedPlaces:
    """Free places a structure reported in its latest weekly figures."""

    free_places: int
    reported_on: date


def reported_free_places(*, structure_ids: list[int]) -> dict[int, ReportedPlaces]:
    """Any caller: free places per structure from its latest weekly figures of the last four weeks.

    Structures that have not reported lately are absent (the finder then counts capacity minus the
    children present). Reference figures only: no child-level data leaves this function.
    """
    from services.weekly.reports import weekly_latest_free_places_dated

    with session_scope() as session:
        latest = weekly_latest_free_places_dated(session=session, structure_ids=structure_ids)
    return {sid: ReportedPlaces(free_places=value, reported_on=week) for sid, (value, week) in latest.items()}


@dataclass(frozen=True)
class FinderRow:
    rank: int
    tier: int
    verdict: str
    reason: str
    structure_id: int
    structure_name: str
    departement_code: str
    commune: str
    overseas: bool
    distance_km: float
    free_places: int
    capacity: int
    present: int
    expected: int
    from_weekly_figures: bool
    proposal_status: str | None

    @property
    def can_propose(self) -> bool:
        return self.proposal_status not in (ProposalStatus.PENDING.value, ProposalStatus.ACCEPTED.value)


@dataclass(frozen=True)
class FinderResult:
    rows: list[FinderRow]
    min_distance_km: float
    exploitation_departement_code: str


@dataclass(frozen=True)
class _Profile:
    age: int
    sex: str
    forms: list[str]
    exploitation_departement_code: str


def min_distance_km() -> float:
    """Any caller: the minimum distance the coordination set (km)."""
    return float(setting_get(key=MIN_DISTANCE_KEY))


def _occupancy(session, structure_ids: list[int]) -> tuple[dict[int, int], dict[int, int]]:
    present = dict(
        session.exec(
            select(Placement.structure_id, func.count())
            .where(Placement.end_date.is_(None), Placement.structure_id.in_(structure_ids))
            .group_by(Placement.structure_id)
        ).all()
    )
    expected = dict(
        session.exec(
            select(OrientationProposal.structure_id, func.count())
            .join(ChildRequest, ChildRequest.id == OrientationProposal.request_id)
            .where(
                OrientationProposal.status == ProposalStatus.ACCEPTED.value,
                ChildRequest.status == RequestStatus.ORIENTED.value,
                OrientationProposal.structure_id.in_(structure_ids),
            )
            .group_by(OrientationProposal.structure_id)
        ).all()
    )
    return present, expected


def _rank_one(
    profile: _Profile,
    structure: Structure,
    *,
    present: int,
    expected: int,
    reported: ReportedPlaces | None,
    minimum: float,
    proposal_status: str | None,
) -> dict:
    """Tier and one French line explaining it, for one structure and one child."""
    distance = distance_km(profile.exploitation_departement_code, structure.departement_code)
    exploited_overseas = departement_by_code(profile.exploitation_departement_code).overseas
    structure_overseas = departement_by_code(structure.departement_code).overseas
    if reported is not None:
        free = max(0, reported.free_places - expected)
        places_text = (
            f"{fr_number(reported.free_places)} place(s) libre(s) selon les chiffres hebdomadaires du "
            f"{fr_date(reported.reported_on)}"
        )
    else:
        free = max(0, structure.capacity - present - expected)
        places_text = f"capacité {fr_number(structure.capacity)}, {fr_number(present)} présent(s)"
    if expected:
        places_text += f", {fr_number(expected)} arrivée(s) attendue(s)"
    places_line = (
        f"{fr_number(free)} place(s) libre(s) ({places_text})" if free > 0 else f"aucune place libre ({places_text})"
    )

    profile_problems = []
    if not structure.age_min <= profile.age <= structure.age_max:
        profile_problems.append(f"accueille de {structure.age_min} à {structure.age_max} ans, pas {profile.age} ans")
    if structure.sexes and profile.sex not in structure.sexes:
        profile_problems.append(f"n'accueille pas : {Sex.label_of(profile.sex).lower()}")
    missing = [f for f in profile.forms if structure.exploitation_forms and f not in structure.exploitation_forms]
    if missing:
        profile_problems.append(
            "ne prend pas en charge : " + ", ".join(ExploitationForm.label_of(f).lower() for f in missing)
        )

    far_enough = distance >= minimum
    distance_line = (
        f"à {fr_number(distance)} km du lieu d'exploitation (minimum {fr_number(minimum)} km)"
        if far_enough
        else f"à {fr_number(distance)} km seulement du lieu d'exploitation (minimum {fr_number(minimum)} km)"
    )
    overseas_far = structure_overseas and not exploited_overseas

    if proposal_status in (ProposalStatus.REFUSED.value, ProposalStatus.WITHDRAWN.value):
        tier = 6
    elif profile_problems:
        tier = 5
    elif free <= 0:
        tier = 4
    elif not far_enough:
        tier = 3
    elif overseas_far:
        tier = 2
        distance_line = (
            f"outre-mer, à {fr_number(distance)} km : éloignement sûr mais déracinement, "
            "à réserver à une décision motivée"
        )
    else:
        tier = 1
    profile_line = (
        "; ".join(profile_problems) if profile_problems else "profil accepté (âge, sexe, formes d'exploitation)"
    )
    prefix = {
        ProposalStatus.PENDING.value: "Déjà proposée, en attente de réponse — ",
        ProposalStatus.ACCEPTED.value: "A accepté l'accueil — ",
        ProposalStatus.REFUSED.value: "A déjà refusé pour cet enfant — ",
        ProposalStatus.WITHDRAWN.value: "Proposition retirée pour cet enfant — ",
    }.get(proposal_status, "")
    return dict(
        tier=tier,
        distance=distance,
        free=free,
        overseas=structure_overseas,
        reason=f"{prefix}{TIER_LABELS[tier]} : {places_line} · {profile_line} · {distance_line}",
        exploited_overseas=exploited_overseas,
    )


def _profile(session, request: ChildRequest) -> _Profile:
    child = session.get(Child, request.child_id)
    return _Profile(
        age=request.child_age,
        sex=child.sex,
        forms=list(request.exploitation_forms),
        exploitation_departement_code=request.exploitation_departement_code,
    )


def placement_finder(*, actor: Actor, request_id: int) -> FinderResult:
    """Coordination only: every active structure ranked for this request, each with its one-line reason."""
    require(actor, Action.PATH_REQUEST_MANAGE)
    minimum = min_distance_km()
    with session_scope(actor) as session:
        request = session.get(ChildRequest, request_id)
        if request is None:
            raise NotFound(REQUEST_NOT_FOUND)
        profile = _profile(session, request)
        structures = session.exec(select(Structure).where(Structure.status == NetworkStatus.ACTIVE.value)).all()
        ids = [s.id for s in structures]
        present, expected = _occupancy(session, ids)
        existing = {}
        for structure_id, status in session.exec(
            select(OrientationProposal.structure_id, OrientationProposal.status)
            .where(OrientationProposal.request_id == request.id)
            .order_by(OrientationProposal.id)
        ):
            existing[structure_id] = status
        reported = reported_free_places(structure_ids=ids)
        ranked = []
        for s in structures:
            info = _rank_one(
                profile,
                s,
                present=present.get(s.id, 0),
                expected=expected.get(s.id, 0),
                reported=reported.get(s.id),
                minimum=minimum,
                proposal_status=existing.get(s.id),
            )
            ranked.append((s, info))
    far_first = not departement_by_code(profile.exploitation_departement_code).overseas
    ranked.sort(
        key=lambda item: (item[1]["tier"], -item[1]["distance"] if far_first else item[1]["distance"], item[0].name)
    )
    rows = [
        FinderRow(
            rank=index + 1,
            tier=info["tier"],
            verdict=TIER_LABELS[info["tier"]],
            reason=info["reason"],
            structure_id=s.id,
            structure_name=s.name,
            departement_code=s.departement_code,
            commune=s.commune,
            overseas=info["overseas"],
            distance_km=round(info["distance"], 1),
            free_places=info["free"],
            capacity=s.capacity,
            present=present.get(s.id, 0),
            expected=expected.get(s.id, 0),
            from_weekly_figures=s.id in reported,
            proposal_status=existing.get(s.id),
        )
        for index, (s, info) in enumerate(ranked)
    ]
    return FinderResult(
        rows=rows, min_distance_km=minimum, exploitation_departement_code=profile.exploitation_departement_code
    )


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
