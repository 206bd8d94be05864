import pytest

from core.errors import AccessDenied, ConcurrentEdit, ValidationFailed
from core.passwords import WEAK_PASSWORD
from models.user import Role
from services.admin import users
from services.admin.login_throttle import login_attempt
from services.admin.users import UserCreate
from tests.factories import PASSWORD, make_structure, make_user


def _data(**overrides) -> UserCreate:
    values = dict(
        username="nouveau",
        display_name="Nouveau",
        email="n@exemple.fr",
        role=Role.COORDINATION.value,
        password=PASSWORD,
    )
    values.update(overrides)
    return UserCreate(**values)


def test_create_hashes_password_and_lowercases_username(db):
    coordinator = make_user(Role.COORDINATION)
    created = users.user_create(actor=coordinator, data=_data(username="Nouveau"))
    assert created.username == "nouveau"
    assert users.login_check(username="nouveau", password=PASSWORD)
    assert not users.login_check(username="nouveau", password="autre-mot-de-passe")


def test_create_lists_every_fault_in_french(db):
    coordinator = make_user(Role.COORDINATION)
    with pytest.raises(ValidationFailed) as raised:
        users.user_create(
            actor=coordinator,
            data=_data(username="x", email="pas-un-email", role=Role.PARTENAIRE.value, password="court"),
        )
    messages = {e.field: e.message for e in raised.value.errors}
    assert messages == {
        "Identifiant": users.USERNAME_INVALID,
        "E-mail": users.EMAIL_INVALID,
        "Structure": users.STRUCTURE_REQUIRED,
        "Mot de passe": WEAK_PASSWORD,
    }
    assert users.user_count(actor=coordinator) == 1


def test_duplicate_username_refused(db):
    coordinator = make_user(Role.COORDINATION)
    users.user_create(actor=coordinator, data=_data())
    with pytest.raises(ValidationFailed, match=users.USERNAME_TAKEN):
        users.user_create(actor=coordinator, data=_data())


@pytest.mark.parametrize("role", [Role.PARTENAIRE, Role.FINANCEUR])
def test_only_coordination_manages_accounts(db, role):
    actor = make_user(role)
    with pytest.raises(AccessDenied):
        users.user_create(actor=actor, data=_data())
    with pytest.raises(AccessDenied):
        users.user_list(actor=actor)


def test_partner_account_attached_to_structure(db):
    coordinator = make_user(Role.COORDINATION)
    structure = make_structure(name="Le Phare")
    created = users.user_create(actor=coordinator, data=_data(role=Role.PARTENAIRE.value, structure_id=structure.id))
    assert created.structure_name == "Le Phare"
    actor = users.actor_for_username(username="nouveau")
    assert actor.is_partner and actor.structure_id == structure.id


def test_reset_password_lifts_the_log_in_delay(db):
    coordinator = make_user(Role.COORDINATION)
    alice = make_user(Role.FINANCEUR, username="alice")
    for _ in range(6):
        login_attempt(username="alice", password="mauvais", address="10.0.0.1")
    assert users.locked_user_count(actor=coordinator) == 1
    assert login_attempt(username="alice", password=PASSWORD, address="10.0.0.1").wait > 0
    users.user_reset_password(actor=coordinator, user_id=alice.user_id, new_password="nouveau-secret-9")
    assert users.locked_user_count(actor=coordinator) == 0
    assert login_attempt(username="alice", password="nouveau-secret-9", address="10.0.0.1").username == "alice"


def test_deactivated_account_cannot_log_in(db):
    coordinator = make_user(Role.COORDINATION)
    alice = make_user(Role.FINANCEUR, username="alice")
    version = next(u.version for u in users.user_list(actor=coordinator) if u.username == "alice")
    users.user_update(actor=coordinator, user_id=alice.user_id, expected_version=version, active=False)
    assert users.actor_for_username(username="alice") is None
    assert "alice" not in users.login_credentials()["usernames"]


def test_concurrent_account_edit_refused(db):
    coordinator = make_user(Role.COORDINATION)
    alice = make_user(Role.FINANCEUR, username="alice")
    version = next(u.version for u in users.user_list(actor=coordinator) if u.username == "alice")
    users.user_update(actor=coordinator, user_id=alice.user_id, expected_version=version, display_name="Alice A.")
    with pytest.raises(ConcurrentEdit):
        users.user_update(actor=coordinator, user_id=alice.user_id, expected_version=version, display_name="Alice B.")


def test_log_out_revokes_the_cookies_issued_before(db):
    make_user(Role.FINANCEUR, username="alice")
    before = users.utcnow()
    assert users.login_cookie_valid(username="alice", issued_at=before)
    users.login_logout_record(username="alice")
    assert not users.login_cookie_valid(username="alice", issued_at=before)
    assert users.login_cookie_valid(username="alice", issued_at=users.utcnow())


def test_password_reset_revokes_the_cookies_issued_before(db):
    coordinator = make_user(Role.COORDINATION)
    alice = make_user(Role.FINANCEUR, username="alice")
    before = users.utcnow()
    users.user_reset_password(actor=coordinator, user_id=alice.user_id, new_password="nouveau-secret-9")
    assert not users.login_cookie_valid(username="alice", issued_at=before)
    assert users.login_cookie_valid(username="alice", issued_at=users.utcnow())


def test_cookie_of_an_unknown_or_deactivated_account_is_refused(db):
    coordinator = make_user(Role.COORDINATION)
    alice = make_user(Role.FINANCEUR, username="alice")
    assert not users.login_cookie_valid(username="inconnu", issued_at=users.utcnow())
    version = next(u.version for u in users.user_list(actor=coordinator) if u.username == "alice")
    users.user_update(actor=coordinator, user_id=alice.user_id, expected_version=version, active=False)
    assert not users.login_cookie_valid(username="alice", issued_at=users.utcnow())
