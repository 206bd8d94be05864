"""One request as the coordination reads it: the child, the proposals with their consents, the
placement and its events, and the history of the whole path in time order (what pages show).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime

from sqlmodel import select

from core.formatting import PARIS, fr_date
from models.base import utcnow
from models.child import (
    Child,
    ChildRequest,
    ClosureReason,
    OrientationProposal,
    Placement,
    PlacementEvent,
    PlacementEventKind,
    ProposalStatus,
    RequesterKind,
)
from models.structure import Structure
from services.people import people_names


@dataclass(frozen=True)
class EventView:
    kind: str
    occurred_on: date
    recorded_by: str


@dataclass(frozen=True)
class PlacementView:
    id: int
    version: int
    structure_id: int
    structure_name: str
    arrival_date: date
    end_date: date | None
    exit_reason: str | None
    exit_detail: str | None
    distance_km: float | None
    events: list[EventView] = field(default_factory=list)

    @property
    def on_runaway(self) -> bool:
        return bool(self.events) and self.events[-1].kind == PlacementEventKind.RUNAWAY.value

    @property
    def is_open(self) -> bool:
        return self.end_date is None


@dataclass(frozen=True)
class ProposalView:
    id: int
    version: int
    structure_id: int
    structure_name: str
    structure_departement_code: str
    status: str
    distance_km: float | None
    finder_note: str | None
    proposed_at: datetime
    proposed_by: str
    answered_at: datetime | None
    answered_by: str | None
    refusal_reason: str | None
    answer_detail: str | None
    assent_obtained: bool | None
    assent_missing_reason: str | None
    authority_basis: str | None
    authority_missing_reason: str | None
    consent_recorded_at: datetime | None
    consent_recorded_by: str | None

    @property
    def consent_complete(self) -> bool:
        return consent_complete(self)


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    text: str
    timed: bool = True  # False: a day-only fact (arrival, runaway, exit), shown without a time


@dataclass(frozen=True)
class RequestDetail:
    id: int
    version: int
    code: str
    child_id: int
    child_age: int
    sex: str
    nationality_group: str | None
    received_at: datetime
    received_on: date
    age_hours: int
    requester_kind: str
    requester_departement_code: str
    exploitation_forms: list[str]
    exploitation_departement_code: str
    risk_flags: list[str]
    status: str
    oriented_at: datetime | None
    closed_at: datetime | None
    closure_reason: str | None
    closure_detail: str | None
    created_by: str
    proposals: list[ProposalView]
    placement: PlacementView | None
    history: list[HistoryLine]

    @property
    def accepted_proposal(self) -> ProposalView | None:
        return next((p for p in self.proposals if p.status == ProposalStatus.ACCEPTED.value), None)


def consent_complete(proposal) -> bool:
    """The child's assent and the authority's consent (or the judge's order) are recorded, or why not."""
    from models.child import AuthorityBasis

    assent = proposal.assent_obtained is True or (
        proposal.assent_obtained is False and bool((proposal.assent_missing_reason or "").strip())
    )
    authority = proposal.authority_basis is not None and (
        proposal.authority_basis != AuthorityBasis.NOT_OBTAINED.value
        or bool((proposal.authority_missing_reason or "").strip())
    )
    return assent and authority


def hours_since(value: datetime, now: datetime | None = None) -> int:
    return max(0, int(((now or utcnow()) - value).total_seconds() // 3600))


def _detail(session, request: ChildRequest) -> RequestDetail:
    child = session.get(Child, request.child_id)
    proposals = [
        _proposal_view(p, name, dep)
        for p, name, dep in session.exec(
            select(OrientationProposal, Structure.name, Structure.departement_code)
            .join(Structure, Structure.id == OrientationProposal.structure_id)
            .where(OrientationProposal.request_id == request.id)
            .order_by(OrientationProposal.id)
        )
    ]
    placement = None
    row = session.exec(
        select(Placement, Structure.name)
        .join(Structure, Structure.id == Placement.structure_id)
        .where(Placement.request_id == request.id)
    ).first()
    if row is not None:
        placement = placement_view(session, row[0], row[1])
    proposals, placement, created_by = _with_names(session, request.created_by, proposals, placement)
    return RequestDetail(
        id=request.id,
        version=request.version,
        code=child.code,
        child_id=child.id,
        child_age=request.child_age,
        sex=child.sex,
        nationality_group=child.nationality_group,
        received_at=request.received_at,
        received_on=request.received_on,
        age_hours=hours_since(request.received_at),
        requester_kind=request.requester_kind,
        requester_departement_code=request.requester_departement_code,
        exploitation_forms=list(request.exploitation_forms),
        exploitation_departement_code=request.exploitation_departement_code,
        risk_flags=list(request.risk_flags),
        status=request.status,
        oriented_at=request.oriented_at,
        closed_at=request.closed_at,
        closure_reason=request.closure_reason,
        closure_detail=request.closure_detail,
        created_by=created_by,
        proposals=proposals,
        placement=placement,
        history=_history(request, created_by, proposals, placement),
    )


def _with_names(
    session, created_by: str, proposals: list[ProposalView], placement: PlacementView | None
) -> tuple[list[ProposalView], PlacementView | None, str]:
    """The same views with people's names instead of their log-ins (one query for all of them)."""
    events = placement.events if placement else []
    names = people_names(
        session,
        [created_by, *(e.recorded_by for e in events)]
        + [login for p in proposals for login in (p.proposed_by, p.answered_by, p.consent_recorded_by)],
    )

    def name(login: str | None) -> str | None:
        return names.get(login, login) if login else login

    proposals = [
        replace(
            p,
            proposed_by=names.get(p.proposed_by, p.proposed_by),
            answered_by=name(p.answered_by),
            consent_recorded_by=name(p.consent_recorded_by),
        )
        for p in proposals
    ]
    if placement is not None:
        placement = replace(
            placement, events=[replace(e, recorded_by=names.get(e.recorded_by, e.recorded_by)) for e in events]
        )
    return proposals, placement, names.get(created_by, created_by)


def _proposal_view(p: OrientationProposal, structure_name: str, departement_code: str) -> ProposalView:
    return ProposalView(
        id=p.id,
        version=p.version,
        structure_id=p.structure_id,
        structure_name=structure_name,
        structure_departement_code=departement_code,
        status=p.status,
        distance_km=p.distance_km,
        finder_note=p.finder_note,
        proposed_at=p.proposed_at,
        proposed_by=p.proposed_by,
        answered_at=p.answered_at,
        answered_by=p.answered_by,
        refusal_reason=p.refusal_reason,
        answer_detail=p.answer_detail,
        assent_obtained=p.assent_obtained,
        assent_missing_reason=p.assent_missing_reason,
        authority_basis=p.authority_basis,
        authority_missing_reason=p.authority_missing_reason,
        consent_recorded_at=p.consent_recorded_at,
        consent_recorded_by=p.consent_recorded_by,
    )


def placement_view(session, placement: Placement, structure_name: str) -> PlacementView:
    events = session.exec(
        select(PlacementEvent)
        .where(PlacementEvent.placement_id == placement.id)
        .order_by(PlacementEvent.occurred_on, PlacementEvent.id)
    ).all()
    return PlacementView(
        id=placement.id,
        version=placement.version,
        structure_id=placement.structure_id,
        structure_name=structure_name,
        arrival_date=placement.arrival_date,
        end_date=placement.end_date,
        exit_reason=placement.exit_reason,
        exit_detail=placement.exit_detail,
        distance_km=placement.distance_km,
        events=[EventView(e.kind, e.occurred_on, e.recorded_by) for e in events],
    )


def _day(value: date) -> datetime:
    """A day-only fact sorts after the timed facts of the same day (arrival comes after the acceptance)."""
    return datetime(value.year, value.month, value.day, 23, 59, 59, tzinfo=PARIS)


def _history(
    request: ChildRequest, created_by: str, proposals: list[ProposalView], placement: PlacementView | None
) -> list[HistoryLine]:
    from models.child import AuthorityBasis, ExitReason, RefusalReason

    lines = [
        HistoryLine(
            request.received_at,
            f"Sollicitation reçue ({RequesterKind.label_of(request.requester_kind)}, enregistrée par {created_by})",
        )
    ]
    for p in proposals:
        distance = f", à {round(p.distance_km)} km" if p.distance_km is not None else ""
        lines.append(
            HistoryLine(p.proposed_at, f"Orientation proposée à {p.structure_name}{distance} (par {p.proposed_by})")
        )
        if p.answered_at and p.status == ProposalStatus.ACCEPTED.value:
            lines.append(
                HistoryLine(p.answered_at, f"{p.structure_name} accepte l'accueil (réponse saisie par {p.answered_by})")
            )
        elif p.answered_at and p.status == ProposalStatus.REFUSED.value:
            detail = f" — {p.answer_detail}" if p.answer_detail else ""
            lines.append(
                HistoryLine(
                    p.answered_at, f"{p.structure_name} refuse : {RefusalReason.label_of(p.refusal_reason)}{detail}"
                )
            )
        elif p.answered_at and p.status == ProposalStatus.WITHDRAWN.value:
            lines.append(
                HistoryLine(
                    p.answered_at,
                    f"Proposition à {p.structure_name} retirée" + (f" ({p.answer_detail})" if p.answer_detail else ""),
                )
            )
        if p.consent_recorded_at:
            assent = (
                "assentiment de l'enfant recueilli"
                if p.assent_obtained
                else f"assentiment non recueilli ({p.assent_missing_reason})"
            )
            authority = AuthorityBasis.label_of(p.authority_basis)
            authority = f"autorité parentale : {authority[:1].lower()}{authority[1:]}"
            if p.authority_basis == AuthorityBasis.NOT_OBTAINED.value:
                authority = f"autorité parentale : non obtenu ({p.authority_missing_reason})"
            lines.append(
                HistoryLine(
                    p.consent_recorded_at,
                    f"Consentements enregistrés : {assent} ; {authority} (par {p.consent_recorded_by})",
                )
            )
    if placement is not None:
        lines.append(
            HistoryLine(
                _day(placement.arrival_date),
                f"Arrivée à {placement.structure_name} le {fr_date(placement.arrival_date)}",
                False,
            )
        )
        for event in placement.events:
            text = "Fugue" if event.kind == PlacementEventKind.RUNAWAY.value else "Retour de fugue"
            lines.append(
                HistoryLine(
                    _day(event.occurred_on),
                    f"{text} le {fr_date(event.occurred_on)} (signalé par {event.recorded_by})",
                    False,
                )
            )
        if placement.end_date:
            detail = f" — {placement.exit_detail}" if placement.exit_detail else ""
            lines.append(
                HistoryLine(
                    _day(placement.end_date),
                    f"Sortie le {fr_date(placement.end_date)} : {ExitReason.label_of(placement.exit_reason)}{detail}",
                    False,
                )
            )
    if request.closed_at:
        detail = f" — {request.closure_detail}" if request.closure_detail else ""
        lines.append(
            HistoryLine(
                request.closed_at,
                f"Sollicitation close sans placement : {ClosureReason.label_of(request.closure_reason)}{detail}",
            )
        )
    return sorted(lines, key=lambda line: line.at)
