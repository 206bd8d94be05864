"""One place for configuration: environment variables, then Streamlit secrets, then defaults.

Every tunable the app reads (database URL, cookie key, lock-out, deadlines) is declared here and
documented in docs/exploitation.md. Nothing secret has a default written in the code.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER_SECRETS = {"", "changeme", "change-me", "secret", "some_key"}


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    if value is not None:
        return value
    return _secret(name.lower().removeprefix("ancrage_"), default)


def _secret(key: str, default: str | None) -> str | None:
    """Reads `.streamlit/secrets.toml` when present, without importing Streamlit at all."""
    path = PROJECT_ROOT / ".streamlit" / "secrets.toml"
    if not path.exists():
        return default
    import tomllib

    with path.open("rb") as handle:
        data = tomllib.load(handle)
    value = data.get(key, default)
    return None if value is None else str(value)


@dataclass(frozen=True)
class Settings:
    environment: str
    data_dir: Path
    database_url: str
    cookie_name: str
    cookie_expiry_hours: float
    lockout_attempts: int
    lockout_minutes: int
    secret_dir: Path
    cookie_key_configured: str | None = field(default=None, repr=False)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    def cookie_key(self) -> str:
        """The signing key of the log-in cookie: configured, or generated once and kept outside the repo."""
        key = self.cookie_key_configured
        if key:
            if key.strip().lower() in PLACEHOLDER_SECRETS:
                raise RuntimeError("ANCRAGE_COOKIE_KEY est une valeur d'exemple : choisissez une vraie clé.")
            return key
        if self.is_production:
            raise RuntimeError("ANCRAGE_COOKIE_KEY doit être fourni en production.")
        return _generated_key(self.secret_dir / "cookie_key")


def _generated_key(path: Path) -> str:
    if path.exists():
        return path.read_text().strip()
    from core.private_files import write_private

    key = secrets.token_urlsafe(48)
    try:
        write_private(path, key)
    except FileExistsError:  # another process wrote it first
        return path.read_text().strip()
    return key


def _database_url(data_dir: Path) -> str:
    url = _env("DATABASE_URL") or _env("ANCRAGE_DATABASE_URL")
    if url:
        # Plain postgres URLs are taken to mean psycopg 3, the driver installed here.
        for prefix in ("postgresql://", "postgres://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix) :]
        return url
    return f"sqlite:///{data_dir / 'ancrage.db'}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process; `reset_settings()` after changing the environment (tests)."""
    data_dir = Path(_env("ANCRAGE_DATA_DIR") or PROJECT_ROOT / "data")
    return Settings(
        environment=_env("ANCRAGE_ENV", "development") or "development",
        data_dir=data_dir,
        database_url=_database_url(data_dir),
        cookie_name=_env("ANCRAGE_COOKIE_NAME", "ancrage_auth") or "ancrage_auth",
        cookie_expiry_hours=float(_env("ANCRAGE_COOKIE_EXPIRY_HOURS", "12") or 12),
        lockout_attempts=int(_env("ANCRAGE_LOCKOUT_ATTEMPTS", "5") or 5),
        lockout_minutes=int(_env("ANCRAGE_LOCKOUT_MINUTES", "15") or 15),
        secret_dir=Path(_env("ANCRAGE_SECRET_DIR") or Path.home() / ".config" / "ancrage"),
        cookie_key_configured=_env("ANCRAGE_COOKIE_KEY"),
    )


def reset_settings() -> None:
    get_settings.cache_clear()


ENVIRONMENTS = ("development", "production", "test")
MIN_COOKIE_KEY_LENGTH = 32


class ConfigurationError(RuntimeError):
    """A configuration the process must not start with; the message is French and names the fix."""


def configuration_problems() -> list[str]:
    """Every reason, in French, why this process must not serve with its configuration (empty if none).

    Production needs PostgreSQL and a real cookie key of at least 32 characters; every environment
    needs readable numbers.
    """
    try:
        settings = get_settings()
    except ValueError as error:
        return [f"Une valeur numérique de configuration est illisible ({_plain(error)})."]
    problems = []
    if settings.environment not in ENVIRONMENTS:
        problems.append(
            f"ANCRAGE_ENV vaut « {settings.environment} » : valeurs possibles " + ", ".join(ENVIRONMENTS) + "."
        )
    if settings.cookie_expiry_hours <= 0 or settings.lockout_attempts < 1 or settings.lockout_minutes < 1:
        problems.append(
            "ANCRAGE_COOKIE_EXPIRY_HOURS, ANCRAGE_LOCKOUT_ATTEMPTS et ANCRAGE_LOCKOUT_MINUTES doivent être positifs."
        )
    if settings.is_production:
        problems.extend(_production_problems(settings))
    return problems


def _production_problems(settings: Settings) -> list[str]:
    problems = []
    key = (settings.cookie_key_configured or "").strip()
    if not key:
        problems.append("ANCRAGE_COOKIE_KEY doit être fourni en production.")
    elif key.lower() in PLACEHOLDER_SECRETS or len(key) < MIN_COOKIE_KEY_LENGTH:
        problems.append(
            f"ANCRAGE_COOKIE_KEY est une valeur d'exemple ou trop courte : choisissez une clé "
            f"aléatoire d'au moins {MIN_COOKIE_KEY_LENGTH} caractères."
        )
    if settings.is_sqlite:
        problems.append(
            "En production, DATABASE_URL doit désigner une base PostgreSQL (SQLite est réservé "
            "à la démonstration et au développement)."
        )
    return problems


def _plain(error: ValueError) -> str:
    # "could not convert string to float: 'abc'" -> "'abc'": the value, not Python's wording.
    return str(error).rsplit(":", 1)[-1].strip()


def check_configuration() -> None:
    """Raise ConfigurationError with every problem when this process must not start."""
    problems = configuration_problems()
    if problems:
        raise ConfigurationError("Configuration refusée :\n" + "\n".join(f"- {p}" for p in problems))
