from datetime import date, timedelta

import pytest

from core.access import SYSTEM
from core.clock import paris_today
from core.errors import AccessDenied
from models.structure import StructureUpdate
from models.user import Role
from services.directory import coverage
from services.directory.structure_listing import StructureFilters, structure_list
from services.directory.structures import structure_update
from tests.factories import make_convention, make_structure, make_user

TODAY = paris_today()
JAN = date(2024, 1, 1)


def _by_code(actor, on=None):
    return {d.code: d for d in coverage.coverage_by_departement(actor=actor, on=on)}


def test_every_departement_listed_uncovered_by_default(db):
    rows = coverage.coverage_by_departement(actor=make_user(Role.COORDINATION))
    assert len(rows) == 101 and sum(r.overseas for r in rows) == 5
    assert not any(r.covered for r in rows)
    indicator = coverage.indicator_coverage(actor=SYSTEM)
    assert (indicator.covered, indicator.covered_overseas, indicator.departements, indicator.overseas) == (0, 0, 101, 5)


def test_structure_that_left_counts_before_leaving_only(db):
    make_structure(departement_code="29", capacity=6, status="sorti", joined_on=JAN, left_on=date(2024, 6, 1))
    assert _by_code(SYSTEM, date(2023, 12, 31))["29"].active_structures == 0
    assert _by_code(SYSTEM, date(2024, 5, 31))["29"].covered
    assert _by_code(SYSTEM, date(2024, 5, 31))["29"].places == 6
    assert not _by_code(SYSTEM, date(2024, 6, 1))["29"].covered
    assert not _by_code(SYSTEM)["29"].covered


def test_departement_covered_only_by_a_suspended_structure_is_not_covered(db):
    coordinator = make_user(Role.COORDINATION)
    s = make_structure(departement_code="974", commune="Saint-Denis", joined_on=JAN)
    suspended_on = TODAY - timedelta(days=10)
    structure_update(
        actor=coordinator,
        structure_id=s.id,
        expected_version=s.version,
        changes=StructureUpdate(status="suspendu", status_changed_on=suspended_on),
    )
    make_structure(departement_code="976", commune="Mamoudzou", status="adhesion")
    assert _by_code(SYSTEM, suspended_on - timedelta(days=1))["974"].covered
    assert not _by_code(SYSTEM, suspended_on)["974"].covered
    assert not _by_code(SYSTEM)["976"].covered
    before = coverage.indicator_coverage(actor=SYSTEM, on=suspended_on - timedelta(days=1))
    assert (before.covered, before.covered_overseas) == (1, 1)
    now = coverage.indicator_coverage(actor=SYSTEM)
    assert (now.covered, now.covered_overseas) == (0, 0)


def test_suspended_structure_beside_an_active_one_keeps_the_departement_covered(db):
    make_structure(departement_code="35", status="suspendu", joined_on=JAN, status_changed_on=date(2024, 3, 1))
    make_structure(departement_code="35", joined_on=JAN, capacity=5)
    row = _by_code(SYSTEM)["35"]
    assert row.covered and row.active_structures == 1 and row.places == 5


def test_convention_that_ended_no_longer_engages(db):
    make_convention("59", signed_on=date(2023, 1, 10), ends_on=date(2024, 1, 9))
    make_convention("59", signed_on=date(2024, 2, 1))
    make_convention("62", status="denoncee", signed_on=date(2023, 5, 1), ends_on=date(2024, 3, 31))
    make_convention("80", status="en_preparation", signed_on=None)

    def engaged(on):
        return coverage.indicator_partners(actor=SYSTEM, on=on).conseils_engaged

    assert engaged(date(2023, 1, 9)) == 0
    assert engaged(date(2023, 6, 1)) == 2
    assert engaged(date(2024, 1, 9)) == 2
    assert engaged(date(2024, 1, 20)) == 1  # 59 between two conventions, 62 still in force
    assert engaged(date(2024, 3, 31)) == 2
    assert engaged(date(2024, 4, 1)) == 1
    assert not _by_code(SYSTEM, date(2024, 4, 1))["62"].covered  # a convention does not cover


def test_indicator_partners_counts_active_structures_and_places(db):
    make_structure(departement_code="35", capacity=4, joined_on=JAN)
    make_structure(departement_code="971", capacity=6, joined_on=date(2024, 6, 1))
    make_structure(departement_code="13", capacity=9, status="adhesion")
    assert coverage.indicator_partners(actor=SYSTEM, on=date(2024, 3, 1)).active_structures == 1
    now = coverage.indicator_partners(actor=SYSTEM)
    assert (now.active_structures, now.places) == (2, 10)
    five = coverage.indicator_coverage(actor=SYSTEM)
    assert (five.covered, five.covered_overseas, five.uncovered) == (2, 1, 99)


def test_map_counts_equal_the_directory_counts(db):
    coordinator = make_user(Role.COORDINATION)
    for dep, cap, status in [
        ("35", 4, "actif"),
        ("35", 6, "actif"),
        ("35", 3, "suspendu"),
        ("29", 8, "actif"),
        ("971", 5, "sorti"),
        ("971", 2, "actif"),
    ]:
        make_structure(departement_code=dep, capacity=cap, status=status, joined_on=JAN)
    values = {v["code"]: v for v in coverage.coverage_map_values(actor=coordinator)}
    for code in ("35", "29", "971", "75"):
        page = structure_list(actor=coordinator, filters=StructureFilters(departement_code=code, status="actif"))
        assert (values[code]["active_structures"], values[code]["places"]) == (page.total, page.places)
        assert values[code]["covered"] == int(page.total > 0)


def test_funder_limited_to_a_region_counts_within_it(db):
    make_structure(departement_code="35", joined_on=JAN)
    make_structure(departement_code="13", joined_on=JAN)
    funder = make_user(Role.FINANCEUR, region_code="53")
    indicator = coverage.indicator_coverage(actor=funder)
    assert (indicator.covered, indicator.departements) == (1, 4)
    assert coverage.indicator_partners(actor=make_user(Role.FINANCEUR)).active_structures == 2


@pytest.mark.parametrize("role", [Role.PARTENAIRE, Role.FINANCEUR])
def test_map_values_for_coordination_only(db, role):
    with pytest.raises(AccessDenied):
        coverage.coverage_map_values(actor=make_user(role))


def test_scope_narrows_counts(db):
    from services.periods import Scope

    make_structure(departement_code="35", joined_on=JAN)
    make_structure(departement_code="971", commune="Les Abymes", joined_on=JAN)
    overseas = coverage.indicator_coverage(actor=SYSTEM, scope=Scope(overseas_only=True))
    assert (overseas.covered, overseas.departements) == (1, 5)
    assert coverage.indicator_partners(actor=SYSTEM, scope=Scope(departement_code="35")).active_structures == 1
