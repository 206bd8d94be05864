"""Start modes: the demo only when asked and never in production, the production start, the first account."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request

import pytest
import sqlalchemy as sa

from core.config import PROJECT_ROOT, ConfigurationError, configuration_problems, reset_settings
from core.db import dispose_engines
from startup.bootstrap import DEMO_REFUSED, init_database
from startup.bootstrap import main as bootstrap_main
from tests import pg_server

GOOD_KEY = "k" * 40
ENV_NAMES = ("ANCRAGE_ENV", "ANCRAGE_COOKIE_KEY", "DATABASE_URL", "ANCRAGE_DATABASE_URL", "ANCRAGE_FIRST_PASSWORD")


@pytest.fixture
def environment(monkeypatch):
    """Set environment variables for the settings of this process; restored (and re-read) afterwards."""

    def set_env(**values):
        for name, value in values.items():
            if value is None:
                monkeypatch.delenv(name, raising=False)
            else:
                monkeypatch.setenv(name, value)
        reset_settings()
        dispose_engines()

    yield set_env
    monkeypatch.undo()
    reset_settings()
    dispose_engines()


@pytest.fixture
def empty_pg(pg_url, request):
    """A new, empty PostgreSQL database (no migration run yet)."""
    return pg_server.create_database(pg_url, f"ancrage_{request.node.name[:40].lower()}")


def _count(url: str, table: str) -> int:
    probe = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with probe.connect() as connection:
        count = connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
    probe.dispose()
    return count


def _subprocess_env(**values) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ENV_NAMES}
    env.update({k: v for k, v in values.items() if v is not None})
    return env


@pytest.mark.parametrize(
    "values, expected",
    [
        ({"ANCRAGE_ENV": "production", "ANCRAGE_COOKIE_KEY": None}, "ANCRAGE_COOKIE_KEY doit être fourni"),
        ({"ANCRAGE_ENV": "production", "ANCRAGE_COOKIE_KEY": "changeme"}, "valeur d'exemple"),
        ({"ANCRAGE_ENV": "production", "ANCRAGE_COOKIE_KEY": "short-key-1"}, "au moins 32 caractères"),
        (
            {"ANCRAGE_ENV": "production", "ANCRAGE_COOKIE_KEY": GOOD_KEY, "DATABASE_URL": "sqlite:////tmp/x.db"},
            "PostgreSQL",
        ),
        ({"ANCRAGE_ENV": "prod"}, "ANCRAGE_ENV vaut « prod »"),
        ({"ANCRAGE_LOCKOUT_ATTEMPTS": "cinq"}, "illisible ('cinq')"),
    ],
)
def test_bad_configuration_is_named_in_french(environment, values, expected):
    environment(**values)
    assert any(expected in problem for problem in configuration_problems())


def test_production_configuration_with_postgresql_and_a_real_key_passes(environment):
    environment(
        ANCRAGE_ENV="production",
        ANCRAGE_COOKIE_KEY=GOOD_KEY,
        DATABASE_URL="postgresql://ancrage@db.example.org/ancrage",
    )
    assert configuration_problems() == []


def test_development_needs_nothing(environment):
    environment(ANCRAGE_ENV=None, ANCRAGE_COOKIE_KEY=None)
    assert configuration_problems() == []


def test_bootstrap_refuses_a_bad_configuration_before_touching_the_database(environment, capsys):
    environment(ANCRAGE_ENV="production", ANCRAGE_COOKIE_KEY=None, DATABASE_URL="postgresql://nobody@127.0.0.1:1/x")
    assert bootstrap_main([]) == 2
    assert "ANCRAGE_COOKIE_KEY doit être fourni en production" in capsys.readouterr().err


def test_demo_start_says_in_french_what_it_builds_then_nothing_once_built(environment, tmp_path, monkeypatch, capsys):
    import demo.generate
    from startup.bootstrap import DEMO_DONE, DEMO_STARTED

    def accounts(ctx):
        from core.access import SYSTEM
        from services.admin.users import UserCreate, user_create

        user_create(
            actor=SYSTEM,
            data=UserCreate(
                username="demo",
                display_name="Démo",
                email="demo@exemple.fr",
                role="coordination",
                password="demo-2026-mot",
            ),
        )

    steps = [("structures", lambda ctx: None), ("comptes de démonstration", accounts)]
    monkeypatch.setattr(demo.generate, "_steps", lambda: steps)
    environment(ANCRAGE_ENV=None, ANCRAGE_COOKIE_KEY=None, DATABASE_URL=f"sqlite:///{tmp_path / 'start.db'}")
    assert bootstrap_main(["--demo"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:3] == [DEMO_STARTED, "  structures…", "  comptes de démonstration…"]
    assert lines[3].startswith("Données de démonstration créées en ") and lines[3].endswith(" s.")
    assert DEMO_DONE.startswith("Données de démonstration créées en ")
    assert bootstrap_main(["--demo"]) == 0  # accounts exist: no demo, nothing said
    assert capsys.readouterr().out == ""


def test_production_start_migrates_without_demo_and_demo_is_refused(environment, empty_pg, capsys):
    environment(ANCRAGE_ENV="production", ANCRAGE_COOKIE_KEY=GOOD_KEY, DATABASE_URL=empty_pg)
    assert bootstrap_main(["--demo"]) == 2
    assert DEMO_REFUSED in capsys.readouterr().err
    with pytest.raises(ConfigurationError):
        init_database(demo=True)
    assert bootstrap_main([]) == 0
    assert _count(empty_pg, "departements") == 101  # migrated, reference data loaded
    assert _count(empty_pg, "app_users") == 0
    assert _count(empty_pg, "structures") == 0


def test_run_sh_is_refused_in_production(empty_pg):
    result = subprocess.run(
        ["./run.sh"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=_subprocess_env(ANCRAGE_ENV="production", ANCRAGE_COOKIE_KEY=GOOD_KEY, DATABASE_URL=empty_pg),
    )
    assert result.returncode != 0
    assert DEMO_REFUSED in result.stderr
    assert not _has_table(empty_pg, "app_users")  # refused before migrating


def _has_table(url: str, table: str) -> bool:
    probe = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        return sa.inspect(probe).has_table(table)
    finally:
        probe.dispose()


def test_start_production_script_refuses_outside_production():
    result = subprocess.run(
        ["scripts/start-production.sh"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env=_subprocess_env(),
    )
    assert result.returncode == 2
    assert "ANCRAGE_ENV=production" in result.stderr


def test_start_production_script_stops_on_a_bad_configuration(empty_pg):
    result = subprocess.run(
        ["scripts/start-production.sh"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=_subprocess_env(ANCRAGE_ENV="production", ANCRAGE_COOKIE_KEY="secret", DATABASE_URL=empty_pg),
    )
    assert result.returncode == 2
    assert "ANCRAGE_COOKIE_KEY est une valeur d'exemple" in result.stderr
    assert not _has_table(empty_pg, "app_users")  # stopped before migrating


def test_start_production_script_serves_an_empty_base_without_demo(empty_pg, tmp_path):
    port = pg_server._free_port()
    env = _subprocess_env(
        ANCRAGE_ENV="production",
        ANCRAGE_COOKIE_KEY=GOOD_KEY,
        DATABASE_URL=empty_pg,
        ANCRAGE_PORT=str(port),
        ANCRAGE_DATA_DIR=str(tmp_path),
    )
    process = subprocess.Popen(
        ["scripts/start-production.sh"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        assert _healthy(f"http://127.0.0.1:{port}/_stcore/health", process)
        assert _count(empty_pg, "app_users") == 0
        assert _count(empty_pg, "structures") == 0
        assert _count(empty_pg, "app_settings where key = 'demo'") == 0
    finally:
        os.killpg(process.pid, 15)
        process.wait(timeout=30)


def _healthy(url: str, process: subprocess.Popen, timeout: float = 90) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(process.stderr.read().decode())
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.status == 200
        except OSError:
            time.sleep(0.5)
    return False


def test_first_account_from_the_environment_then_refused_once_it_exists(environment, empty_pg, capsys):
    from startup.first_account import main as first_account

    environment(
        ANCRAGE_ENV="production",
        ANCRAGE_COOKIE_KEY=GOOD_KEY,
        DATABASE_URL=empty_pg,
        ANCRAGE_FIRST_PASSWORD="un-vrai-secret-42",
    )
    assert first_account(["--username", "marie.dupont", "--email", "marie@example.org", "--name", "Marie"]) == 0
    from services.admin.users import login_check

    assert login_check(username="marie.dupont", password="un-vrai-secret-42")
    assert first_account(["--username", "autre.personne", "--email", "autre@example.org"]) == 1
    assert "un compte coordination actif existe déjà" in capsys.readouterr().err
    assert _count(empty_pg, "app_users where role = 'coordination'") == 1


def test_first_account_asks_the_password_twice(environment, empty_pg, monkeypatch, capsys):
    import startup.first_account as module

    environment(
        ANCRAGE_ENV="production", ANCRAGE_COOKIE_KEY=GOOD_KEY, DATABASE_URL=empty_pg, ANCRAGE_FIRST_PASSWORD=None
    )
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    typed = iter(["un-vrai-secret-42", "un-autre-secret-42"])
    monkeypatch.setattr(module.getpass, "getpass", lambda prompt: next(typed))
    assert module.main(["--username", "marie.dupont", "--email", "marie@example.org"]) == 2
    assert module.MISMATCH in capsys.readouterr().err
    assert _count(empty_pg, "app_users") == 0
    typed = iter(["un-vrai-secret-42", "un-vrai-secret-42"])
    assert module.main(["--username", "marie.dupont", "--email", "marie@example.org"]) == 0
    assert _count(empty_pg, "app_users where role = 'coordination'") == 1


def test_first_account_refuses_the_demo_password(environment, empty_pg, capsys):
    from startup.first_account import main as first_account

    environment(
        ANCRAGE_ENV="production",
        ANCRAGE_COOKIE_KEY=GOOD_KEY,
        DATABASE_URL=empty_pg,
        ANCRAGE_FIRST_PASSWORD="ancrage-demo",
    )
    assert first_account(["--username", "marie.dupont", "--email", "marie@example.org"]) == 1
    assert "mot de passe de démonstration" in capsys.readouterr().err


def test_app_shows_a_refused_configuration_in_french(environment):
    from tests.pages.helpers import app_as

    environment(ANCRAGE_ENV="production", ANCRAGE_COOKIE_KEY=None)
    at = app_as(None)
    at.run()
    assert not at.exception
    assert "ANCRAGE_COOKIE_KEY doit être fourni en production" in at.error[0].value
