"""Outreach sessions, platforms, links to requests, staff supervision and prevention actions."""

from datetime import timedelta

import pytest

from core.clock import paris_today
from core.errors import AccessDenied, ValidationFailed
from models.base import utcnow
from models.user import Role
from services.outreach import sessions, staff
from services.outreach.sessions import OutreachData
from tests.factories import make_request, make_structure, make_user


def _digital(platform_ids, **overrides) -> OutreachData:
    values = dict(
        held_on=paris_today() - timedelta(days=1),
        kind="numerique",
        duration_minutes=180,
        team_size=2,
        departement_code="93",
        platform_ids=platform_ids,
        counts={"ads_spotted": 40, "ads_presumed_minors": 2, "messages_sent": 5, "answers": 2},
    )
    values.update(overrides)
    return OutreachData(**values)


def _street(**overrides) -> OutreachData:
    values = dict(
        held_on=paris_today(),
        kind="rue",
        duration_minutes=120,
        team_size=3,
        departement_code="75",
        place_kind="gare",
        counts={"persons_met": 6, "persons_presumed_minors": 1, "orientations_partner": 1},
    )
    values.update(overrides)
    return OutreachData(**values)


@pytest.fixture
def platform(db):
    return sessions.platform_add(actor=make_user(Role.COORDINATION), name="Site d'annonces A")


def test_a_partner_logs_a_digital_session_for_its_own_structure(db, platform):
    partner = make_user(Role.PARTENAIRE)
    row = sessions.outreach_create(actor=partner, data=_digital([platform.id]))
    assert row.structure_name is not None
    assert row.platforms == ["Site d'annonces A"]
    assert row.counts["ads_presumed_minors"] == 2
    assert row.counts["persons_met"] == 0


def test_a_partner_sees_only_its_own_sessions(db, platform):
    first, second = make_user(Role.PARTENAIRE), make_user(Role.PARTENAIRE)
    sessions.outreach_create(actor=first, data=_digital([platform.id]))
    sessions.outreach_create(actor=second, data=_street())
    assert [r.kind for r in sessions.outreach_list(actor=first)] == ["numerique"]
    assert [r.kind for r in sessions.outreach_list(actor=second)] == ["rue"]
    assert len(sessions.outreach_list(actor=make_user(Role.COORDINATION))) == 2


def test_funders_and_referrers_cannot_log_or_read_sessions(db):
    for role in (Role.FINANCEUR, Role.ORIENTEUR):
        actor = make_user(role)
        with pytest.raises(AccessDenied):
            sessions.outreach_list(actor=actor)
        with pytest.raises(AccessDenied):
            sessions.outreach_create(actor=actor, data=_street())


def test_every_fault_is_listed_and_nothing_written(db, platform):
    partner = make_user(Role.PARTENAIRE)
    bad = _digital(
        [],
        held_on=paris_today() + timedelta(days=1),
        duration_minutes=0,
        team_size=0,
        departement_code="XX",
    )
    with pytest.raises(ValidationFailed) as raised:
        sessions.outreach_create(actor=partner, data=bad)
    assert {e.field for e in raised.value.errors} == {"Date", "Durée", "Intervenants", "Département", "Plateformes"}
    assert sessions.outreach_list(actor=partner) == []


def test_presumed_minors_cannot_exceed_what_was_spotted(db, platform):
    partner = make_user(Role.PARTENAIRE)
    with pytest.raises(ValidationFailed) as raised:
        sessions.outreach_create(
            actor=partner, data=_digital([platform.id], counts={"ads_spotted": 1, "ads_presumed_minors": 2})
        )
    assert [e.message for e in raised.value.errors] == [sessions.MINORS_ABOVE_ADS]
    with pytest.raises(ValidationFailed):
        sessions.outreach_create(actor=partner, data=_street(counts={"persons_met": -1}))
    with pytest.raises(ValidationFailed) as raised:
        sessions.outreach_create(actor=partner, data=_street(counts={"handle": 1}))
    assert raised.value.errors[0].field == "Comptages"


def test_a_street_session_needs_a_kind_of_place(db):
    with pytest.raises(ValidationFailed) as raised:
        sessions.outreach_create(actor=make_user(Role.PARTENAIRE), data=_street(place_kind=None))
    assert [e.message for e in raised.value.errors] == [sessions.PLACE_REQUIRED]


def test_a_retired_platform_leaves_the_form_but_stays_on_past_sessions(db, platform):
    coordinator = make_user(Role.COORDINATION)
    partner = make_user(Role.PARTENAIRE)
    sessions.outreach_create(actor=partner, data=_digital([platform.id]))
    sessions.platform_set_active(actor=coordinator, platform_id=platform.id, active=False)
    assert sessions.platform_list(actor=partner) == []
    assert sessions.outreach_list(actor=partner)[0].platforms == ["Site d'annonces A"]
    with pytest.raises(ValidationFailed) as raised:
        sessions.outreach_create(actor=partner, data=_digital([platform.id]))
    assert [e.message for e in raised.value.errors] == [sessions.PLATFORM_INVALID]


def test_only_the_coordination_keeps_the_platform_list(db, platform):
    with pytest.raises(AccessDenied):
        sessions.platform_add(actor=make_user(Role.PARTENAIRE), name="Réseau social B")
    with pytest.raises(ValidationFailed) as raised:
        sessions.platform_add(actor=make_user(Role.COORDINATION), name="  site D'ANNONCES a ")
    assert [e.message for e in raised.value.errors] == [sessions.PLATFORM_NAME_TAKEN]
    with pytest.raises(ValidationFailed):
        sessions.platform_add(actor=make_user(Role.COORDINATION), name="x" * 61)


def test_a_request_linked_to_a_session_shows_its_origin(db, platform):
    coordinator = make_user(Role.COORDINATION)
    partner = make_user(Role.PARTENAIRE)
    outreach = sessions.outreach_create(actor=partner, data=_digital([platform.id]))
    request = make_request(coordinator, requester_kind="maraude", received_at=utcnow())
    other = make_request(coordinator)
    assert sessions.request_origin(actor=coordinator, request_id=request.id) is None
    origin = sessions.referral_link(actor=coordinator, session_id=outreach.id, child_code=request.code.lower())
    assert origin.session_id == outreach.id
    assert origin.text.startswith("Maraude numérique du ")
    assert sessions.request_origin(actor=coordinator, request_id=request.id) == origin
    assert sessions.request_origin(actor=coordinator, request_id=other.id) is None
    assert sessions.outreach_list(actor=partner)[0].referrals == 1
    with pytest.raises(ValidationFailed) as raised:
        sessions.referral_link(actor=coordinator, session_id=outreach.id, child_code=request.code)
    assert [e.message for e in raised.value.errors] == [sessions.ALREADY_LINKED]
    with pytest.raises(AccessDenied):
        sessions.referral_link(actor=partner, session_id=outreach.id, child_code=other.code)


def test_a_request_received_before_the_session_cannot_come_from_it(db):
    coordinator = make_user(Role.COORDINATION)
    outreach = sessions.outreach_create(actor=make_user(Role.PARTENAIRE), data=_street())
    request = make_request(coordinator)  # received two days ago
    with pytest.raises(ValidationFailed) as raised:
        sessions.referral_link(actor=coordinator, session_id=outreach.id, child_code=request.code)
    assert [e.message for e in raised.value.errors] == [sessions.LINK_BEFORE_SESSION]


def test_supervision_stands_beside_the_digital_exposure(db, platform):
    partner = make_user(Role.PARTENAIRE)
    other = make_user(Role.PARTENAIRE)
    day = paris_today() - timedelta(days=1)
    sessions.outreach_create(actor=partner, data=_digital([platform.id], duration_minutes=90, team_size=2))
    sessions.outreach_create(actor=partner, data=_street())  # street: no exposure to abuse material online
    sessions.outreach_create(actor=other, data=_digital([platform.id], duration_minutes=600, team_size=1))
    staff.supervision_create(actor=partner, held_on=day, kind="supervision", hours=2, participants=3)
    staff.supervision_create(actor=other, held_on=day, kind="analyse_pratique", hours=1.5, participants=4)
    mine = staff.staff_protection(actor=partner, start=day, end=paris_today())
    assert mine.supervision_sessions == 1
    assert mine.supervision_hours == 2
    assert mine.participant_hours == 6
    assert mine.digital_exposure_hours == 3
    everyone = staff.staff_protection(actor=make_user(Role.COORDINATION), start=day, end=paris_today())
    assert everyone.supervision_sessions == 2
    assert everyone.digital_exposure_hours == 13
    with pytest.raises(ValidationFailed) as raised:
        staff.supervision_create(actor=partner, held_on=day, kind="autre", hours=0, participants=0)
    assert {e.field for e in raised.value.errors} == {"Type de séance", "Durée", "Participants"}


def test_prevention_actions_are_counted_per_audience_in_scope(db):
    structure = make_structure()
    partner = make_user(Role.PARTENAIRE, structure_id=structure.id)
    other = make_user(Role.PARTENAIRE)
    day = paris_today()
    staff.prevention_create(
        actor=partner, held_on=day, kind="atelier", audience="jeunes", reached=25, departement_code="93"
    )
    staff.prevention_create(
        actor=partner, held_on=day, kind="groupe_parole", audience="jeunes", reached=8, departement_code="93"
    )
    staff.prevention_create(
        actor=other,
        held_on=day,
        kind="formation_professionnels",
        audience="professionnels",
        reached=12,
        departement_code="35",
    )
    assert staff.prevention_totals(actor=partner, start=day, end=day) == {"jeunes": (2, 33)}
    assert staff.prevention_totals(actor=make_user(Role.COORDINATION), start=day, end=day) == {
        "jeunes": (2, 33),
        "professionnels": (1, 12),
    }
    with pytest.raises(ValidationFailed) as raised:
        staff.prevention_create(
            actor=partner, held_on=day, kind="atelier", audience="enfants", reached=-1, departement_code="XX"
        )
    assert {e.field for e in raised.value.errors} == {"Public", "Personnes touchées", "Département"}
    with pytest.raises(AccessDenied):
        staff.prevention_totals(actor=make_user(Role.FINANCEUR), start=day, end=day)
