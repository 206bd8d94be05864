from datetime import date

import pytest
from sqlmodel import select

from core.access import Actor
from core.db import session_scope
from models.referential import Departement
from services.periods import Period, Scope, in_scope, period_of, scope_for


@pytest.mark.parametrize(
    "kind,anchor,start,end,label",
    [
        ("semaine", date(2025, 1, 1), date(2024, 12, 30), date(2025, 1, 6), "semaine 1 de 2025"),
        ("mois", date(2025, 2, 14), date(2025, 2, 1), date(2025, 3, 1), "février 2025"),
        ("trimestre", date(2025, 12, 31), date(2025, 10, 1), date(2026, 1, 1), "4e trimestre 2025"),
        ("annee", date(2024, 6, 1), date(2024, 1, 1), date(2025, 1, 1), "2024"),
    ],
)
def test_period_bounds_and_labels(kind, anchor, start, end, label):
    period = period_of(kind, anchor)
    assert (period.start, period.end, period.label) == (start, end, label)


def test_previous_periods():
    assert period_of("trimestre", date(2025, 2, 1)).previous() == Period(
        "trimestre", date(2024, 10, 1), date(2025, 1, 1)
    )
    assert period_of("mois", date(2025, 3, 31)).previous().label == "février 2025"
    custom = period_of("personnalisee", date(2025, 1, 1), start=date(2025, 1, 10), end=date(2025, 1, 19))
    assert custom.previous() == Period("personnalisee", date(2024, 12, 31), date(2025, 1, 10))


def test_custom_period_needs_ordered_bounds():
    with pytest.raises(ValueError):
        period_of("personnalisee", date(2025, 1, 1), start=date(2025, 2, 1), end=date(2025, 1, 1))


def test_funder_limited_to_a_region_cannot_widen_it():
    funder = Actor(user_id=1, username="f", display_name="F", role="financeur", region_code="11")
    assert scope_for(funder, Scope()) == Scope(region_code="11")
    assert scope_for(funder, Scope(region_code="84", departement_code="93")).region_code == "11"
    national = Actor(user_id=2, username="c", display_name="C", role="coordination")
    assert scope_for(national, Scope(overseas_only=True)) == Scope(overseas_only=True)


def test_in_scope_filters_departements(db):
    def codes(scope):
        with session_scope() as session:
            return set(session.exec(select(Departement.code).where(in_scope(Departement.code, scope))))

    assert codes(Scope(overseas_only=True)) == {"971", "972", "973", "974", "976"}
    assert codes(Scope(region_code="11")) >= {"75", "93"} and "13" not in codes(Scope(region_code="11"))
    assert in_scope(Departement.code, Scope()) is None
