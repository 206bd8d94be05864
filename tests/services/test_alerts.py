"""Alerts: notifications written with their event, scheduled reminders, preferences, who reads what."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from core.access import SYSTEM
from core.db import session_scope
from core.errors import AccessDenied, ConcurrentEdit, ValidationFailed
from models.notification import Notification
from models.user import Role
from services.alerts import inbox, places, schedule, settings
from services.home.items import home_items
from services.path.orientation import proposal_answer, proposal_create
from services.signalements.declarations import signalement_acknowledge
from tests.factories import (
    as_system,
    make_request,
    make_signalement,
    make_structure,
    make_user,
    make_weekly_elements,
    make_weekly_report,
)

T0 = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)  # a Monday, 10:00 in Paris
FACTS = "L'enfant a été approché par un recruteur devant le foyer ce matin."
ON_CALL = ["astreinte1@exemple.fr", "Astreinte2@exemple.fr"]


def rows(**where) -> list[Notification]:
    with session_scope(SYSTEM) as session:
        statement = select(Notification).order_by(Notification.id)
        for name, value in where.items():
            statement = statement.where(getattr(Notification, name) == value)
        return list(session.exec(statement).all())


@pytest.fixture
def network(db):
    coordinator = make_user(Role.COORDINATION)
    other_coordinator = make_user(Role.COORDINATION)
    partner = make_user(Role.PARTENAIRE)
    settings.on_call_set(actor=coordinator, emails=ON_CALL)
    return coordinator, other_coordinator, partner


def declare_danger(partner, at=T0):
    return make_signalement(
        partner, now=at, severity="danger_immediat", facts=FACTS, category="approche", child_code=None
    )


def test_immediate_danger_notifies_each_on_call_address_and_the_coordination_once(network):
    coordinator, other, partner = network
    s = declare_danger(partner)
    notes = rows(kind="signalement")
    assert sorted(n.recipient_email for n in notes) == sorted(
        [*(e.lower() for e in ON_CALL), coordinator.username + "@exemple.fr", other.username + "@exemple.fr"]
    )
    assert all(n.by_mail for n in notes)
    for n in notes:
        assert s.reference in n.subject and s.reference in n.body
        assert FACTS not in n.body + n.subject and partner.display_name not in n.body
        assert "/signalements" in n.link and "Échéance : 10/03/2025" in n.body  # ack due 1 h later, Paris time
    # The same event recorded again adds nothing (one key per event and address).
    from services.alerts.events import on_signalement_declared

    with session_scope(SYSTEM):
        on_signalement_declared(
            signalement_id=s.id, reference=s.reference, severity=s.severity, ack_due_at=s.ack_due_at
        )
    assert len(rows(kind="signalement")) == len(notes)


def test_a_declined_kind_stays_in_the_app_but_on_call_addresses_always_get_immediate_danger(network):
    coordinator, other, partner = network
    settings.on_call_set(actor=coordinator, emails=[*ON_CALL, other.username + "@exemple.fr"])
    for actor in (coordinator, other):
        inbox.preference_set(actor=actor, kind="signalement", by_mail=False, expected_version=None)
    declare_danger(partner)
    by_address = {n.recipient_email: n for n in rows(kind="signalement")}
    assert not by_address[coordinator.username + "@exemple.fr"].by_mail
    assert by_address[other.username + "@exemple.fr"].by_mail  # on call: immediate danger by mail regardless
    assert by_address[other.username + "@exemple.fr"].recipient_user_id == other.user_id
    make_signalement(partner, now=T0, severity="preoccupant")
    latest = [n for n in rows(kind="signalement") if n.recipient_email == other.username + "@exemple.fr"]
    assert [n.by_mail for n in latest] == [True, False]  # the worrying one follows his choice


def test_preferences_are_per_role_and_refuse_a_stale_version(network):
    coordinator, other, partner = network
    kinds = [p.kind for p in inbox.preferences_get(actor=partner)]
    assert kinds == ["proposition", "chiffres_a_envoyer", "chiffres_en_retard"]
    with pytest.raises(ValidationFailed):
        inbox.preference_set(actor=partner, kind="signalement", by_mail=False, expected_version=None)
    first = inbox.preference_set(actor=partner, kind="proposition", by_mail=False, expected_version=None)
    with pytest.raises(ConcurrentEdit):
        inbox.preference_set(actor=partner, kind="proposition", by_mail=True, expected_version=None)
    again = inbox.preference_set(actor=partner, kind="proposition", by_mail=True, expected_version=first.version)
    assert again.by_mail and again.version != first.version


def test_each_person_reads_and_marks_only_their_own_notifications(network):
    coordinator, other, partner = network
    declare_danger(partner)
    assert inbox.notification_unread_count(actor=coordinator) == 1
    assert inbox.notification_list(actor=partner) == []
    assert inbox.notification_mark_read(actor=partner) == 0
    assert inbox.notification_mark_read(actor=coordinator) == 1
    assert inbox.notification_unread_count(actor=coordinator) == 0
    assert inbox.notification_unread_count(actor=other) == 1
    with pytest.raises(AccessDenied):
        inbox.outbox_state(actor=partner)
    state = inbox.outbox_state(actor=coordinator)
    assert state.waiting == len(rows(by_mail=True)) and state.sent == 0


def test_on_call_addresses_are_checked(network):
    coordinator, _, partner = network
    with pytest.raises(ValidationFailed):
        settings.on_call_set(actor=coordinator, emails=["pas-une-adresse"])
    with pytest.raises(AccessDenied):
        settings.on_call_set(actor=partner, emails=ON_CALL)
    assert settings.on_call_emails() == ON_CALL


def test_danger_reminder_at_half_deadline_unless_acknowledged(network):
    coordinator, _, partner = network
    first = declare_danger(partner)
    second = declare_danger(partner)
    assert schedule.run_scheduled(now=T0 + timedelta(minutes=29)).created["rappel_danger"] == 0
    signalement_acknowledge(actor=as_system(coordinator), signalement_id=second.id, now=T0 + timedelta(minutes=10))
    result = schedule.run_scheduled(now=T0 + timedelta(minutes=31))
    reminders = rows(kind="rappel_danger")
    assert {n.reference for n in reminders} == {first.reference}  # the acknowledged one is not reminded
    assert result.created["rappel_danger"] == len(reminders) == 4  # two on call, two coordinators
    assert schedule.run_scheduled(now=T0 + timedelta(minutes=40)).created["rappel_danger"] == 0


def test_overdue_step_notified_once_per_step(network):
    coordinator, _, partner = network
    s = make_signalement(partner, now=T0, severity="preoccupant")
    assert schedule.run_scheduled(now=T0 + timedelta(hours=23)).created["etape_en_retard"] == 0
    assert schedule.run_scheduled(now=T0 + timedelta(hours=25)).created["etape_en_retard"] == 2
    assert schedule.run_scheduled(now=T0 + timedelta(hours=26)).created["etape_en_retard"] == 0
    signalement_acknowledge(actor=as_system(coordinator), signalement_id=s.id, now=T0 + timedelta(hours=27))
    assert schedule.run_scheduled(now=T0 + timedelta(hours=73)).created["etape_en_retard"] == 2  # transmission late
    assert {n.reference for n in rows(kind="etape_en_retard")} == {s.reference}


def test_a_proposal_reaches_the_structure_team_and_its_answer_the_coordination(network):
    coordinator, _, partner = network
    colleague = make_user(Role.PARTENAIRE, structure_id=partner.structure_id)
    make_user(Role.PARTENAIRE)  # another structure's staff: told nothing
    request = make_request(coordinator)
    proposal = proposal_create(actor=coordinator, request_id=request.id, structure_id=partner.structure_id)
    told = rows(kind="proposition")
    assert {n.recipient_user_id for n in told} == {partner.user_id, colleague.user_id}
    assert all(n.reference == f"ORI-{proposal.id:04d}" and "/enfants" in n.link for n in told)
    assert inbox.notification_unread_count(actor=partner) == 1
    proposal_answer(actor=partner, proposal_id=proposal.id, expected_version=proposal.version, accepted=True)
    assert len(rows(kind="reponse_proposition")) == 2  # both coordinators


@pytest.fixture
def weekly_network(network):
    make_weekly_elements()
    joined = date(2024, 1, 8)
    sent = make_structure(name="Envoyée", departement_code="35", joined_on=joined).id
    missing = make_structure(name="Manquante", departement_code="35", joined_on=joined).id
    team = make_user(Role.PARTENAIRE, structure_id=missing)
    make_user(Role.PARTENAIRE, structure_id=sent)
    return sent, missing, team


def test_monday_reminder_then_overdue_for_structures_that_have_not_sent(weekly_network):
    sent, missing, team = weekly_network
    last_week = date(2025, 3, 3)
    make_weekly_report(sent, last_week, now=T0)
    assert schedule.run_scheduled(now=T0).created["chiffres_a_envoyer"] >= 1
    due = rows(kind="chiffres_a_envoyer")
    assert team.user_id in {n.recipient_user_id for n in due}
    structures_told = {n.key.split(":")[2] for n in due}
    assert str(sent) not in structures_told and str(missing) in structures_told
    assert all("Échéance : 11/03/2025 12:00" in n.body for n in due)  # Tuesday noon, Paris
    assert schedule.run_scheduled(now=T0 + timedelta(hours=2)).created["chiffres_a_envoyer"] == 0
    tuesday_afternoon = T0 + timedelta(days=1, hours=5)
    assert schedule.run_scheduled(now=tuesday_afternoon).created["chiffres_en_retard"] >= 1
    late = rows(kind="chiffres_en_retard")
    assert str(missing) in {n.key.split(":")[2] for n in late} and str(sent) not in {n.key.split(":")[2] for n in late}


def test_places_running_out_in_a_region(weekly_network):
    sent, missing, team = weekly_network
    coordinator = network_coordinator()
    make_weekly_report(sent, date(2025, 3, 3), now=T0, places_disponibles=1)
    with pytest.raises(AccessDenied):
        places.region_threshold_set(actor=team, region_code="53", min_free_places=3, expected_version=None)
    with pytest.raises(ValidationFailed):
        places.region_threshold_set(actor=coordinator, region_code="53", min_free_places=-1, expected_version=None)
    places.region_threshold_set(actor=coordinator, region_code="53", min_free_places=3, expected_version=None)
    with pytest.raises(ConcurrentEdit):
        places.region_threshold_set(actor=coordinator, region_code="53", min_free_places=4, expected_version=None)
    bretagne = {r.region_code: r for r in places.region_places(actor=coordinator, today=date(2025, 3, 10))}["53"]
    assert (bretagne.free_places, bretagne.threshold, bretagne.low) == (1, 3, True)
    assert schedule.run_scheduled(now=T0).created["places_basses"] == 2  # the two coordinators
    assert schedule.run_scheduled(now=T0).created["places_basses"] == 0
    # The home reads the latest figures of today's calendar.
    from models.base import utcnow
    from services.weekly.weeks import current_week

    make_weekly_report(sent, current_week(utcnow()) - timedelta(weeks=1), now=utcnow(), places_disponibles=1)
    lines = [i.label for i in home_items(actor=coordinator) if i.page == "notifications"]
    assert lines == ["Places libres sous le seuil en Bretagne : 1 déclarée(s) pour un seuil de 3"]
    assert not [i for i in home_items(actor=team) if i.label.startswith("Places libres")]


def network_coordinator():
    with session_scope(SYSTEM) as session:
        from models.user import User

        user = session.exec(select(User).where(User.role == "coordination").order_by(User.id)).first()
    from services.admin.users import actor_for_username

    return actor_for_username(username=user.username)


def test_coordination_home_puts_the_immediate_danger_first_in_red(network):
    coordinator, _, partner = network
    make_request(coordinator)  # a request waiting: comes after
    make_signalement(partner, severity="preoccupant")
    s = make_signalement(partner, severity="danger_immediat", facts=FACTS)
    items = home_items(actor=coordinator)
    first = items[0]
    assert first.level == "error" and s.reference in first.label and "Danger immédiat" in first.label
    assert first.due_at == s.ack_due_at and "Structure" in (first.detail or "")
    assert [i.urgency for i in items] == sorted(i.urgency for i in items)


def test_partner_home_puts_a_proposal_awaiting_its_answer_first(network):
    coordinator, _, partner = network
    make_signalement(partner, severity="preoccupant")
    request = make_request(coordinator)
    proposal_create(actor=coordinator, request_id=request.id, structure_id=partner.structure_id)
    items = home_items(actor=partner)
    assert "proposition(s) d'orientation à examiner" in items[0].label


def test_a_convention_ending_within_sixty_days_is_notified_once(network):
    from tests.factories import make_convention

    make_convention("35", ends_on=date(2025, 5, 1))  # 52 days after T0
    make_convention("29", ends_on=date(2025, 6, 1))  # 83 days: not yet
    assert schedule.run_scheduled(now=T0).created["convention_fin"] == 2  # the two coordinators
    assert schedule.run_scheduled(now=T0 + timedelta(days=1)).created["convention_fin"] == 0
    notes = rows(kind="convention_fin")
    assert all(n.link.endswith("/conventions") and "Échéance : 01/05/2025" in n.body for n in notes)
    assert schedule.run_scheduled(now=T0 + timedelta(days=25)).created["convention_fin"] == 2  # the second


def test_a_locked_account_is_notified_to_the_coordination(network):
    from models.user import User

    coordinator, other, partner = network
    with session_scope(SYSTEM) as session:
        user = session.get(User, partner.user_id)
        user.locked_until = T0 + timedelta(minutes=15)
        session.add(user)
    assert schedule.run_scheduled(now=T0 + timedelta(minutes=16)).created["compte_verrouille"] == 0  # over
    assert schedule.run_scheduled(now=T0).created["compte_verrouille"] == 2
    notes = rows(kind="compte_verrouille")
    assert {n.recipient_user_id for n in notes} == {coordinator.user_id, other.user_id}
    assert all(n.reference == f"COMPTE-{partner.user_id:04d}" and partner.username not in n.body for n in notes)
    with pytest.raises(AccessDenied):
        schedule.run_scheduled(actor=partner, now=T0)
