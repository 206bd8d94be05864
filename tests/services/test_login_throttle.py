"""Log-in attempts: one answer for every name, a delay that grows, never a lock-out by a stranger."""

from datetime import timedelta

import pytest

from core.config import get_settings
from models.base import utcnow
from models.user import Role
from services.admin import login_throttle as throttle
from services.admin.audit import audit_list
from tests.factories import PASSWORD, make_user

STRANGER, OFFICE = "203.0.113.9", "198.51.100.4"


def _fail(name, address=STRANGER, now=None):
    return throttle.login_attempt(username=name, password="pas-le-bon", address=address, now=now)


def test_unknown_and_known_names_get_the_same_answers(db):
    make_user(Role.COORDINATION, username="coordination")
    tries = get_settings().lockout_attempts + 3
    now = utcnow()
    known = [_fail("coordination", now=now) for _ in range(tries)]
    unknown = [_fail("personne", now=now) for _ in range(tries)]
    assert known == unknown
    assert [o.username for o in known] == [None] * tries


def test_the_wait_doubles_past_the_allowance_and_no_password_is_read_meanwhile(db):
    make_user(Role.PARTENAIRE, username="alice")
    allowance = get_settings().lockout_attempts
    now = utcnow()
    waits = [_fail("alice", now=now).wait for _ in range(allowance - 1)]
    assert waits == [0] * (allowance - 1)
    assert _fail("alice", now=now).wait == 30
    right = throttle.login_attempt(username="alice", password=PASSWORD, address=STRANGER, now=now)
    assert right.username is None and right.wait == 30  # the right password waits too
    later = now + timedelta(seconds=31)
    assert _fail("alice", now=later).wait == 60
    later += timedelta(seconds=61)
    assert _fail("alice", now=later).wait == 120


def test_the_wait_never_exceeds_the_lock_out_length(db):
    now = utcnow()
    for _ in range(get_settings().lockout_attempts + 30):
        outcome = _fail("bob", now=now)
        now += timedelta(seconds=outcome.wait + 1)
    assert outcome.wait == get_settings().lockout_minutes * 60


def test_a_stranger_cannot_keep_the_coordination_out(db):
    make_user(Role.COORDINATION, username="coordination")
    now = utcnow()
    for _ in range(get_settings().lockout_attempts * 2):
        _fail("coordination", now=now)
    assert _fail("coordination", now=now).wait > 0
    mine = throttle.login_attempt(username="coordination", password=PASSWORD, address=OFFICE, now=now)
    assert mine == throttle.LoginOutcome("coordination")


def test_an_address_trying_many_names_waits_for_any_name(db):
    allowance = get_settings().lockout_attempts * throttle.ADDRESS_ALLOWANCE_FACTOR
    now = utcnow()
    outcomes = [_fail(f"nom{i}", now=now) for i in range(allowance)]
    assert outcomes[-2].wait == 0 and outcomes[-1].wait > 0
    assert _fail("encore-un-autre", now=now).wait > 0
    assert _fail("encore-un-autre", address=OFFICE, now=now).wait == 0


def test_a_success_clears_the_name_and_the_coordination_can_lift_a_delay(db):
    coordinator = make_user(Role.COORDINATION)
    make_user(Role.PARTENAIRE, username="alice")
    now = utcnow()
    for _ in range(get_settings().lockout_attempts):
        _fail("alice", now=now)
    assert _fail("alice", now=now).wait > 0
    assert throttle.login_throttle_clear(actor=coordinator, username="alice") == 1
    assert audit_list(actor=coordinator, entity="login_throttles").total == 1
    ok = throttle.login_attempt(username="alice", password=PASSWORD, address=STRANGER, now=now)
    assert ok.username == "alice"
    assert _fail("alice", now=now).wait == 0  # counting starts afresh


@pytest.mark.parametrize("role", [Role.PARTENAIRE, Role.FINANCEUR])
def test_only_the_coordination_lifts_a_delay(db, role):
    from core.errors import AccessDenied

    with pytest.raises(AccessDenied):
        throttle.login_throttle_clear(actor=make_user(role), username="alice")
