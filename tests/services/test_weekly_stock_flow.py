"""Children present must follow from last week's and the week's flows, or the gap be explained."""

from datetime import UTC, date, datetime

import pytest

from core.errors import ValidationFailed
from models.user import Role
from services.weekly import reports as weekly
from services.weekly.stock_flow import stock_flow_gap
from tests.factories import make_structure, make_user, make_weekly_elements, make_weekly_report, weekly_values

NOW = datetime(2025, 3, 5, 10, 0, tzinfo=UTC)
THIS_WEEK = date(2025, 3, 3)
LAST_WEEK = date(2025, 2, 24)
PRESENT = "Enfants présents"


@pytest.fixture
def partner(db):
    make_weekly_elements()
    structure = make_structure(joined_on=date(2024, 1, 8))
    make_weekly_report(structure.id, LAST_WEEK, now=NOW, enfants_presents=8, places_disponibles=2)
    return make_user(Role.PARTENAIRE, structure_id=structure.id)


def _send(partner, *, submit=True, comments=None, **values):
    entry = weekly.weekly_entry_get(actor=partner, structure_id=partner.structure_id, week_start=THIS_WEEK, now=NOW)
    return weekly.weekly_save(
        actor=partner,
        structure_id=partner.structure_id,
        week_start=THIS_WEEK,
        values=weekly_values(**values),
        comments=comments,
        expected_version=entry.version,
        submit=submit,
        confirm_unusual=True,
        now=NOW,
    )


def test_a_gap_between_stock_and_flow_needs_a_comment_before_sending(partner):
    with pytest.raises(ValidationFailed) as raised:
        _send(partner, enfants_presents=6, places_disponibles=4, arrivees=1, departs=1)
    faults = [e for e in raised.value.errors if e.field == PRESENT]
    assert len(faults) == 1 and "en donnent 8" in faults[0].message and "commentaire" in faults[0].message
    entry = weekly.weekly_entry_get(actor=partner, structure_id=partner.structure_id, week_start=THIS_WEEK, now=NOW)
    assert entry.version == 0  # nothing written

    sent = _send(
        partner,
        enfants_presents=6,
        places_disponibles=4,
        arrivees=1,
        departs=1,
        comments={"enfants_presents": "Deux enfants transférés vendredi"},
    )
    assert {r.code: r.value for r in sent.rows}["enfants_presents"] == 6


def test_balanced_week_is_sent_without_comment(partner):
    sent = _send(partner, enfants_presents=7, places_disponibles=3, arrivees=1, departs=2, fugues=1)
    assert sent.status == "envoye"


def test_a_draft_with_a_gap_is_kept(partner):
    draft = _send(partner, submit=False, enfants_presents=6, places_disponibles=4, arrivees=1, departs=1)
    assert draft.status == "brouillon"


def test_no_check_without_last_weeks_figures(db):
    make_weekly_elements()
    structure = make_structure(joined_on=date(2024, 1, 8))
    newcomer = make_user(Role.PARTENAIRE, structure_id=structure.id)
    assert _send(newcomer, enfants_presents=6, places_disponibles=4).status == "envoye"


@pytest.mark.parametrize(
    "values,previous,expected",
    [
        ({"enfants_presents": 6, "arrivees": 1, "departs": 1}, 8, 8),
        ({"enfants_presents": 6, "arrivees": 0, "departs": 2, "retours": 1}, 8, 7),
        ({"enfants_presents": 7, "arrivees": 1, "departs": 2}, 8, None),
        ({"enfants_presents": 7, "arrivees": None, "departs": 2}, 8, None),
        ({"enfants_presents": 7, "arrivees": 1, "departs": 2}, None, None),
    ],
)
def test_stock_flow_gap(values, previous, expected):
    gap = stock_flow_gap(values, previous)
    assert (gap.expected if gap else None) == expected


def test_french_typing_is_read_the_french_way(partner):
    saved = _send(partner, submit=False, etp_educatifs="8,5", sollicitations_directes="1\u202f234", arrivees=" 1 ")
    values = {r.code: r.value for r in saved.rows}
    assert values["etp_educatifs"] == 8.5 and values["sollicitations_directes"] == 1234 and values["arrivees"] == 1


def test_decimals_in_a_count_are_refused_as_not_an_integer(partner):
    with pytest.raises(ValidationFailed) as raised:
        _send(partner, submit=False, places_disponibles="2,5")
    assert [e.message for e in raised.value.errors if e.field == "Places disponibles"] == ["nombre entier attendu"]
