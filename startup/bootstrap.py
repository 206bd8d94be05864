"""Bringing a database to a usable state: migrations, reference data, and demo data if asked.

    python -m startup.bootstrap            # check the configuration, migrate, load reference data
    python -m startup.bootstrap --demo     # the same, then the demonstration data if the base is empty
    python -m startup.bootstrap --check    # only check the configuration

A refused configuration or demo in production ends the command with a French message and exit code 2.
"""

from __future__ import annotations

import argparse
import fcntl
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from core.config import ConfigurationError, check_configuration, get_settings
from core.formatting import fr_number

DEMO_REFUSED = (
    "Les données de démonstration ne sont jamais créées quand ANCRAGE_ENV=production : "
    "démarrez avec scripts/start-production.sh et créez le premier compte avec "
    "scripts/create-account.sh."
)
DEMO_STARTED = "Création des données de démonstration (une à deux minutes la première fois)…"
DEMO_DONE = "Données de démonstration créées en {seconds} s."
# Any constant shared by every process of the app: they queue on it while one migrates.
MIGRATION_LOCK_KEY = 0x416E6372  # "Ancr"


def init_database(*, demo: bool = False, say: Callable[[str], None] | None = None) -> None:
    """Upgrade to head, load the reference data and the default weekly data set, and seed the demo when asked.

    Processes starting together take turns: the first migrates, the others then find nothing to do.
    `say` is given French progress lines while the demo is built (nothing else is long).
    """
    from core.access import SYSTEM
    from core.db import upgrade_to_head
    from services.directory.referential import reference_sync
    from services.weekly.elements import weekly_element_seed_defaults

    if demo and get_settings().is_production:
        raise ConfigurationError(DEMO_REFUSED)
    with migration_lock():
        upgrade_to_head()
        reference_sync()
        weekly_element_seed_defaults(actor=SYSTEM)
        if demo:
            _demo(say or (lambda _line: None))


def _demo(say: Callable[[str], None]) -> None:
    """The demo if the base is empty, told step by step: « Création des données de démonstration… »."""
    from demo.generate import demo_generate_if_empty

    started = time.monotonic()
    announced: list[bool] = []

    def step(name: str) -> None:
        if not announced:
            say(DEMO_STARTED)
            announced.append(True)
        say(f"  {name}…")

    if demo_generate_if_empty(progress=step):
        say(DEMO_DONE.format(seconds=fr_number(time.monotonic() - started)))


@contextmanager
def migration_lock() -> Iterator[None]:
    """Held by one process at a time: a PostgreSQL advisory lock, or a lock file next to a SQLite base."""
    url = get_settings().database_url
    if url.startswith("sqlite"):
        with _file_lock(url):
            yield
        return
    from core.db import engine

    with engine().connect() as connection:
        connection.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        connection.commit()
        try:
            yield
        finally:
            connection.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY})
            connection.commit()


@contextmanager
def _file_lock(url: str) -> Iterator[None]:
    from core.db import ensure_sqlite_dir

    path = url.removeprefix("sqlite:///")
    if not path or path == ":memory:" or not url.startswith("sqlite:///"):
        yield
        return
    ensure_sqlite_dir(url)
    with Path(path + ".lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _say(line: str) -> None:
    print(line, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Prépare la base de données d'Ancrage.")
    parser.add_argument("--demo", action="store_true", help="génère les données de démonstration si la base est vide")
    parser.add_argument("--check", action="store_true", help="vérifie seulement la configuration")
    args = parser.parse_args(argv)
    try:
        check_configuration()
        if not args.check:
            init_database(demo=args.demo, say=_say)
    except ConfigurationError as error:
        print(str(error), file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
