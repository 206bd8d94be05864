"""The placement finder: which structures suit a request best.

It ranks the ACTIVE structures for one request:

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
from datetime import date

from sqlmodel import func, select

from core.access import Action, Actor, require
from core.db import session_scope
from core.errors import NotFound
from core.formatting import fr_date, fr_number
from models.child import (
    Child,
    ChildRequest,
    OrientationProposal,
    Placement,
    ProposalStatus,
    RequestStatus,
)
from models.structure import ExploitationForm, NetworkStatus, Sex, Structure
from services.admin.settings import setting_get
from services.directory.reference_data import departement_by_code, distance_km
from services.path.requests import REQUEST_NOT_FOUND

MIN_DISTANCE_KEY = "path_min_distance_km"

TIER_LABELS = {
    1: "Recommandée",
    2: "Outre-mer",
    3: "Trop proche",
    4: "Complète",
    5: "Profil non accepté",
    6: "Déjà refusée",
}


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
    from services.weekly.schedule import weekly_latest_free_places_dated

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


def _count(n: int, one: str, many: str) -> str:
    """A count with its noun, singular for 0 and 1 as in French.

    >>> _count(1, "place libre", "places libres"), _count(3, "place libre", "places libres")
    ('1 place libre', '3 places libres')
    """
    return f"{fr_number(n)} {one if n <= 1 else many}"


def _free(structure: Structure, *, present: int, expected: int, reported: ReportedPlaces | None) -> int:
    """Free places once the expected arrivals are in: from the weekly figures when there are some."""
    if reported is not None:
        return max(0, reported.free_places - expected)
    return max(0, structure.capacity - present - expected)


def _places_line(structure: Structure, *, present: int, expected: int, reported: ReportedPlaces | None) -> str:
    """The free places said once, with where the number comes from.

    >>> from datetime import date
    >>> home = Structure(name="Nice", capacity=10)
    >>> week = ReportedPlaces(free_places=4, reported_on=date(2025, 3, 3))
    >>> _places_line(home, present=7, expected=0, reported=None)
    '3 places libres (capacité 10, 7 présents)'
    >>> _places_line(home, present=7, expected=0, reported=week)
    '4 places libres selon les chiffres hebdomadaires du 03/03/2025'
    >>> _places_line(home, present=7, expected=1, reported=week)
    '3 places libres (4 selon les chiffres hebdomadaires du 03/03/2025, moins 1 arrivée attendue)'
    >>> _places_line(home, present=10, expected=0, reported=None)
    'aucune place libre (capacité 10, 10 présents)'
    """
    free = _free(structure, present=present, expected=expected, reported=reported)
    arrivals = _count(expected, "arrivée attendue", "arrivées attendues")
    if reported is not None:
        source = f"selon les chiffres hebdomadaires du {fr_date(reported.reported_on)}"
        detail = f"{fr_number(reported.free_places)} {source}, moins {arrivals}" if expected else None
    else:
        source = ""
        detail = f"capacité {fr_number(structure.capacity)}, {_count(present, 'présent', 'présents')}"
        detail += f", {arrivals}" if expected else ""
    head = _count(free, "place libre", "places libres") if free > 0 else "aucune place libre"
    return f"{head} ({detail})" if detail else f"{head} {source}"


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
    places_line = _places_line(structure, present=present, expected=expected, reported=reported)
    free = _free(structure, present=present, expected=expected, reported=reported)

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
