import csv
import io
import random
import re
from datetime import timedelta

import pytest

from core.errors import AccessDenied, ConcurrentEdit, NotFound, ValidationFailed
from models.base import utcnow
from models.child import ClosureReason, ProposalStatus, RequestStatus
from models.user import Role
from services.path import request_export, requests
from services.path.orientation import proposal_create
from services.path.requests import RequestCreate
from tests.factories import make_oriented, make_placed, make_request, make_structure, make_user


def _data(**overrides) -> RequestCreate:
    values = dict(
        child_age=14,
        sex="M",
        requester_kind="gendarmerie",
        requester_departement_code="13",
        exploitation_forms=["delits", "mendicite"],
        exploitation_departement_code="13",
    )
    values.update(overrides)
    return RequestCreate(**values)


def test_create_generates_a_pseudonymous_code_and_starts_new(db):
    coordinator = make_user(Role.COORDINATION, display_name="Claire Martin")
    created = requests.request_create(actor=coordinator, data=_data())
    year = created.received_at.year
    assert re.fullmatch(rf"ANC-{year}-[0-9A-HJKMNP-TV-Z]{{5}}", created.code)
    assert created.status == RequestStatus.NEW.value
    assert created.exploitation_forms == ["delits", "mendicite"]
    assert created.created_by == "Claire Martin"  # the person's name, not the log-in
    assert created.history[0].text.startswith("Sollicitation reçue (Gendarmerie nationale")
    assert created.history[0].text.endswith("enregistrée par Claire Martin)")


def test_codes_are_unique_even_when_the_draw_repeats(db):
    coordinator = make_user(Role.COORDINATION)
    first = requests.request_create(actor=coordinator, data=_data(), code_rng=random.Random(1))
    second = requests.request_create(actor=coordinator, data=_data(), code_rng=random.Random(1))
    assert first.code != second.code


@pytest.mark.parametrize("age", [18, 19, 35])
def test_adults_are_refused_with_a_clear_message(db, age):
    coordinator = make_user(Role.COORDINATION)
    with pytest.raises(ValidationFailed) as raised:
        requests.request_create(actor=coordinator, data=_data(child_age=age))
    assert [(e.field, e.message) for e in raised.value.errors] == [("Âge", requests.AGE_ADULT)]
    assert requests.request_board(actor=coordinator).total == 0


def test_every_fault_is_listed_and_nothing_written(db):
    coordinator = make_user(Role.COORDINATION)
    future = utcnow() + timedelta(days=1)
    with pytest.raises(ValidationFailed) as raised:
        requests.request_create(
            actor=coordinator,
            data=RequestCreate(
                received_at=future,
                child_age=-1,
                sex="Z",
                requester_kind="voisin",
                requester_departement_code="00",
                exploitation_forms=[],
                exploitation_departement_code=None,
                risk_flags=["peur"],
                nationality_group="martienne",
            ),
        )
    assert {e.field: e.message for e in raised.value.errors} == {
        "Âge": requests.AGE_INVALID,
        "Sexe": requests.SEX_INVALID,
        "Nationalité": requests.NATIONALITY_INVALID,
        "Demandeur": requests.REQUESTER_INVALID,
        "Département du demandeur": requests.DEPARTEMENT_INVALID,
        "Formes d'exploitation": requests.FORMS_REQUIRED,
        "Département d'exploitation": requests.DEPARTEMENT_INVALID,
        "Évaluation du risque": requests.RISK_INVALID,
        "Reçue le": requests.RECEIVED_FUTURE,
    }
    assert requests.request_board(actor=coordinator).total == 0


def test_known_child_gets_a_new_request_under_the_same_code(db):
    coordinator = make_user(Role.COORDINATION)
    structure = make_structure(departement_code="31")
    first, placement = make_placed(structure.id, coordinator)
    again = requests.request_create(
        actor=coordinator, data=_data(child_age=15, sex="F", existing_child_code=first.code.lower())
    )
    assert again.code == first.code and again.child_id == first.child_id and again.id != first.id
    with pytest.raises(ValidationFailed) as raised:
        requests.request_create(actor=coordinator, data=_data(child_age=12, sex="M", existing_child_code=first.code))
    assert {e.message for e in raised.value.errors} == {
        requests.CHILD_SEX_MISMATCH,
        requests.CHILD_AGE_DECREASE,
        requests.CHILD_ALREADY_OPEN,
    }
    with pytest.raises(ValidationFailed, match=requests.CHILD_CODE_UNKNOWN):
        requests.request_create(actor=coordinator, data=_data(existing_child_code="ANC-2000-AAAAA"))


@pytest.mark.parametrize("role", [Role.PARTENAIRE, Role.FINANCEUR])
def test_only_the_coordination_handles_requests(db, role):
    actor = make_user(role)
    request = make_request()
    for call in (
        lambda: requests.request_create(actor=actor, data=_data()),
        lambda: requests.request_board(actor=actor),
        lambda: requests.request_get(actor=actor, request_id=request.id),
        lambda: requests.request_close(
            actor=actor, request_id=request.id, expected_version=request.version, reason="autre", detail="x"
        ),
        lambda: request_export.request_export(actor=actor),
    ):
        with pytest.raises(AccessDenied):
            call()


def test_board_counts_by_status_and_shows_open_ones_oldest_first(db):
    coordinator = make_user(Role.COORDINATION)
    structure = make_structure(departement_code="33")
    old = make_request(coordinator, received_at=utcnow() - timedelta(hours=50))
    recent = make_request(coordinator, received_at=utcnow() - timedelta(hours=3))
    proposal_create(actor=coordinator, request_id=recent.id, structure_id=structure.id)
    placed, _ = make_placed(structure.id, coordinator)
    board = requests.request_board(actor=coordinator)
    assert board.counts[RequestStatus.NEW.value] == 1
    assert board.counts[RequestStatus.IN_PROGRESS.value] == 1
    assert board.counts[RequestStatus.PLACED.value] == 1
    assert [r.id for r in board.rows] == [old.id, recent.id, placed.id]
    assert board.rows[0].age_hours == 50
    assert board.oldest_open_hours[RequestStatus.NEW.value] == 50
    assert board.rows[2].structure_name == structure.name
    only_new = requests.request_board(actor=coordinator, statuses=[RequestStatus.NEW.value])
    assert [r.id for r in only_new.rows] == [old.id] and only_new.total == 1
    assert requests.request_board(actor=coordinator, code=placed.code[-5:]).rows[0].id == placed.id


def test_board_pages(db):
    coordinator = make_user(Role.COORDINATION)
    for hours in range(5):
        make_request(coordinator, received_at=utcnow() - timedelta(hours=hours + 1))
    page = requests.request_board(actor=coordinator, limit=2, offset=2)
    assert page.total == 5 and len(page.rows) == 2


def test_close_without_placement_needs_a_reason_and_withdraws_open_proposals(db):
    coordinator = make_user(Role.COORDINATION)
    structure = make_structure()
    request = make_request(coordinator)
    proposal = proposal_create(actor=coordinator, request_id=request.id, structure_id=structure.id)
    request = requests.request_get(actor=coordinator, request_id=request.id)
    with pytest.raises(ValidationFailed) as raised:
        requests.request_close(
            actor=coordinator, request_id=request.id, expected_version=request.version, reason=ClosureReason.OTHER.value
        )
    assert [e.message for e in raised.value.errors] == [requests.DETAIL_REQUIRED]
    closed = requests.request_close(
        actor=coordinator, request_id=request.id, expected_version=request.version, reason=ClosureReason.RUNAWAY.value
    )
    assert closed.status == RequestStatus.CLOSED.value and closed.closure_reason == "fugue_avant_accueil"
    assert closed.proposals[0].id == proposal.id and closed.proposals[0].status == ProposalStatus.WITHDRAWN.value
    assert closed.history[-1].text == "Sollicitation close sans placement : Fugue avant l'accueil"
    with pytest.raises(ValidationFailed, match=requests.CLOSE_ALREADY):
        requests.request_close(
            actor=coordinator,
            request_id=request.id,
            expected_version=closed.version,
            reason=ClosureReason.RUNAWAY.value,
        )


def test_close_refused_once_placed_and_on_a_stale_version(db):
    coordinator = make_user(Role.COORDINATION)
    structure = make_structure()
    request, _ = make_placed(structure.id, coordinator)
    current = requests.request_get(actor=coordinator, request_id=request.id)
    with pytest.raises(ValidationFailed, match=requests.CLOSE_PLACED):
        requests.request_close(
            actor=coordinator,
            request_id=request.id,
            expected_version=current.version,
            reason=ClosureReason.NO_PLACE.value,
        )
    other = make_request(coordinator)
    with pytest.raises(ConcurrentEdit):
        requests.request_close(
            actor=coordinator,
            request_id=other.id,
            expected_version=other.version + 5,
            reason=ClosureReason.NO_PLACE.value,
        )


def test_detail_of_unknown_request(db):
    with pytest.raises(NotFound):
        requests.request_get(actor=make_user(Role.COORDINATION), request_id=999)


def test_history_tells_the_whole_path_in_order(db):
    coordinator = make_user(Role.COORDINATION, display_name="Claire Martin")
    structure = make_structure(name="MECS Le Phare", departement_code="06")
    request, placement = make_placed(structure.id, coordinator)
    texts = [line.text for line in requests.request_get(actor=coordinator, request_id=request.id).history]
    assert texts[0].startswith("Sollicitation reçue")
    assert texts[1].startswith("Orientation proposée à MECS Le Phare, à 658 km")
    assert texts[1].endswith("(par Claire Martin)") and coordinator.username not in " ".join(texts)
    assert texts[2].startswith("MECS Le Phare accepte l'accueil")
    assert texts[3].startswith("Consentements enregistrés : assentiment de l'enfant recueilli")
    assert texts[4].startswith("Arrivée à MECS Le Phare le ")


def test_export_maps_forms_to_the_htcds_categories(db):
    coordinator = make_user(Role.COORDINATION)
    structure = make_structure(exploitation_forms=["sexuelle", "delits", "domestique"])
    make_placed(structure.id, coordinator, exploitation_forms=["sexuelle", "delits", "domestique"])
    rows = request_export.request_export_rows(actor=coordinator)
    assert rows[0]["vic_TypeOfExploitation"] == "Other;Servitude;SexualExploitation"
    assert rows[0]["vic_ForcedLabourIndustry"] == "T_ActivitiesOfHouseholdsAsEmployers"
    assert rows[0]["prs_Gender"] == "Feminine" and rows[0]["cas_Status"] == "Active"
    assert rows[0]["vic_LocationOfExploitation"] == "FR-93"
    text = request_export.request_export(actor=coordinator, fmt="csv").decode("utf-8-sig")
    parsed = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert parsed[0]["code_enfant"] == rows[0]["code_enfant"]
    assert request_export.request_export(actor=coordinator, fmt="xlsx")[:2] == b"PK"


def test_export_has_no_name_or_birth_column():
    assert not [c for c in request_export.EXPORT_COLUMNS if re.search(r"name|nom|birth|naissance", c, re.I)]


def test_oriented_request_shows_the_accepting_structure(db):
    coordinator = make_user(Role.COORDINATION)
    structure = make_structure()
    request, proposal = make_oriented(structure.id, coordinator)
    detail = requests.request_get(actor=coordinator, request_id=request.id)
    assert detail.status == RequestStatus.ORIENTED.value
    assert detail.accepted_proposal.id == proposal.id and detail.accepted_proposal.consent_complete
    assert detail.oriented_at is not None


def test_board_without_counts_gives_the_same_rows_and_total(db):
    coordinator = make_user(Role.COORDINATION)
    structure = make_structure(departement_code="33")
    make_request(coordinator, received_at=utcnow() - timedelta(hours=5))
    make_request(coordinator, received_at=utcnow() - timedelta(hours=2))
    placed, _ = make_placed(structure.id, coordinator)
    for statuses in (None, [RequestStatus.NEW.value], [RequestStatus.PLACED.value, RequestStatus.NEW.value]):
        full = requests.request_board(actor=coordinator, statuses=statuses, limit=1)
        lean = requests.request_board(actor=coordinator, statuses=statuses, limit=1, with_counts=False)
        assert (lean.rows, lean.total) == (full.rows, full.total)
        assert lean.counts == {} and lean.oldest_open_hours == {}
    assert requests.request_board(actor=coordinator, limit=1, with_counts=False).total == 3
    assert (
        requests.request_board(actor=coordinator, statuses=[RequestStatus.PLACED.value], with_counts=False).rows[0].id
        == placed.id
    )
