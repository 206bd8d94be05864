from datetime import timedelta

import pytest

from core.access import REFUSED_STRUCTURE
from core.clock import paris_date
from core.errors import AccessDenied, ConcurrentEdit, ValidationFailed
from models.base import utcnow
from models.child import RequestStatus
from models.user import Role
from services.path import placements
from services.path.child_access import child_access_list
from services.path.orientation import consent_record, proposal_create
from services.path.requests import RequestCreate, request_create, request_get
from tests.factories import make_oriented, make_placed, make_request, make_structure, make_user

TODAY = paris_date(utcnow())


def test_arrival_places_the_child_and_keeps_the_distance(db):
    coordinator = make_user(Role.COORDINATION)
    structure = make_structure(departement_code="06")
    partner = make_user(Role.PARTENAIRE, structure_id=structure.id)
    request, proposal = make_oriented(structure.id, coordinator)
    placement = placements.placement_arrival(
        actor=partner, proposal_id=proposal.id, expected_version=proposal.version, arrival_date=TODAY
    )
    assert placement.arrival_date == TODAY and placement.is_open and placement.distance_km == proposal.distance_km
    assert request_get(actor=coordinator, request_id=request.id).status == RequestStatus.PLACED.value


def test_arrival_needs_the_consents_recorded(db):
    coordinator = make_user(Role.COORDINATION)
    structure = make_structure()
    _, proposal = make_oriented(structure.id, coordinator, consent=False)
    with pytest.raises(ValidationFailed) as raised:
        placements.placement_arrival(
            actor=coordinator, proposal_id=proposal.id, expected_version=proposal.version, arrival_date=TODAY
        )
    assert [(e.field, e.message) for e in raised.value.errors] == [("Consentements", placements.CONSENT_MISSING)]


def test_arrival_needs_an_accepted_proposal(db):
    coordinator = make_user(Role.COORDINATION)
    structure = make_structure()
    request = make_request(coordinator)
    proposal = proposal_create(actor=coordinator, request_id=request.id, structure_id=structure.id)
    proposal = consent_record(
        actor=coordinator,
        proposal_id=proposal.id,
        expected_version=proposal.version,
        assent_obtained=True,
        authority_basis="accord_parental",
    )
    with pytest.raises(ValidationFailed, match=placements.ARRIVAL_NOT_ACCEPTED):
        placements.placement_arrival(
            actor=coordinator, proposal_id=proposal.id, expected_version=proposal.version, arrival_date=TODAY
        )


def test_arrival_dates_in_order(db):
    coordinator = make_user(Role.COORDINATION)
    structure = make_structure()
    request, proposal = make_oriented(structure.id, coordinator)
    for day, message in [
        (None, placements.DATE_REQUIRED),
        (TODAY + timedelta(days=1), placements.DATE_FUTURE),
        (request.received_on - timedelta(days=1), placements.arrival_before_request(request.received_on)),
    ]:
        with pytest.raises(ValidationFailed) as raised:
            placements.placement_arrival(
                actor=coordinator, proposal_id=proposal.id, expected_version=proposal.version, arrival_date=day
            )
        assert [e.message for e in raised.value.errors] == [message]


def test_no_two_open_placements_for_one_child(db):
    coordinator = make_user(Role.COORDINATION)
    first, second = make_structure(), make_structure()
    request, placement = make_placed(first.id, coordinator)
    placements.placement_exit(
        actor=coordinator,
        placement_id=placement.id,
        expected_version=placement.version,
        end_date=TODAY,
        reason="reorientation",
    )
    renewed = request_create(
        actor=coordinator,
        data=RequestCreate(
            received_at=utcnow() - timedelta(hours=1),
            child_age=15,
            sex="F",
            requester_kind="ase_crip",
            requester_departement_code="06",
            exploitation_forms=["sexuelle"],
            exploitation_departement_code="93",
            existing_child_code=request.code,
        ),
    )
    proposal = proposal_create(actor=coordinator, request_id=renewed.id, structure_id=second.id)
    from services.path.orientation import proposal_answer

    proposal = proposal_answer(
        actor=coordinator, proposal_id=proposal.id, expected_version=proposal.version, accepted=True
    )
    proposal = consent_record(
        actor=coordinator,
        proposal_id=proposal.id,
        expected_version=proposal.version,
        assent_obtained=True,
        authority_basis="accord_service_gardien",
    )
    # Reopen the first placement behind the service's back to prove the rule is checked.
    from core.db import session_scope
    from models.child import Placement

    with session_scope(coordinator) as session:
        row = session.get(Placement, placement.id)
        row.end_date, row.exit_reason = None, None
        session.add(row)
    with pytest.raises(ValidationFailed) as raised:
        placements.placement_arrival(
            actor=coordinator, proposal_id=proposal.id, expected_version=proposal.version, arrival_date=TODAY
        )
    assert [e.message for e in raised.value.errors] == [placements.OPEN_PLACEMENT_EXISTS]


def test_the_database_also_refuses_two_open_placements(db):
    import sqlalchemy as sa

    from core.db import session_scope
    from models.child import Placement

    coordinator = make_user(Role.COORDINATION)
    structure = make_structure()
    request, placement = make_placed(structure.id, coordinator)
    with pytest.raises(sa.exc.IntegrityError):
        with session_scope(coordinator) as session:
            session.add(Placement(child_id=request.child_id, structure_id=structure.id, arrival_date=TODAY))


def test_runaway_and_return_during_a_placement(db):
    coordinator = make_user(Role.COORDINATION)
    structure = make_structure()
    partner = make_user(Role.PARTENAIRE, structure_id=structure.id)
    arrival = TODAY - timedelta(days=10)
    _, placement = make_placed(structure.id, coordinator, arrival_date=arrival)
    with pytest.raises(ValidationFailed, match=placements.RETURN_NOT_RUNAWAY):
        placements.placement_return(
            actor=partner, placement_id=placement.id, expected_version=placement.version, occurred_on=TODAY
        )
    with pytest.raises(ValidationFailed) as raised:
        placements.placement_runaway(
            actor=partner,
            placement_id=placement.id,
            expected_version=placement.version,
            occurred_on=arrival - timedelta(days=1),
        )
    assert [e.message for e in raised.value.errors] == [placements.date_before("l'arrivée", arrival)]
    placement = placements.placement_runaway(
        actor=partner,
        placement_id=placement.id,
        expected_version=placement.version,
        occurred_on=arrival + timedelta(days=3),
    )
    assert placement.on_runaway and placement.is_open
    with pytest.raises(ValidationFailed, match=placements.RUNAWAY_ALREADY):
        placements.placement_runaway(
            actor=partner, placement_id=placement.id, expected_version=placement.version, occurred_on=TODAY
        )
    with pytest.raises(ValidationFailed) as raised:
        placements.placement_return(
            actor=partner,
            placement_id=placement.id,
            expected_version=placement.version,
            occurred_on=arrival + timedelta(days=2),
        )
    assert [e.message for e in raised.value.errors] == [
        placements.date_before("le dernier événement", arrival + timedelta(days=3))
    ]
    placement = placements.placement_return(
        actor=partner,
        placement_id=placement.id,
        expected_version=placement.version,
        occurred_on=arrival + timedelta(days=5),
    )
    assert not placement.on_runaway and [e.kind for e in placement.events] == ["fugue", "retour"]
    with pytest.raises(ConcurrentEdit):
        placements.placement_runaway(
            actor=partner, placement_id=placement.id, expected_version=placement.version - 1, occurred_on=TODAY
        )


def test_exit_with_reason_and_dates_in_order(db):
    coordinator = make_user(Role.COORDINATION)
    structure = make_structure()
    partner = make_user(Role.PARTENAIRE, structure_id=structure.id)
    arrival = TODAY - timedelta(days=20)
    request, placement = make_placed(structure.id, coordinator, arrival_date=arrival)
    with pytest.raises(ValidationFailed) as raised:
        placements.placement_exit(
            actor=partner,
            placement_id=placement.id,
            expected_version=placement.version,
            end_date=arrival - timedelta(days=1),
            reason=None,
        )
    assert {e.message for e in raised.value.errors} == {
        placements.date_before("l'arrivée", arrival),
        placements.EXIT_REASON_REQUIRED,
    }
    with pytest.raises(ValidationFailed, match=placements.DETAIL_REQUIRED):
        placements.placement_exit(
            actor=partner, placement_id=placement.id, expected_version=placement.version, end_date=TODAY, reason="autre"
        )
    ended = placements.placement_exit(
        actor=partner,
        placement_id=placement.id,
        expected_version=placement.version,
        end_date=TODAY,
        reason="transfert_ase",
    )
    assert ended.end_date == TODAY and ended.exit_reason == "transfert_ase" and not ended.is_open
    with pytest.raises(ValidationFailed, match=placements.EXIT_ALREADY):
        placements.placement_exit(
            actor=partner,
            placement_id=placement.id,
            expected_version=ended.version,
            end_date=TODAY,
            reason="transfert_ase",
        )
    assert request_get(actor=coordinator, request_id=request.id).history[-1].text.startswith("Sortie le ")


def test_partner_cannot_touch_another_structures_child(db):
    coordinator = make_user(Role.COORDINATION)
    mine, theirs = make_structure(), make_structure()
    partner = make_user(Role.PARTENAIRE, structure_id=mine.id)
    request, placement = make_placed(theirs.id, coordinator)
    other_request, other_proposal = make_oriented(theirs.id, coordinator)
    calls = [
        lambda: placements.placement_runaway(
            actor=partner, placement_id=placement.id, expected_version=placement.version, occurred_on=TODAY
        ),
        lambda: placements.placement_return(
            actor=partner, placement_id=placement.id, expected_version=placement.version, occurred_on=TODAY
        ),
        lambda: placements.placement_exit(
            actor=partner, placement_id=placement.id, expected_version=placement.version, end_date=TODAY, reason="fugue"
        ),
        lambda: placements.placement_arrival(
            actor=partner, proposal_id=other_proposal.id, expected_version=other_proposal.version, arrival_date=TODAY
        ),
        lambda: placements.structure_child_open(actor=partner, child_id=request.child_id),
        lambda: placements.structure_children(actor=partner, structure_id=theirs.id),
    ]
    for call in calls:
        with pytest.raises(AccessDenied, match=REFUSED_STRUCTURE):
            call()
    assert placements.structure_children(actor=partner).present == []


@pytest.mark.parametrize("role", [Role.FINANCEUR])
def test_funders_never_see_a_child(db, role):
    structure = make_structure()
    request, placement = make_placed(structure.id)
    funder = make_user(role)
    with pytest.raises(AccessDenied):
        placements.structure_children(actor=funder, structure_id=structure.id)
    with pytest.raises(AccessDenied):
        placements.structure_child_open(actor=funder, child_id=request.child_id, structure_id=structure.id)


def test_partner_lists_only_its_own_children(db):
    coordinator = make_user(Role.COORDINATION)
    mine, theirs = make_structure(name="Chez nous"), make_structure()
    partner = make_user(Role.PARTENAIRE, structure_id=mine.id)
    present_request, _ = make_placed(mine.id, coordinator, arrival_date=TODAY - timedelta(days=3))
    expected_request, _ = make_oriented(mine.id, coordinator)
    pending_request = make_request(coordinator)
    proposal_create(actor=coordinator, request_id=pending_request.id, structure_id=mine.id)
    exited_request, exited = make_placed(mine.id, coordinator, arrival_date=TODAY - timedelta(days=30))
    placements.placement_exit(
        actor=coordinator,
        placement_id=exited.id,
        expected_version=exited.version,
        end_date=TODAY - timedelta(days=2),
        reason="fin_prise_en_charge",
    )
    make_placed(theirs.id, coordinator)
    lists = placements.structure_children(actor=partner)
    assert lists.structure_name == "Chez nous"
    assert [line.code for line in lists.present] == [present_request.code]
    assert [line.code for line in lists.expected] == [expected_request.code]
    assert [line.code for line in lists.pending] == [pending_request.code]
    assert [line.code for line in lists.recent_exits] == [exited_request.code]
    assert lists.expected[0].consent_complete and lists.pending[0].waiting_hours == 0


def test_every_opening_of_a_childs_record_is_logged_for_the_coordination(db):
    coordinator = make_user(Role.COORDINATION, username="claire")
    structure = make_structure(name="Chez nous")
    partner = make_user(Role.PARTENAIRE, structure_id=structure.id, username="julien")
    request, placement = make_placed(structure.id, coordinator)
    card = placements.structure_child_open(actor=partner, child_id=request.child_id)
    assert card.code == request.code and card.placement.id == placement.id
    request_get(actor=coordinator, request_id=request.id)
    request_get(actor=coordinator, request_id=request.id)  # the same page re-running: one opening
    log = child_access_list(actor=coordinator)
    assert log.total == 2
    assert [(r.staff_login, r.staff_name, r.child_code, r.context, r.structure_name) for r in log.rows] == [
        ("claire", coordinator.display_name, request.code, "Fiche sollicitation", None),
        ("julien", partner.display_name, request.code, "Fiche enfant (structure)", "Chez nous"),
    ]
    assert child_access_list(actor=coordinator, staff_login="julien").total == 1
    assert child_access_list(actor=coordinator, child_code=request.code.lower()).total == 2
    assert child_access_list(actor=coordinator, start=TODAY, end=TODAY).total == 2


def test_access_log_is_not_a_write_in_the_audit_log(db):
    from services.admin.audit import audit_list, data_version

    coordinator = make_user(Role.COORDINATION)
    request = make_request(coordinator)
    before = data_version()
    request_get(actor=coordinator, request_id=request.id)
    assert data_version() == before
    assert audit_list(actor=coordinator, entity="child_access_log").total == 0


@pytest.mark.parametrize("role", [Role.PARTENAIRE, Role.FINANCEUR])
def test_only_the_coordination_reads_the_access_log(db, role):
    with pytest.raises(AccessDenied):
        child_access_list(actor=make_user(role))
