"""Referrer accounts: a short form sends a request; the service follows its own requests and nothing more."""

import itertools

import pytest

from core.clock import paris_today
from core.errors import AccessDenied, NotFound, ValidationFailed
from models.child import RequestStatus
from models.user import Role
from services.admin.users import actor_for_username
from services.directory.structure_listing import structure_list
from services.directory.structures import structure_get, structure_options
from services.path import request_export, requests
from services.path.placements import structure_child_open, structure_children
from services.referrers import accounts
from services.referrers import requests as referrals
from services.referrers.requests import ReferralForm, ReferrerStatus
from tests.factories import PASSWORD, make_structure, make_user


def _form(**overrides) -> ReferralForm:
    values = dict(child_age=15, sex="F", exploitation_forms=["sexuelle"], exploitation_departement_code="93")
    values.update(overrides)
    return ReferralForm(**values)


_accounts = itertools.count(1)


def _referrer(coordinator, service_name="Brigade de protection des familles 93", kind="police"):
    n = next(_accounts)
    known = {s.name: s for s in accounts.referrer_service_list(actor=coordinator)}
    service = known.get(service_name) or accounts.referrer_service_create(
        actor=coordinator, name=service_name, kind=kind, departement_code="93"
    )
    user = accounts.referrer_account_create(
        actor=coordinator,
        service_id=service.id,
        username=f"orienteur{n}",
        display_name=f"Orienteur {n}",
        email=f"orienteur{n}@exemple.fr",
        password=PASSWORD,
    )
    return actor_for_username(username=user.username), service


def _place(coordinator, request_id):
    from services.path.orientation import consent_record, proposal_answer, proposal_create
    from services.path.placements import placement_arrival

    structure = make_structure(name="Maison secrète", commune="Lieu caché")
    proposal = proposal_create(actor=coordinator, request_id=request_id, structure_id=structure.id)
    proposal = proposal_answer(
        actor=coordinator, proposal_id=proposal.id, expected_version=proposal.version, accepted=True
    )
    proposal = consent_record(
        actor=coordinator,
        proposal_id=proposal.id,
        expected_version=proposal.version,
        assent_obtained=True,
        authority_basis="decision_judiciaire",
    )
    placement_arrival(
        actor=coordinator, proposal_id=proposal.id, expected_version=proposal.version, arrival_date=paris_today()
    )
    return structure


def test_a_referrer_sends_a_request_and_gets_a_receipt(db):
    coordinator = make_user(Role.COORDINATION)
    referrals.on_call_phone_set(actor=coordinator, phone="01 23 45 67 89")
    referrer, service = _referrer(coordinator)
    receipt = referrals.referral_send(actor=referrer, form=_form())
    assert receipt.on_call_phone == "01 23 45 67 89"
    detail = requests.request_get(actor=coordinator, request_id=receipt.request_number)
    assert detail.requester_kind == "police"
    assert detail.requester_departement_code == "93"
    assert detail.created_by == referrer.display_name != referrer.username  # who sent it, by name
    assert detail.status == RequestStatus.NEW.value
    assert [s.requests for s in accounts.referrer_service_list(actor=coordinator)] == [1]
    assert accounts.request_sender(actor=coordinator, request_id=receipt.request_number) == service.name
    other = requests.request_create(
        actor=coordinator,
        data=requests.RequestCreate(**_form().model_dump(), requester_kind="police", requester_departement_code="93"),
    )
    assert accounts.request_sender(actor=coordinator, request_id=other.id) is None
    with pytest.raises(AccessDenied):
        accounts.request_sender(actor=referrer, request_id=receipt.request_number)
    sent = referrals.referral_list(actor=referrer)
    assert [(r.request_number, r.status) for r in sent] == [(receipt.request_number, ReferrerStatus.RECEIVED)]


def test_the_receipt_never_carries_the_child_code(db):
    coordinator = make_user(Role.COORDINATION)
    referrer, _ = _referrer(coordinator)
    receipt = referrals.referral_send(actor=referrer, form=_form())
    code = requests.request_get(actor=coordinator, request_id=receipt.request_number).code
    assert code not in repr(receipt)
    assert code not in repr(referrals.referral_list(actor=referrer))


def test_bad_input_is_refused_in_french_and_nothing_is_written(db):
    coordinator = make_user(Role.COORDINATION)
    referrer, _ = _referrer(coordinator)
    with pytest.raises(ValidationFailed) as raised:
        referrals.referral_send(actor=referrer, form=_form(child_age=18, exploitation_forms=[]))
    assert {e.field for e in raised.value.errors} >= {"Âge"}
    assert referrals.referral_list(actor=referrer) == []
    assert requests.request_board(actor=coordinator).total == 0


def test_the_status_follows_the_orientation_and_never_shows_the_structure(db):
    coordinator = make_user(Role.COORDINATION)
    referrer, _ = _referrer(coordinator)
    receipt = referrals.referral_send(actor=referrer, form=_form())
    structure = _place(coordinator, receipt.request_number)
    sent = referrals.referral_list(actor=referrer)
    assert [r.status for r in sent] == [ReferrerStatus.TAKEN_IN]
    shown = repr(sent)
    assert structure.name not in shown and "Lieu caché" not in shown


def test_a_referrer_sees_only_its_own_service_requests(db):
    coordinator = make_user(Role.COORDINATION)
    police, _ = _referrer(coordinator)
    colleague, _ = _referrer(coordinator)  # same service
    crip, _ = _referrer(coordinator, service_name="CRIP de Seine-Saint-Denis", kind="ase_crip")
    mine = referrals.referral_send(actor=police, form=_form())
    theirs = referrals.referral_send(actor=crip, form=_form(sex="M"))
    requests.request_create(
        actor=coordinator,
        data=requests.RequestCreate(
            **_form().model_dump(), requester_kind="gendarmerie", requester_departement_code="93"
        ),
    )
    assert [r.request_number for r in referrals.referral_list(actor=police)] == [mine.request_number]
    assert [r.request_number for r in referrals.referral_list(actor=colleague)] == [mine.request_number]
    assert [r.request_number for r in referrals.referral_list(actor=crip)] == [theirs.request_number]


def test_a_referrer_cannot_read_requests_child_codes_or_structures(db):
    coordinator = make_user(Role.COORDINATION)
    referrer, _ = _referrer(coordinator)
    receipt = referrals.referral_send(actor=referrer, form=_form())
    structure = _place(coordinator, receipt.request_number)
    code = requests.request_get(actor=coordinator, request_id=receipt.request_number).code
    refused = [
        lambda: requests.request_get(actor=referrer, request_id=receipt.request_number),
        lambda: requests.request_board(actor=referrer),
        lambda: requests.request_id_for_code(actor=referrer, code=code),
        lambda: request_export.request_export_rows(actor=referrer),
        lambda: structure_get(actor=referrer, structure_id=structure.id),
        lambda: structure_options(actor=referrer),
        lambda: structure_list(actor=referrer),
        lambda: structure_children(actor=referrer, structure_id=structure.id),
        lambda: structure_child_open(actor=referrer, child_id=1, structure_id=structure.id),
    ]
    for call in refused:
        with pytest.raises(AccessDenied):
            call()


def test_a_referrer_cannot_reuse_a_known_child_code(db):
    coordinator = make_user(Role.COORDINATION)
    referrer, _ = _referrer(coordinator)
    receipt = referrals.referral_send(actor=referrer, form=_form())
    code = requests.request_get(actor=coordinator, request_id=receipt.request_number).code
    data = requests.RequestCreate(
        **_form().model_dump(), requester_kind="police", requester_departement_code="93", existing_child_code=code
    )
    with pytest.raises(AccessDenied):
        requests.request_create(actor=referrer, data=data)


def test_only_referrer_accounts_with_a_service_send(db):
    coordinator = make_user(Role.COORDINATION)
    lone = make_user(Role.ORIENTEUR, with_service=False)  # created from the accounts page, without a service
    with pytest.raises(AccessDenied) as raised:
        referrals.referral_send(actor=lone, form=_form())
    assert str(raised.value) == accounts.NO_SERVICE
    for actor in (coordinator, make_user(Role.PARTENAIRE), make_user(Role.FINANCEUR)):
        with pytest.raises(AccessDenied):
            referrals.referral_send(actor=actor, form=_form())
        with pytest.raises(AccessDenied):
            referrals.referral_list(actor=actor)


def test_only_the_coordination_creates_services_and_accounts(db):
    coordinator = make_user(Role.COORDINATION)
    referrer, service = _referrer(coordinator)
    for actor in (referrer, make_user(Role.PARTENAIRE)):
        with pytest.raises(AccessDenied):
            accounts.referrer_service_create(actor=actor, name="Autre", kind="pjj", departement_code="75")
        with pytest.raises(AccessDenied):
            referrals.on_call_phone_set(actor=actor, phone="0600000000")
    with pytest.raises(ValidationFailed) as raised:
        accounts.referrer_service_create(actor=coordinator, name=service.name, kind="nope", departement_code="XX")
    assert {e.field for e in raised.value.errors} == {"Nom du service", "Type de service", "Département"}
    with pytest.raises(NotFound):
        accounts.referrer_account_create(
            actor=coordinator, service_id=999, username="x1", display_name="x", email="x@exemple.fr", password=PASSWORD
        )
    with pytest.raises(ValidationFailed):
        referrals.on_call_phone_set(actor=coordinator, phone="appelez-nous")
