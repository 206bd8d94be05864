"""Production scenarios: PostgreSQL stopped and restarted under a logged-in session."""

from __future__ import annotations

import atexit
import time

import pytest

from tests import pg_server
from tests.browser.harness import (
    assert_no_streamlit_error, login, main_text, menu_titles, open_from_menu, wait_idle,
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
    assert "Annuaire" in menu

    own_pg.pause()
    try:
        page.wait_for_timeout(2500)  # past the data version's short cache
        open_from_menu(page, "Annuaire")
        assert _wait_for_text(page, DATABASE_DOWN, timeout_s=20), main_text(page)
        assert menu_titles(page) == menu  # the menu stays
        assert page.get_by_test_id("stException").count() == 0
    finally:
        own_pg.resume()
    # Back by itself: no click, no reload.
    assert _wait_for_text(page, "Rechercher", timeout_s=30), main_text(page)
    page.wait_for_timeout(1000)
    assert DATABASE_DOWN not in main_text(page)
    assert_no_streamlit_error(page)
