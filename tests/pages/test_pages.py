"""Every page renders for every role allowed to see it, and refuses the others."""

import pytest

from models.user import Role
from tests.factories import make_user
from tests.pages.helpers import app_as, open_page, texts
from ui.auth import REFUSED_PAGE
from ui.navigation import PAGES, pages_for

ROLES = [Role.COORDINATION, Role.PARTENAIRE, Role.FINANCEUR, Role.ORIENTEUR]
CASES = [(role, page) for role in ROLES for page in PAGES if role.value in page.roles]


@pytest.mark.parametrize("role,page", CASES, ids=[f"{r.value}-{p.key}" for r, p in CASES])
def test_page_renders_for_allowed_role(sqlite_db, role, page):
    at = open_page(make_user(role), page.key)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert REFUSED_PAGE not in texts(at)


@pytest.mark.parametrize("page", PAGES, ids=[p.key for p in PAGES])
def test_page_script_run_directly_asks_to_log_in(sqlite_db, page):
    at = app_as(None, script=page.script)
    at.run()
    assert not at.exception
    assert [t.label for t in at.text_input] == ["Identifiant", "Mot de passe"]
    assert "Bonjour" not in texts(at)


REFUSALS = [(role, page) for role in ROLES for page in PAGES if role.value not in page.roles]


@pytest.mark.parametrize("role,page", REFUSALS, ids=[f"{r.value}-{p.key}" for r, p in REFUSALS])
def test_page_refuses_other_roles_even_run_directly(sqlite_db, role, page):
    at = app_as(make_user(role), script=page.script)
    at.run()
    assert not at.exception
    assert REFUSED_PAGE in texts(at)


def test_menus_differ_by_role():
    menus = {role: tuple(p.key for p in pages_for(role.value)) for role in ROLES}
    admin = {"accounts", "audit"}
    assert admin <= set(menus[Role.COORDINATION])
    assert not admin & set(menus[Role.PARTENAIRE]) and not admin & set(menus[Role.FINANCEUR])


def test_logged_out_app_shows_the_log_in_form(sqlite_db):
    at = app_as(None)
    at.run()
    assert not at.exception
    assert [t.label for t in at.text_input] == ["Identifiant", "Mot de passe"]
