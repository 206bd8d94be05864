import json

import pytest

from core.access import SYSTEM
from core.db import session_scope
from core.errors import AccessDenied
from models.setting import AppSetting
from models.user import Role
from services.admin import audit, users
from tests.factories import make_user


def test_every_write_is_audited_with_before_and_after(db):
    coordinator = make_user(Role.COORDINATION, username="claire")
    alice = make_user(Role.FINANCEUR, username="alice")
    version = next(u.version for u in users.user_list(actor=coordinator) if u.username == "alice")
    users.user_update(actor=coordinator, user_id=alice.user_id, expected_version=version, display_name="Alice A.")
    page = audit.audit_list(actor=coordinator, entity="app_users", username="claire")
    assert page.total == 1
    assert page.authors == [coordinator.display_name]  # the author by name; the filter takes the log-in
    entry = page.rows[0]
    assert entry.action == "update" and entry.entity_id == str(alice.user_id)
    assert set(json.loads(entry.before)) == {"display_name"}
    assert json.loads(entry.after)["display_name"] == "Alice A."


def test_created_rows_are_audited_without_password_hash(db):
    coordinator = make_user(Role.COORDINATION)
    created = audit.audit_list(actor=coordinator, entity="app_users").rows[0]
    assert created.action == "create" and created.username == SYSTEM.username
    assert audit.audit_list(actor=coordinator, entity="app_users").authors[0] == "Système"
    assert "password_hash" not in json.loads(created.after)


def test_write_without_actor_is_refused(db):
    with pytest.raises(AccessDenied):
        with session_scope() as session:
            session.add(AppSetting(key="x", value="1"))


def test_data_version_grows_with_writes(db):
    before = audit.data_version()
    make_user(Role.COORDINATION)
    assert audit.data_version() > before


def test_data_version_moves_when_the_earlier_writer_commits_last(db):
    """Two writing transactions; the one holding the earlier audit id commits last: the version still moves."""
    if db == "sqlite":
        pytest.skip("SQLite has one writer at a time: commits cannot cross")
    from sqlmodel import Session

    from core.db import engine

    first, second = Session(engine()), Session(engine())
    for session in (first, second):
        session.info["actor"] = SYSTEM
    try:
        first.add(AppSetting(key="first", value="1"))
        first.flush()  # takes the earlier audit id
        second.add(AppSetting(key="second", value="2"))
        second.flush()
        second.commit()
        seen = audit.data_version()
        first.commit()
        assert audit.data_version() > seen
    finally:
        first.close()
        second.close()


def test_data_version_stays_when_a_transaction_rolls_back(db):
    before = audit.data_version()
    with pytest.raises(RuntimeError):
        with session_scope(SYSTEM) as session:
            session.add(AppSetting(key="x", value="1"))
            session.flush()
            raise RuntimeError("abandon")
    assert audit.data_version() == before


@pytest.mark.parametrize("role", [Role.PARTENAIRE, Role.FINANCEUR])
def test_only_coordination_reads_the_log(db, role):
    with pytest.raises(AccessDenied):
        audit.audit_list(actor=make_user(role))


def test_log_in_bookkeeping_is_audited_and_leaves_an_open_account_form_valid(db):
    coordinator = make_user(Role.COORDINATION, username="claire")
    alice = make_user(Role.FINANCEUR, username="alice")
    version = next(u.version for u in users.user_list(actor=coordinator) if u.username == "alice")
    users.login_success_record(username="alice")
    users.login_logout_record(username="alice")
    entries = audit.audit_list(actor=coordinator, entity="app_users", username="connexion").rows
    assert [e.action for e in entries] == ["update", "update"]
    assert {e.entity_id for e in entries} == {str(alice.user_id)}
    assert any("sessions_revoked_at" in json.loads(e.after) for e in entries)
    # The account form opened before those log-ins still saves.
    users.user_update(actor=coordinator, user_id=alice.user_id, expected_version=version, display_name="Alice A.")


def test_one_account_logged_in_at_the_same_instant_from_many_places(db):
    """Log-ins of the same account racing each other all pass (a versioned edit refused all but one)."""
    import threading

    make_user(Role.FINANCEUR, username="alice")
    start, failures = threading.Barrier(8), []

    def log_in() -> None:
        start.wait()
        try:
            users.login_success_record(username="alice")
        except Exception as error:  # noqa: BLE001 - collected for the assertion
            failures.append(error)

    threads = [threading.Thread(target=log_in) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
