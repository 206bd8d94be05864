"""Log-in attempts: the same answer for every name, and a delay that grows with the failures.

Why not a lock-out: locking an account after five failures let anyone lock the coordination out,
and an unknown name (never « verrouillé ») told whether an account existed. Instead:

- failures are counted per (typed name, client address), whether or not an account bears that
  name, and per address over every name (a higher allowance: a whole office may share one);
- past the allowance, each further failure doubles the wait before the next try (30 s, 1 min,
  2 min… up to the lock-out length); during the wait no password is checked;
- a stranger slows only his own address: the coordination logging in from elsewhere is not
  delayed; the coordination can lift a delay (`login_throttle_clear`), a success clears it too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

import sqlalchemy as sa
from sqlmodel import select

from core.access import Action, Actor, require
from core.audit import audit_record
from core.config import get_settings
from core.db import session_scope
from core.passwords import password_hash, password_matches
from models.base import utcnow
from models.login_throttle import ANY_NAME, LoginThrottle
from models.user import User
from services.admin.users import LOGIN_ACTOR

FIRST_DELAY_SECONDS = 30
ADDRESS_ALLOWANCE_FACTOR = 4  # an address may fail this many times more than one name from it
FORGET_AFTER = timedelta(days=1)


@dataclass(frozen=True)
class LoginOutcome:
    """`username` when the log-in succeeded; else `wait`, the seconds before another try is read."""

    username: str | None
    wait: int = 0


def login_attempt(*, username: str, password: str, address: str, now: datetime | None = None) -> LoginOutcome:
    """Anyone, before log-in: check a name and password, unless this name or address must wait."""
    now = now or utcnow()
    name = username.strip().lower()[:60]
    address = (address or "inconnue")[:64]
    with session_scope() as session:
        rows = _rows(session, name, address)
        wait = _wait(rows.values(), now)
        if wait:
            return LoginOutcome(None, wait)
        user = session.exec(select(User).where(User.username == name, User.active == True)).first()
    # Always one hash comparison, so that an unknown name answers as slowly as a known one.
    ok = password_matches(password, user.password_hash if user else _decoy_hash()) and user is not None
    with session_scope(LOGIN_ACTOR) as session:
        rows = _rows(session, name, address)
        if ok:
            if (name, address) in rows:
                session.delete(rows[(name, address)])
            return LoginOutcome(name)
        return LoginOutcome(None, _record_failure(session, rows, name, address, now))


def login_throttle_clear(*, actor: Actor, username: str) -> int:
    """Coordination only: lift every delay on a name (from every address); returns the rows cleared."""
    require(actor, Action.ACCOUNT_MANAGE)
    with session_scope(actor) as session:
        rows = session.exec(select(LoginThrottle).where(LoginThrottle.username == username)).all()
        for row in rows:
            session.delete(row)
        user = session.exec(select(User).where(User.username == username)).first()
        if user is not None and user.locked_until is not None:
            user.failed_attempts, user.locked_until = 0, None
            session.add(user)
        audit_record(
            session, [("delete", "login_throttles", username, {"failures": sum(r.failures for r in rows)}, None)]
        )
        return len(rows)


def _rows(session, name: str, address: str) -> dict[tuple[str, str], LoginThrottle]:
    found = session.exec(
        select(LoginThrottle).where(LoginThrottle.address == address, LoginThrottle.username.in_([name, ANY_NAME]))
    ).all()
    return {(r.username, r.address): r for r in found}


def _wait(rows, now: datetime) -> int:
    ends = [r.blocked_until for r in rows if r.blocked_until and r.blocked_until > now]
    return int((max(ends) - now).total_seconds() + 0.999) if ends else 0


def _delay(failures: int, allowance: int) -> timedelta | None:
    if failures < allowance:
        return None
    cap = get_settings().lockout_minutes * 60
    return timedelta(seconds=min(FIRST_DELAY_SECONDS * 2 ** min(failures - allowance, 20), cap))


def _record_failure(session, rows, name: str, address: str, now: datetime) -> int:
    allowance = get_settings().lockout_attempts
    session.execute(sa.delete(LoginThrottle).where(LoginThrottle.updated_at < now - FORGET_AFTER))
    for key, allowed in (((name, address), allowance), ((ANY_NAME, address), allowance * ADDRESS_ALLOWANCE_FACTOR)):
        row = rows.get(key) or LoginThrottle(username=key[0], address=key[1])
        row.failures += 1
        row.updated_at = now
        delay = _delay(row.failures, allowed)
        row.blocked_until = now + delay if delay else None
        session.add(row)
        rows[key] = row
    _show_on_account(session, name, rows[(name, address)].blocked_until)
    return _wait(rows.values(), now)


def _show_on_account(session, name: str, until: datetime | None) -> None:
    """Keep the account's « locked until » (shown to the coordination) at its latest delay."""
    if until is None:
        return
    user = session.exec(select(User).where(User.username == name)).first()
    if user is not None and (user.locked_until is None or user.locked_until < until):
        user.locked_until = until
        session.add(user)


@lru_cache(maxsize=1)
def _decoy_hash() -> str:
    return password_hash("decoy-password-never-used")
