"""Production scenarios: PostgreSQL stopped and restarted under a logged-in session."""

from __future__ import annotations

import atexit
import time

import pytest

from tests import pg_server
from tests.browser.harness import (
    assert_no_streamlit_error,
    login,
    main_text,
    menu_titles,
    open_from_menu,
    wait_idle,
)
from tests.browser.production import NAME, PASSWORD, USERNAME, ProductionApp, prepare_database
from ui.outage import DATABASE_DOWN


@pytest.fixture(scope="module")
def own_pg():
    """A PostgreSQL server of its own: these scenarios stop it."""
    try:
        server = pg_server.start()
    except (RuntimeError, OSError) as error:
        pytest.fail(f"PostgreSQL is required for the production scenarios: {error}")
    atexit.register(server.stop)
    yield server
    server.stop()


@pytest.fixture
def production_app(own_pg, tmp_path):
    url = prepare_database(own_pg.url, "ancrage_restart")
    app = ProductionApp(url, tmp_path / "app", name="restart")
    atexit.register(app.stop)
    try:
        yield app.start()
    finally:
        app.stop()


def _wait_for_text(page, text: str, *, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if text in main_text(page):
            return True
        page.wait_for_timeout(250)
    return False


def test_postgresql_stopped_then_restarted_mid_session(new_page, own_pg, production_app):
    page = new_page(production_app)
    page.goto("/")
    wait_idle(page)
    login(page, USERNAME, PASSWORD)
    assert f"Bonjour {NAME}" in main_text(page)
    menu = menu_titles(page)
    open_from_menu(page, "Annuaire")
    search = page.get_by_label("Rechercher (nom, commune, département)")

    own_pg.pause()
    try:
        page.wait_for_timeout(2500)  # past the data version's short cache
        search.fill("Mende")
        search.press("Enter")
        assert _wait_for_text(page, DATABASE_DOWN, timeout_s=20), main_text(page)
        assert menu_titles(page) == menu  # the menu stays
        assert page.get_by_test_id("stException").count() == 0
    finally:
        own_pg.resume()
    # Back by itself (no click, no reload), with what was typed.
    assert _wait_for_text(page, "Rechercher", timeout_s=30), main_text(page)
    page.wait_for_timeout(1000)
    assert DATABASE_DOWN not in main_text(page)
    assert search.input_value() == "Mende"
    assert_no_streamlit_error(page)


SAME_DATA = "1 structure — 12 places"  # the directory's count line (the table itself is drawn on a canvas)


def _add_structure(url: str, name: str) -> None:
    import subprocess
    import sys

    from core.config import PROJECT_ROOT
    from tests.browser.production import production_env

    code = f"from tests.factories import make_structure; make_structure(name={name!r}, capacity=12)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        env=production_env(url),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


@pytest.fixture
def topology(own_pg, tmp_path):
    """Two production processes started together on one new database, nginx in front of them."""
    from tests.browser.production import Proxy

    url = prepare_database(own_pg.url, "ancrage_proxy")
    _add_structure(url, "Maison du relais")
    apps = [ProductionApp(url, tmp_path / f"app{n}", name=f"proxy-{n}") for n in (1, 2)]
    proxy = Proxy(apps, tmp_path / "nginx")
    for server in (*apps, proxy):
        atexit.register(server.stop)
    try:
        for app in apps:
            app.launch()
        for app in apps:
            app.wait()
        yield apps, proxy.start()
    finally:
        for server in (proxy, *apps):
            server.stop()


def test_behind_nginx_a_user_survives_the_loss_of_their_process(new_page, topology):
    from tests.browser.harness import reload, shows_login_form

    apps, proxy = topology
    page = new_page(proxy)
    page.goto("/")
    wait_idle(page)
    login(page, USERNAME, PASSWORD)
    open_from_menu(page, "Annuaire")
    assert _wait_for_text(page, SAME_DATA, timeout_s=15), main_text(page)
    serving = proxy.last_upstream()
    assert serving in {app.port for app in apps}
    next(app for app in apps if app.port == serving).kill()

    reload(page)
    assert _wait_for_text(page, SAME_DATA, timeout_s=30), main_text(page)
    assert not shows_login_form(page, within_s=1)
    assert proxy.last_upstream() != serving  # answered by the other process
    assert_no_streamlit_error(page)
