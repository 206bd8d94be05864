"""Accounts: creation, attachment to a structure, password reset, deactivation, log-in bookkeeping."""

from __future__ import annotations

import re
from datetime import datetime

import sqlalchemy as sa
from pydantic import BaseModel
from sqlmodel import func, select

from core.access import Action, Actor, require
from core.audit import audit_record
from core.concurrency import get_versioned
from core.config import get_settings
from core.db import session_scope
from core.errors import FieldError, NotFound, ValidationFailed
from core.passwords import password_hash, password_matches, password_problem
from models.base import utcnow
from models.login_throttle import LoginThrottle
from models.structure import Structure
from models.user import Role, User

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{2,59}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
LOGIN_ACTOR = Actor(
    user_id=None, username="connexion", display_name="Connexion", role=Role.COORDINATION.value, is_system=True
)

USER_NOT_FOUND = "Compte introuvable."
USERNAME_TAKEN = "cet identifiant existe déjà"
USERNAME_INVALID = "3 à 60 caractères : lettres minuscules, chiffres, point, tiret ou souligné"
EMAIL_INVALID = "adresse e-mail invalide"
STRUCTURE_REQUIRED = "un compte partenaire doit être rattaché à une structure"
STRUCTURE_FORBIDDEN = "seul un compte partenaire est rattaché à une structure"
UNKNOWN_STRUCTURE = "structure inconnue"


class UserCreate(BaseModel):
    username: str
    display_name: str
    email: str
    role: str
    password: str
    structure_id: int | None = None
    region_code: str | None = None
    departement_code: str | None = None


class UserPublic(BaseModel):
    id: int
    username: str
    display_name: str
    email: str
    role: str
    structure_id: int | None
    structure_name: str | None
    region_code: str | None
    departement_code: str | None
    active: bool
    locked_until: datetime | None
    last_login_at: datetime | None
    version: int


def _validate(
    session, data: UserCreate | None, *, username: str, email: str, role: str, structure_id, password: str | None
) -> None:
    errors = []
    if not USERNAME_RE.match(username):
        errors.append(FieldError("Identifiant", USERNAME_INVALID))
    elif data is not None and session.exec(select(User.id).where(User.username == username)).first():
        errors.append(FieldError("Identifiant", USERNAME_TAKEN))
    if not EMAIL_RE.match(email or ""):
        errors.append(FieldError("E-mail", EMAIL_INVALID))
    if role not in Role.labels():
        errors.append(FieldError("Rôle", "rôle inconnu"))
    if role == Role.PARTENAIRE.value and structure_id is None:
        errors.append(FieldError("Structure", STRUCTURE_REQUIRED))
    if role != Role.PARTENAIRE.value and structure_id is not None:
        errors.append(FieldError("Structure", STRUCTURE_FORBIDDEN))
    if structure_id is not None and session.get(Structure, structure_id) is None:
        errors.append(FieldError("Structure", UNKNOWN_STRUCTURE))
    if password is not None and (problem := password_problem(password)):
        errors.append(FieldError("Mot de passe", problem))
    if errors:
        raise ValidationFailed(errors)


def user_create(*, actor: Actor, data: UserCreate) -> UserPublic:
    """Coordination only: create an account (its password is hashed, never stored in clear)."""
    require(actor, Action.ACCOUNT_MANAGE)
    username = data.username.strip().lower()
    with session_scope(actor) as session:
        _validate(
            session,
            data,
            username=username,
            email=data.email.strip(),
            role=data.role,
            structure_id=data.structure_id,
            password=data.password,
        )
        user = User(
            username=username,
            display_name=data.display_name.strip() or username,
            email=data.email.strip(),
            role=data.role,
            structure_id=data.structure_id,
            region_code=data.region_code or None,
            departement_code=data.departement_code or None,
            password_hash=password_hash(data.password),
        )
        session.add(user)
        session.flush()
        return _public(session, user)


def user_list(*, actor: Actor) -> list[UserPublic]:
    """Coordination only: every account with its structure's name."""
    require(actor, Action.ACCOUNT_MANAGE)
    with session_scope(actor) as session:
        rows = session.exec(
            select(User, Structure.name).join(Structure, isouter=True).order_by(User.role, User.username)
        ).all()
        return [_public(session, user, structure_name) for user, structure_name in rows]


def user_update(
    *,
    actor: Actor,
    user_id: int,
    expected_version: int,
    role: str | None = None,
    structure_id: int | None = None,
    active: bool | None = None,
    display_name: str | None = None,
    email: str | None = None,
    region_code: str | None = None,
    departement_code: str | None = None,
) -> UserPublic:
    """Coordination only: change role, structure, scope or active flag, refused if edited meanwhile."""
    require(actor, Action.ACCOUNT_MANAGE)
    with session_scope(actor) as session:
        user = get_versioned(session, User, user_id, expected_version=expected_version, not_found=USER_NOT_FOUND)
        new_role = role or user.role
        new_structure = structure_id if new_role == Role.PARTENAIRE.value else None
        _validate(
            session,
            None,
            username=user.username,
            email=email if email is not None else user.email,
            role=new_role,
            structure_id=new_structure,
            password=None,
        )
        user.role, user.structure_id = new_role, new_structure
        if active is not None:
            if not active and user.id == actor.user_id:
                raise ValidationFailed(FieldError("Actif", "vous ne pouvez pas désactiver votre propre compte"))
            user.active = active
        if display_name is not None:
            user.display_name = display_name.strip() or user.display_name
        if email is not None:
            user.email = email.strip()
        if new_role == Role.FINANCEUR.value:
            user.region_code, user.departement_code = region_code or None, departement_code or None
        else:
            user.region_code = user.departement_code = None
        session.add(user)
        session.flush()
        return _public(session, user)


def user_reset_password(*, actor: Actor, user_id: int, new_password: str) -> None:
    """Coordination only: set a new password and lift any log-in delay on the account."""
    require(actor, Action.ACCOUNT_MANAGE)
    if problem := password_problem(new_password):
        raise ValidationFailed(FieldError("Mot de passe", problem))
    with session_scope(actor) as session:
        user = _get(session, user_id)
        user.password_hash = password_hash(new_password)
        user.failed_attempts, user.locked_until = 0, None
        user.sessions_revoked_at = utcnow()  # a cookie kept from before the reset no longer opens the account
        session.add(user)
        session.execute(sa.delete(LoginThrottle).where(LoginThrottle.username == user.username))


def user_count(*, actor: Actor) -> int:
    """Coordination only: number of accounts."""
    require(actor, Action.ACCOUNT_MANAGE)
    with session_scope(actor) as session:
        return session.exec(select(func.count()).select_from(User)).one()


def locked_user_count(*, actor: Actor) -> int:
    """Coordination only: accounts locked out right now."""
    require(actor, Action.ACCOUNT_MANAGE)
    with session_scope(actor) as session:
        return session.exec(select(func.count()).select_from(User).where(User.locked_until > utcnow())).one()


# --- log-in bookkeeping: called by the log-in screen, before anyone is authenticated ---------------


def login_credentials() -> dict:
    """The credentials dict streamlit-authenticator expects, built from the active accounts.

    A locked account is handed over with its failure count at the limit, so the library refuses
    it before even checking the password.
    """
    settings = get_settings()
    now = utcnow()
    with session_scope() as session:
        users = session.exec(select(User).where(User.active == True)).all()
    return {
        "usernames": {
            u.username: {
                "name": u.display_name,
                "email": u.email,
                "password": u.password_hash,
                "roles": [u.role],
                "failed_login_attempts": _attempts_shown(u, settings.lockout_attempts, now),
            }
            for u in users
        }
    }


def _attempts_shown(user: User, limit: int, now: datetime) -> int:
    if user.locked_until is None:
        return user.failed_attempts
    return limit if user.locked_until > now else 0  # an expired lock-out starts afresh


def _account_touch(username: str, **values: object) -> None:
    """Log-in bookkeeping on an account (failure count, last log-in, cookies revoked): one UPDATE, a
    fact rather than an edit. Two log-ins of one account at the same instant (two tabs, a shared
    desk) both pass, where a versioned edit would refuse the second; and the version an open account
    form holds stays valid. Audited explicitly, as the ORM hook does not see it."""
    table = User.__table__
    with session_scope(LOGIN_ACTOR) as session:
        row = (
            session.connection()
            .execute(sa.select(table.c.id, *(table.c[name] for name in values)).where(table.c.username == username))
            .first()
        )
        if row is None:
            return
        session.connection().execute(sa.update(table).where(table.c.id == row.id).values(**values))
        before = {name: row._mapping[name] for name in values}
        audit_record(session, [("update", "app_users", str(row.id), before, dict(values))])


def login_success_record(*, username: str) -> None:
    """Reset the failure count of an account that just logged in."""
    _account_touch(username, failed_attempts=0, locked_until=None, last_login_at=utcnow())


def login_logout_record(*, username: str) -> None:
    """Anyone logging out: every log-in cookie issued to the account until now stops opening it."""
    _account_touch(username, sessions_revoked_at=utcnow())


def login_cookie_valid(*, username: str, issued_at: datetime) -> bool:
    """Log-in screen: True when a cookie issued at `issued_at` may still open this active account.

    A log-out or a password reset revokes the cookies issued before it, even when the browser kept
    them (the cookie is deleted by the page, which may be reloaded before it has done so).
    """
    with session_scope() as session:
        user = session.exec(select(User).where(User.username == username, User.active == True)).first()
    if user is None:
        return False
    return user.sessions_revoked_at is None or issued_at > user.sessions_revoked_at


def login_check(*, username: str, password: str) -> bool:
    """True when the password is right for an active, unlocked account (used outside the UI)."""
    with session_scope() as session:
        user = session.exec(select(User).where(User.username == username.lower())).first()
    if user is None or not user.active or (user.locked_until and user.locked_until > utcnow()):
        return False
    return password_matches(password, user.password_hash)


def actor_for_username(*, username: str) -> Actor | None:
    """The Actor of an active account, or None (unknown or deactivated)."""
    with session_scope() as session:
        user = session.exec(select(User).where(User.username == username, User.active == True)).first()
    if user is None:
        return None
    return Actor(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        structure_id=user.structure_id,
        region_code=user.region_code,
        departement_code=user.departement_code,
    )


def _get(session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(USER_NOT_FOUND)
    return user


def _public(session, user: User, structure_name: str | None = None) -> UserPublic:
    if structure_name is None and user.structure_id is not None:
        structure_name = session.get(Structure, user.structure_id).name
    return UserPublic(
        structure_name=structure_name,
        **user.model_dump(include=set(UserPublic.model_fields) - {"structure_name"}),
    )


FIRST_ACCOUNT_EXISTS = "un compte coordination actif existe déjà : créez les autres comptes depuis la page « Comptes »"
DEMO_PASSWORD_REFUSED = "le mot de passe de démonstration publié n'est pas accepté"


def first_account_create(*, actor: Actor, username: str, display_name: str, email: str, password: str) -> UserPublic:
    """System only (the operator's command): the first coordination account, refused once one is active."""
    require(actor, Action.ACCOUNT_MANAGE)
    if not actor.is_system:
        raise ValidationFailed([FieldError("Compte", FIRST_ACCOUNT_EXISTS)])
    if password == "ancrage-demo":
        raise ValidationFailed([FieldError("Mot de passe", DEMO_PASSWORD_REFUSED)])
    with session_scope(actor) as session:
        existing = session.exec(
            select(User.id).where(User.role == Role.COORDINATION.value, User.active == True)
        ).first()
        if existing is not None:
            raise ValidationFailed([FieldError("Compte", FIRST_ACCOUNT_EXISTS)])
        return user_create(
            actor=actor,
            data=UserCreate(
                username=username,
                display_name=display_name,
                email=email,
                role=Role.COORDINATION.value,
                password=password,
            ),
        )
