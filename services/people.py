"""People's names for saying who did something: records keep the log-in name of the author; screens
show the person's display name, or the log-in name when no account carries it any more."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import case, func
from sqlmodel import select

from core.access import SYSTEM
from models.user import User

# Authors that are not accounts: the system's own writes.
_NOT_ACCOUNTS = {SYSTEM.username: SYSTEM.display_name}


def author_name(login_column):
    """A SQL expression for the name of the account whose log-in is `login_column` (outer-join
    :data:`models.user.User` on ``User.username == login_column``), the log-in itself otherwise."""
    return func.coalesce(User.display_name, case(_NOT_ACCOUNTS, value=login_column, else_=login_column))


def people_names(session, logins: Iterable[str | None]) -> dict[str, str]:
    """Log-in name → the person's name, in one query, for all the given log-ins (missing ones map to
    themselves, the system to « Système »)."""
    wanted = {login for login in logins if login}
    names = {login: _NOT_ACCOUNTS.get(login, login) for login in wanted}
    if wanted:
        found = session.execute(select(User.username, User.display_name).where(User.username.in_(wanted))).all()
        names.update({login: name for login, name in found if name})
    return names
