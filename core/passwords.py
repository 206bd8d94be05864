"""Password hashing (bcrypt, the scheme streamlit-authenticator checks) and the password rule."""

from __future__ import annotations

import os

import bcrypt

MIN_LENGTH = 10
MAX_BYTES = 72  # bcrypt reads no further, and refuses longer input
TOO_LONG = f"Mot de passe trop long : {MAX_BYTES} caractères sans accent au plus."
WEAK_PASSWORD = (
    f"Mot de passe trop faible : au moins {MIN_LENGTH} caractères, dont au moins un chiffre "
    "ou un signe autre qu'une lettre."
)


# bcrypt cost of new hashes. Each step doubles the time of a log-in's single comparison: measured on
# the 2-core server under load, 12 took about 2 s, 11 about 1 s, 10 about 0.3 s. 10 is the lowest cost
# the usual password-storage guidance accepts for bcrypt; tests lower it through the environment.
DEFAULT_ROUNDS = 10


def _rounds() -> int:
    return int(os.environ.get("ANCRAGE_BCRYPT_ROUNDS", str(DEFAULT_ROUNDS)))


def password_hash(password: str) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=_rounds())).decode()


def password_matches(password: str, hashed: str) -> bool:
    try:
        return bcrypt.checkpw(password.encode(), hashed.encode())
    except ValueError:
        return False


def password_problem(password: str) -> str | None:
    """The French reason a password is refused, or None when it is acceptable.

    >>> password_problem("ancrage-demo") is None
    True
    """
    if len(password.encode()) > MAX_BYTES or "\x00" in password:
        return TOO_LONG
    if len(password) < MIN_LENGTH or password.isalpha():
        return WEAK_PASSWORD
    return None
