"""The database stops answering: a French notice with the menu kept, and the app back by itself after."""

from __future__ import annotations

import sqlite3

import pytest
import sqlalchemy as sa
import streamlit as st
from streamlit.testing.v1 import AppTest

from core.config import get_settings
from core.db import database_unavailable, with_retries
from models.user import Role
from tests.conftest import use_database
from tests.factories import make_user
from tests.pages.helpers import app_as, texts
from ui.navigation import SECTIONS
from ui.outage import DATABASE_DOWN, KEPT_VALUES, UNEXPECTED_ERROR, WRITE_NOT_SAVED

# Nothing listens on port 1: connecting is refused at once, as with a stopped server.
UNREACHABLE = "postgresql+psycopg://ancrage@127.0.0.1:1/ancrage"


@pytest.fixture
def working_url(sqlite_db):
    """The working database's URL; it is back in use after the test whatever happened."""
    url = get_settings().database_url
    yield url
    use_database(url)


def _stop_database() -> None:
    use_database(UNREACHABLE)
    st.cache_data.clear()  # or the cached reads would answer without asking the database


def _ran(actor) -> AppTest:
    # A new AppTest per request: AppTest forgets between runs that app.py declared the navigation
    # and would run the page script alone, which a server only does for its very first request.
    at = app_as(actor)
    at.run()
    return at


def _sections(at: AppTest) -> list[str]:
    return [c.value for c in at.sidebar.caption if c.value in SECTIONS]


def test_logged_in_page_shows_the_french_notice_with_the_menu_then_recovers(working_url):
    actor = make_user(Role.COORDINATION)
    at = _ran(actor)
    menu = _sections(at)
    assert "Pilotage" in menu and DATABASE_DOWN not in texts(at)
    _stop_database()
    at = _ran(actor)
    assert not at.exception, at.exception
    assert DATABASE_DOWN in texts(at)
    assert _sections(at) == menu  # the role's menu is still there
    use_database(working_url)
    at = _ran(actor)
    assert not at.exception
    assert DATABASE_DOWN not in texts(at)
    assert "Bonjour" in texts(at)


def test_log_in_page_shows_the_french_notice(working_url):
    _stop_database()
    at = _ran(None)
    assert not at.exception, at.exception
    assert DATABASE_DOWN in texts(at)


def _locked() -> sa.exc.OperationalError:
    return sa.exc.OperationalError("UPDATE x", {}, sqlite3.OperationalError("database is locked"))


def test_sqlite_locked_read_is_retried():
    attempts = []

    def read():
        attempts.append(1)
        if len(attempts) < 3:
            raise _locked()
        return "lu"

    assert with_retries(read) == "lu"
    assert len(attempts) == 3


def test_a_query_fault_is_not_retried_nor_taken_for_an_outage():
    attempts = []
    fault = sa.exc.OperationalError("SELECT", {}, sqlite3.OperationalError("no such table: x"))

    def read():
        attempts.append(1)
        raise fault

    with pytest.raises(sa.exc.OperationalError):
        with_retries(read)
    assert len(attempts) == 1
    assert database_unavailable(_locked())
    assert not database_unavailable(fault)
    assert not database_unavailable(ValueError("x"))


def _write_while_the_database_is_away() -> None:
    import sqlite3

    import sqlalchemy as sa
    import streamlit as st

    from ui.feedback import handled

    st.text_input("Nom", key="typed")
    with handled():
        raise sa.exc.OperationalError("INSERT", {}, sqlite3.OperationalError("database is locked"))
    st.write("suite de la page")


def test_a_write_refused_by_an_unavailable_database_says_so_and_keeps_the_form():
    at = AppTest.from_function(_write_while_the_database_is_away)
    at.run()
    at.text_input(key="typed").set_value("Maison d'accueil").run()
    assert not at.exception, at.exception
    assert at.error[0].value == WRITE_NOT_SAVED
    assert at.text_input(key="typed").value == "Maison d'accueil"
    assert at.markdown[-1].value == "suite de la page"


def _form_during_an_outage() -> None:
    import streamlit as st

    from ui.outage import outage_notice, restore_typed_values

    if st.session_state.get("away"):
        outage_notice()  # the page is not drawn: its fields are not either
        st.write("la page continue")  # what a page would draw after a caught failure
        return
    restore_typed_values()
    st.text_area("Faits", key="typed_facts")
    st.number_input("Places", key="typed_places", value=0)
    st.button("Envoyer", key="send")


def test_what_was_typed_is_there_again_when_the_page_returns():
    at = AppTest.from_function(_form_during_an_outage)
    at.session_state["authentication_status"] = True
    at.run()
    at.text_area(key="typed_facts").input("Ce qui s'est passé").run()
    at.number_input(key="typed_places").set_value(4).run()
    at.session_state["away"] = True
    at.run()
    assert DATABASE_DOWN in at.error[0].value
    assert "la page continue" not in [m.value for m in at.markdown]  # the notice ends the run
    # Set aside for the page's return (the browser's timer runs would drop them); never the button.
    assert at.session_state[KEPT_VALUES] == {"typed_facts": "Ce qui s'est passé", "typed_places": 4}
    at.session_state["away"] = False
    at.run()
    assert not at.exception, at.exception
    assert at.text_area(key="typed_facts").value == "Ce qui s'est passé"
    assert at.number_input(key="typed_places").value == 4


def broken(*args, **kwargs):
    """A service that fails in a way nobody planned for (module level: the page cache calls it by name)."""
    raise RuntimeError("boom")


def test_an_unexpected_error_shows_a_french_message_not_a_traceback(sqlite_db, monkeypatch, caplog):
    import services.home.items

    monkeypatch.setattr(services.home.items, "home_items", broken)
    st.cache_data.clear()
    at = _ran(make_user(Role.COORDINATION))
    assert not at.exception, at.exception
    assert UNEXPECTED_ERROR in texts(at)
    assert "boom" not in " ".join(texts(at))
    assert any(record.exc_info and "boom" in str(record.exc_info[1]) for record in caplog.records)
    assert "Pilotage" in _sections(at)  # the menu stays
