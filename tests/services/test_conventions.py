from datetime import date, timedelta

import pytest

from core.clock import paris_today
from core.errors import AccessDenied, ConcurrentEdit, ValidationFailed
from models.convention import ConventionCreate
from models.user import Role
from services.directory import conventions
from services.directory.conventions import ConventionFilters
from services.directory.structure_rules import FUTURE_DATE, UNKNOWN_DEPARTEMENT
from tests.factories import make_convention, make_user

TODAY = paris_today()


def _data(**overrides) -> ConventionCreate:
    values = dict(
        departement_code="33",
        status="signee",
        signed_on=date(2024, 2, 1),
        ends_on=date(2026, 1, 31),
        scope=["accueil", "orientation"],
    )
    values.update(overrides)
    return ConventionCreate(**values)


def test_create_list_and_in_force(db):
    coordinator = make_user(Role.COORDINATION)
    created = conventions.convention_create(actor=coordinator, data=_data(ends_on=None))
    assert created.departement_name == "Gironde" and created.region_name == "Nouvelle-Aquitaine" and created.in_force
    conventions.convention_create(
        actor=coordinator, data=_data(departement_code="40", signed_on=date(2022, 1, 1), ends_on=date(2023, 1, 1))
    )
    page = conventions.convention_list(actor=coordinator)
    assert page.total == 2 and [c.departement_code for c in page.rows] == ["33", "40"]
    in_force = conventions.convention_list(actor=coordinator, filters=ConventionFilters(in_force_on=TODAY))
    assert [c.departement_code for c in in_force.rows] == ["33"]
    assert conventions.convention_list(actor=coordinator, filters=ConventionFilters(scope="orientation")).total == 2
    assert (
        conventions.convention_list(actor=coordinator, filters=ConventionFilters(region_code="75"), limit=1).total == 2
    )


def test_every_fault_listed(db):
    coordinator = make_user(Role.COORDINATION)
    bad = ConventionCreate(
        departement_code="99", status="denoncee", signed_on=TODAY + timedelta(days=1), ends_on=None, scope=[]
    )
    with pytest.raises(ValidationFailed) as raised:
        conventions.convention_create(actor=coordinator, data=bad)
    messages = {e.field: e.message for e in raised.value.errors}
    assert messages["Département"].startswith(UNKNOWN_DEPARTEMENT)
    assert messages["Date de signature"] == FUTURE_DATE
    assert messages["Date de fin"] == conventions.ENDS_ON_REQUIRED
    assert messages["Objet"] == conventions.SCOPE_REQUIRED
    with pytest.raises(ValidationFailed, match=conventions.ENDS_BEFORE_SIGNED):
        conventions.convention_create(actor=coordinator, data=_data(ends_on=date(2024, 1, 1)))
    with pytest.raises(ValidationFailed, match=conventions.SIGNED_ON_REQUIRED):
        conventions.convention_create(actor=coordinator, data=_data(signed_on=None))
    assert conventions.convention_list(actor=coordinator).total == 0


def test_overlapping_conventions_refused(db):
    coordinator = make_user(Role.COORDINATION)
    make_convention("33", signed_on=date(2023, 1, 1), ends_on=date(2024, 12, 31))
    with pytest.raises(ValidationFailed, match=conventions.OVERLAP):
        conventions.convention_create(actor=coordinator, data=_data(signed_on=date(2024, 6, 1)))
    conventions.convention_create(actor=coordinator, data=_data(signed_on=date(2025, 1, 1), ends_on=None))
    conventions.convention_create(actor=coordinator, data=_data(status="en_preparation", signed_on=None, ends_on=None))


def test_update_terminates_and_checks_version(db):
    coordinator = make_user(Role.COORDINATION)
    c = make_convention("33")
    ended = conventions.convention_update(
        actor=coordinator,
        convention_id=c.id,
        expected_version=c.version,
        data=_data(status="denoncee", signed_on=c.signed_on, ends_on=TODAY),
    )
    assert ended.status == "denoncee" and ended.in_force  # in force until the end of its last day
    with pytest.raises(ConcurrentEdit):
        conventions.convention_update(
            actor=coordinator, convention_id=c.id, expected_version=c.version, data=_data(signed_on=c.signed_on)
        )


def test_ending_soon(db):
    coordinator = make_user(Role.COORDINATION)
    make_convention("33", signed_on=date(2023, 1, 1), ends_on=TODAY + timedelta(days=30))
    make_convention("40", signed_on=date(2023, 1, 1), ends_on=TODAY + timedelta(days=90))
    make_convention("47", signed_on=date(2023, 1, 1), ends_on=TODAY - timedelta(days=3))
    assert [c.departement_code for c in conventions.conventions_ending_soon(actor=coordinator)] == ["33"]
    assert len(conventions.conventions_ending_soon(actor=coordinator, within_days=100)) == 2


@pytest.mark.parametrize("role", [Role.PARTENAIRE, Role.FINANCEUR])
def test_conventions_for_coordination_only(db, role):
    actor = make_user(role)
    with pytest.raises(AccessDenied):
        conventions.convention_create(actor=actor, data=_data())
    with pytest.raises(AccessDenied):
        conventions.convention_list(actor=actor)
