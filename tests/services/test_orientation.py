from datetime import date, timedelta

import pytest

from core.access import REFUSED_STRUCTURE, SYSTEM
from core.errors import AccessDenied, ConcurrentEdit, ValidationFailed
from models.base import utcnow
from models.child import ProposalStatus, RequestStatus
from models.user import Role
from services.admin.settings import setting_set
from services.path import finder, orientation
from services.path.finder import ReportedPlaces
from services.path.requests import request_get
from tests.factories import make_oriented, make_placed, make_request, make_structure, make_user


def _names(result):
    return [row.structure_name for row in result.rows]


def test_child_exploited_in_93_finds_far_structures_with_places_first(db):
    coordinator = make_user(Role.COORDINATION)
    near = make_structure(name="Bobigny", departement_code="93")
    paris = make_structure(name="Paris", departement_code="75")
    lyon = make_structure(name="Lyon", departement_code="69")
    nice = make_structure(name="Nice", departement_code="06")
    full = make_structure(name="Toulouse complet", departement_code="31", capacity=1)
    boys = make_structure(name="Bordeaux garçons", departement_code="33", sexes=["M"])
    overseas = make_structure(name="La Réunion", departement_code="974")
    make_structure(name="Suspendue", departement_code="64", status="suspendu")
    make_placed(full.id, coordinator)
    request = make_request(coordinator)  # girl, 15, sexual exploitation in 93
    result = finder.placement_finder(actor=coordinator, request_id=request.id)
    assert _names(result) == ["Nice", "Lyon", "La Réunion", "Paris", "Bobigny", "Toulouse complet", "Bordeaux garçons"]
    assert [row.verdict for row in result.rows] == [
        "Recommandée",
        "Recommandée",
        "Outre-mer",
        "Trop proche",
        "Trop proche",
        "Complète",
        "Profil non accepté",
    ]
    first = result.rows[0]
    assert first.rank == 1 and first.free_places == 10 and first.distance_km == pytest.approx(657.8, abs=0.1)
    assert first.reason == (
        "Recommandée : 10 places libres (capacité 10, 0 présent) · profil accepté "
        "(âge, sexe, formes d'exploitation) · à 658 km du lieu d'exploitation (minimum 200 km)"
    )
    assert "à 12 km seulement du lieu d'exploitation (minimum 200 km)" in result.rows[3].reason
    assert "aucune place libre (capacité 1, 1 présent)" in result.rows[5].reason
    assert "n'accueille pas : fille" in result.rows[6].reason
    assert "outre-mer" in result.rows[2].reason and "décision motivée" in result.rows[2].reason
    assert near.id in {r.structure_id for r in result.rows} and paris.id and lyon.id and nice.id and boys.id
    assert overseas.id == result.rows[2].structure_id


def test_profile_checks_age_and_every_form(db):
    coordinator = make_user(Role.COORDINATION)
    make_structure(name="Grands", departement_code="06", age_min=16, age_max=17)
    make_structure(name="Sexuelle seulement", departement_code="13", exploitation_forms=["sexuelle"])
    make_structure(name="Toutes formes", departement_code="33", exploitation_forms=["sexuelle", "mendicite"])
    request = make_request(coordinator, child_age=14, exploitation_forms=["sexuelle", "mendicite"])
    rows = {r.structure_name: r for r in finder.placement_finder(actor=coordinator, request_id=request.id).rows}
    assert rows["Toutes formes"].tier == 1
    assert "accueille de 16 à 17 ans, pas 14 ans" in rows["Grands"].reason
    assert "ne prend pas en charge : mendicité forcée" in rows["Sexuelle seulement"].reason


def test_minimum_distance_is_a_coordination_setting(db):
    coordinator = make_user(Role.COORDINATION)
    make_structure(name="Lyon", departement_code="69")
    request = make_request(coordinator)
    assert finder.placement_finder(actor=coordinator, request_id=request.id).rows[0].tier == 1
    setting_set(actor=coordinator, key="path_min_distance_km", value=500)
    result = finder.placement_finder(actor=coordinator, request_id=request.id)
    assert result.min_distance_km == 500 and result.rows[0].tier == 3
    with pytest.raises(AccessDenied):
        setting_set(actor=make_user(Role.PARTENAIRE), key="path_min_distance_km", value=10)


def test_child_exploited_overseas_is_never_kept_in_the_same_territory_and_sees_the_nearest_first(db):
    coordinator = make_user(Role.COORDINATION)
    make_structure(name="Mamoudzou", departement_code="976")
    make_structure(name="Saint-Denis", departement_code="974")
    make_structure(name="Marseille", departement_code="13")
    request = make_request(coordinator, exploitation_departement_code="976", requester_departement_code="976")
    result = finder.placement_finder(actor=coordinator, request_id=request.id)
    assert _names(result) == ["Saint-Denis", "Marseille", "Mamoudzou"]
    assert [r.tier for r in result.rows] == [1, 1, 3]


def test_free_places_deduct_children_present_and_arrivals_expected(db):
    coordinator = make_user(Role.COORDINATION)
    structure = make_structure(name="Nice", departement_code="06", capacity=3)
    make_placed(structure.id, coordinator)
    make_oriented(structure.id, coordinator)
    request = make_request(coordinator)
    row = finder.placement_finder(actor=coordinator, request_id=request.id).rows[0]
    assert (row.capacity, row.present, row.expected, row.free_places) == (3, 1, 1, 1)
    assert "1 place libre (capacité 3, 1 présent, 1 arrivée attendue)" in row.reason


def test_weekly_figures_take_precedence_when_they_exist(db, monkeypatch):
    coordinator = make_user(Role.COORDINATION)
    structure = make_structure(name="Nice", departement_code="06", capacity=10)
    assert finder.reported_free_places(structure_ids=[structure.id]) == {}
    monkeypatch.setattr(
        finder,
        "reported_free_places",
        lambda *, structure_ids: {structure.id: ReportedPlaces(0, date(2025, 3, 3))},
    )
    request = make_request(coordinator)
    row = finder.placement_finder(actor=coordinator, request_id=request.id).rows[0]
    assert row.tier == 4 and row.from_weekly_figures
    assert "aucune place libre selon les chiffres hebdomadaires du 03/03/2025" in row.reason


def test_proposal_moves_the_request_and_keeps_the_reason(db):
    coordinator = make_user(Role.COORDINATION)
    structure = make_structure(name="Nice", departement_code="06")
    request = make_request(coordinator)
    proposal = orientation.proposal_create(actor=coordinator, request_id=request.id, structure_id=structure.id)
    assert proposal.status == ProposalStatus.PENDING.value and proposal.distance_km == pytest.approx(657.8, abs=0.1)
    assert proposal.finder_note.startswith("Recommandée : 10 places libres (capacité 10, 0 présent)")
    assert request_get(actor=coordinator, request_id=request.id).status == RequestStatus.IN_PROGRESS.value
    with pytest.raises(ValidationFailed, match=orientation.ALREADY_PROPOSED):
        orientation.proposal_create(actor=coordinator, request_id=request.id, structure_id=structure.id)
    row = finder.placement_finder(actor=coordinator, request_id=request.id).rows[0]
    assert row.proposal_status == ProposalStatus.PENDING.value and not row.can_propose
    assert row.reason.startswith("Déjà proposée, en attente de réponse")


def test_proposal_refused_for_inactive_structure_or_bad_dates(db):
    coordinator = make_user(Role.COORDINATION)
    suspended = make_structure(status="suspendu")
    request = make_request(coordinator)
    with pytest.raises(ValidationFailed) as raised:
        orientation.proposal_create(
            actor=coordinator,
            request_id=request.id,
            structure_id=suspended.id,
            at=request.received_at - timedelta(hours=1),
        )
    assert {e.message for e in raised.value.errors} == {orientation.STRUCTURE_NOT_ACTIVE, orientation.AT_BEFORE_REQUEST}


def test_acceptance_orients_the_request_and_withdraws_the_other_proposals(db):
    coordinator = make_user(Role.COORDINATION)
    first, second = make_structure(departement_code="06"), make_structure(departement_code="33")
    partner = make_user(Role.PARTENAIRE, structure_id=first.id)
    request = make_request(coordinator)
    p1 = orientation.proposal_create(actor=coordinator, request_id=request.id, structure_id=first.id)
    p2 = orientation.proposal_create(actor=coordinator, request_id=request.id, structure_id=second.id)
    accepted = orientation.proposal_answer(
        actor=partner, proposal_id=p1.id, expected_version=p1.version, accepted=True, detail="Chambre prête"
    )
    assert accepted.status == ProposalStatus.ACCEPTED.value and accepted.answered_by == partner.username
    detail = request_get(actor=coordinator, request_id=request.id)
    assert detail.status == RequestStatus.ORIENTED.value
    assert {p.id: p.status for p in detail.proposals} == {p1.id: "acceptee", p2.id: "retiree"}
    with pytest.raises(ValidationFailed, match=orientation.PROPOSE_ORIENTED):
        orientation.proposal_create(actor=coordinator, request_id=request.id, structure_id=second.id)
    with pytest.raises(ValidationFailed, match=orientation.ANSWER_NOT_PENDING):
        orientation.proposal_answer(
            actor=coordinator, proposal_id=p2.id, expected_version=p2.version + 1, accepted=True
        )


def test_refusal_needs_a_reason_and_leaves_the_orientation_in_progress(db):
    coordinator = make_user(Role.COORDINATION)
    structure = make_structure()
    partner = make_user(Role.PARTENAIRE, structure_id=structure.id)
    request = make_request(coordinator)
    proposal = orientation.proposal_create(actor=coordinator, request_id=request.id, structure_id=structure.id)
    with pytest.raises(ValidationFailed) as raised:
        orientation.proposal_answer(
            actor=partner, proposal_id=proposal.id, expected_version=proposal.version, accepted=False
        )
    assert [e.message for e in raised.value.errors] == [orientation.REFUSAL_REASON_REQUIRED]
    with pytest.raises(ValidationFailed, match=orientation.DETAIL_REQUIRED):
        orientation.proposal_answer(
            actor=partner,
            proposal_id=proposal.id,
            expected_version=proposal.version,
            accepted=False,
            refusal_reason="autre",
        )
    refused = orientation.proposal_answer(
        actor=partner,
        proposal_id=proposal.id,
        expected_version=proposal.version,
        accepted=False,
        refusal_reason="pas_de_place",
    )
    assert refused.status == ProposalStatus.REFUSED.value
    assert request_get(actor=coordinator, request_id=request.id).status == RequestStatus.IN_PROGRESS.value
    row = finder.placement_finder(actor=coordinator, request_id=request.id).rows[-1]
    assert row.tier == 6 and row.reason.startswith("A déjà refusé pour cet enfant") and row.can_propose


def test_partner_cannot_answer_for_another_structure(db):
    coordinator = make_user(Role.COORDINATION)
    mine, theirs = make_structure(), make_structure()
    partner = make_user(Role.PARTENAIRE, structure_id=mine.id)
    request = make_request(coordinator)
    proposal = orientation.proposal_create(actor=coordinator, request_id=request.id, structure_id=theirs.id)
    with pytest.raises(AccessDenied, match=REFUSED_STRUCTURE):
        orientation.proposal_answer(
            actor=partner, proposal_id=proposal.id, expected_version=proposal.version, accepted=True
        )
    with pytest.raises(AccessDenied, match=REFUSED_STRUCTURE):
        orientation.consent_record(
            actor=partner,
            proposal_id=proposal.id,
            expected_version=proposal.version,
            assent_obtained=True,
            authority_basis="accord_parental",
        )


@pytest.mark.parametrize("role", [Role.PARTENAIRE, Role.FINANCEUR])
def test_only_the_coordination_searches_and_proposes(db, role):
    actor = make_user(role)
    request = make_request()
    with pytest.raises(AccessDenied):
        finder.placement_finder(actor=actor, request_id=request.id)
    with pytest.raises(AccessDenied):
        orientation.proposal_create(actor=actor, request_id=request.id, structure_id=make_structure().id)


def test_funder_cannot_answer_or_record_consent(db):
    structure = make_structure()
    request = make_request()
    proposal = orientation.proposal_create(actor=SYSTEM, request_id=request.id, structure_id=structure.id)
    funder = make_user(Role.FINANCEUR)
    with pytest.raises(AccessDenied):
        orientation.proposal_answer(
            actor=funder, proposal_id=proposal.id, expected_version=proposal.version, accepted=True
        )


def test_consent_records_assent_and_authority_or_why_not(db):
    coordinator = make_user(Role.COORDINATION)
    structure = make_structure()
    request, proposal = make_oriented(structure.id, coordinator, consent=False)
    assert not proposal.consent_complete
    with pytest.raises(ValidationFailed) as raised:
        orientation.consent_record(
            actor=coordinator,
            proposal_id=proposal.id,
            expected_version=proposal.version,
            assent_obtained=False,
            authority_basis="non_obtenu",
        )
    assert {e.message for e in raised.value.errors} == {
        orientation.ASSENT_REASON_REQUIRED,
        orientation.AUTHORITY_REASON_REQUIRED,
    }
    with pytest.raises(ValidationFailed) as raised:
        orientation.consent_record(
            actor=coordinator,
            proposal_id=proposal.id,
            expected_version=proposal.version,
            assent_obtained=None,
            authority_basis=None,
        )
    assert {e.message for e in raised.value.errors} == {orientation.ASSENT_REQUIRED, orientation.AUTHORITY_REQUIRED}
    recorded = orientation.consent_record(
        actor=coordinator,
        proposal_id=proposal.id,
        expected_version=proposal.version,
        assent_obtained=False,
        assent_missing_reason="Enfant hospitalisé, inconscient",
        authority_basis="non_obtenu",
        authority_missing_reason="Parents injoignables, saisine du parquet en cours",
    )
    assert recorded.consent_complete and recorded.consent_recorded_by == coordinator.username
    with pytest.raises(ConcurrentEdit):
        orientation.consent_record(
            actor=coordinator,
            proposal_id=proposal.id,
            expected_version=proposal.version,
            assent_obtained=True,
            authority_basis="accord_parental",
        )


def test_withdrawing_the_accepted_proposal_reopens_the_orientation(db):
    coordinator = make_user(Role.COORDINATION)
    structure = make_structure()
    request, proposal = make_oriented(structure.id, coordinator)
    withdrawn = orientation.proposal_withdraw(
        actor=coordinator, proposal_id=proposal.id, expected_version=proposal.version, detail="Enfant réorienté"
    )
    assert withdrawn.status == ProposalStatus.WITHDRAWN.value
    detail = request_get(actor=coordinator, request_id=request.id)
    assert detail.status == RequestStatus.IN_PROGRESS.value and detail.oriented_at is None
    placed_request, placement = make_placed(make_structure().id, coordinator)
    accepted = request_get(actor=coordinator, request_id=placed_request.id).accepted_proposal
    with pytest.raises(ValidationFailed, match=orientation.WITHDRAW_PLACED):
        orientation.proposal_withdraw(actor=coordinator, proposal_id=accepted.id, expected_version=accepted.version)


def test_answer_cannot_be_dated_in_the_future(db):
    coordinator = make_user(Role.COORDINATION)
    structure = make_structure()
    request = make_request(coordinator)
    proposal = orientation.proposal_create(actor=coordinator, request_id=request.id, structure_id=structure.id)
    with pytest.raises(ValidationFailed, match=orientation.AT_FUTURE):
        orientation.proposal_answer(
            actor=coordinator,
            proposal_id=proposal.id,
            expected_version=proposal.version,
            accepted=True,
            at=utcnow() + timedelta(days=1),
        )


def test_finder_reads_free_places_from_the_latest_weekly_figures(db):
    from services.weekly.weeks import monday_of
    from tests.factories import make_weekly_elements, make_weekly_report

    coordinator = make_user(Role.COORDINATION)
    reported = make_structure(name="Nice", departement_code="06")
    silent = make_structure(name="Lyon", departement_code="69")
    make_weekly_elements()
    now = utcnow()
    this_week = monday_of(now.date())
    make_weekly_report(reported.id, this_week - timedelta(weeks=2), now=now, places_disponibles=5, enfants_presents=5)
    make_weekly_report(reported.id, this_week - timedelta(weeks=1), now=now, places_disponibles=0, enfants_presents=10)
    request = make_request(coordinator)
    rows = {r.structure_name: r for r in finder.placement_finder(actor=coordinator, request_id=request.id).rows}
    assert rows["Nice"].from_weekly_figures and rows["Nice"].free_places == 0 and rows["Nice"].verdict == "Complète"
    assert not rows["Lyon"].from_weekly_figures and rows["Lyon"].free_places == 10
    assert finder.reported_free_places(structure_ids=[silent.id]) == {}
