from datetime import date, datetime, timedelta

import pytest

from core.clock import paris_date
from core.errors import AccessDenied
from core.formatting import PARIS
from models.base import utcnow
from models.user import Role
from services.path import indicators as ind
from services.path.orientation import proposal_create
from services.path.placements import placement_exit, placement_runaway
from tests.factories import make_oriented, make_placed, make_request, make_structure, make_user

TODAY = paris_date(utcnow())


def _at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=PARIS)


@pytest.fixture
def path(db):
    """Jan 2025: two requests (police, 93, sexual); Feb 2025: one (gendarmerie, 13, labour + crimes).

    One January child and the February child are placed; the other January child is only oriented.
    """
    coordinator = make_user(Role.COORDINATION)
    nice = make_structure(name="Nice", departement_code="06", exploitation_forms=["sexuelle", "travail", "delits"])
    paris = make_structure(name="Paris", departement_code="75")
    make_placed(nice.id, coordinator, arrival_date=date(2025, 1, 20), received_at=_at(date(2025, 1, 18)))
    make_oriented(paris.id, coordinator, at=_at(date(2025, 1, 25)), received_at=_at(date(2025, 1, 24)))
    make_placed(
        nice.id,
        coordinator,
        arrival_date=date(2025, 2, 14),
        received_at=_at(date(2025, 2, 9)),
        requester_kind="gendarmerie",
        requester_departement_code="13",
        exploitation_departement_code="13",
        exploitation_forms=["travail", "delits"],
    )
    return coordinator


def _counts(table):
    return {row.key: row.count for row in table.rows}


def test_requests_by_period_actor_departement_and_form(path):
    def count(group, **kw):
        return _counts(ind.path_indicator_counts(actor=path, measure="requests", group_by=group, **kw))

    assert count("period") == {"2025-01": 2, "2025-02": 1}
    assert count("period", period="quarter") == {"2025-T1": 3}
    assert count("period", period="year") == {"2025": 3}
    assert count("requester_kind") == {"police": 2, "gendarmerie": 1}
    assert count("exploitation_departement") == {"93": 2, "13": 1}
    assert count("requester_departement") == {"93": 2, "13": 1}
    assert count("exploitation_form") == {"sexuelle": 2, "travail": 1, "delits": 1}
    assert count("period", start=date(2025, 2, 1)) == {"2025-02": 1}
    table = ind.path_indicator_counts(actor=path, measure="requests", group_by="period")
    assert [row.label for row in table.rows] == ["janvier 2025", "février 2025"]
    assert (table.total, table.total_shown, table.rule) == (3, "3", None)
    forms = ind.path_indicator_counts(actor=path, measure="requests", group_by="exploitation_form")
    assert forms.total == 3  # requests, although the forms add up to 4
    assert (
        ind.path_indicator_counts(actor=path, measure="requests", group_by="exploitation_departement").rows[0].label
        == "93 — Seine-Saint-Denis"
    )


def test_children_oriented_and_placed(path):
    oriented = ind.path_indicator_counts(actor=path, measure="oriented", group_by="period")
    placed = ind.path_indicator_counts(actor=path, measure="placed", group_by="period")
    assert _counts(oriented) == {"2025-01": 2, "2025-02": 1}
    assert _counts(placed) == {"2025-01": 1, "2025-02": 1}
    assert _counts(ind.path_indicator_counts(actor=path, measure="placed", group_by="exploitation_form")) == {
        "sexuelle": 1,
        "travail": 1,
        "delits": 1,
    }
    assert _counts(ind.path_indicator_counts(actor=path, measure="oriented", group_by="requester_kind")) == {
        "police": 2,
        "gendarmerie": 1,
    }


def test_summary_median_and_distance_share(path):
    summary = ind.path_summary(actor=path, start=date(2025, 1, 1), end=date(2025, 12, 31))
    assert (summary.requests, summary.oriented, summary.placed) == (3, 3, 2)
    assert summary.median_days_to_arrival == 3.5 and summary.arrivals_timed == 2  # 2 and 5 days
    assert summary.min_distance_km == 200
    # 93 → 06: 658 km; 13 → 06: 153 km
    assert (summary.distance_share.numerator, summary.distance_share.denominator) == (1, 2)
    assert summary.distance_share.rate == 0.5


def test_counting_the_same_child_once_per_measure(db):
    coordinator = make_user(Role.COORDINATION)
    structure = make_structure(departement_code="06")
    request, placement = make_placed(structure.id, coordinator, arrival_date=TODAY - timedelta(days=10))
    placement_exit(
        actor=coordinator,
        placement_id=placement.id,
        expected_version=placement.version,
        end_date=TODAY - timedelta(days=5),
        reason="reorientation",
    )
    make_placed(
        make_structure(departement_code="33").id,
        coordinator,
        arrival_date=TODAY,
        received_at=utcnow() - timedelta(days=1),
        existing_child_code=request.code,
        child_age=16,
    )
    assert ind.path_summary(actor=coordinator).placed == 1
    assert ind.path_summary(actor=coordinator).requests == 2


def test_runaway_rates_within_7_and_30_days(db):
    coordinator = make_user(Role.COORDINATION)
    structure = make_structure(capacity=20)
    long_ago = TODAY - timedelta(days=40)

    def placed(arrival):
        return make_placed(structure.id, coordinator, arrival_date=arrival)[1]

    a = placed(long_ago)
    placement_runaway(
        actor=coordinator, placement_id=a.id, expected_version=a.version, occurred_on=long_ago + timedelta(days=3)
    )
    b = placed(long_ago)
    placement_runaway(
        actor=coordinator, placement_id=b.id, expected_version=b.version, occurred_on=long_ago + timedelta(days=20)
    )
    placed(long_ago)  # c: no runaway
    placed(TODAY - timedelta(days=2))  # d: too recent to know
    e = placed(TODAY - timedelta(days=2))
    placement_runaway(
        actor=coordinator, placement_id=e.id, expected_version=e.version, occurred_on=TODAY - timedelta(days=1)
    )
    f = placed(long_ago)
    placement_exit(
        actor=coordinator,
        placement_id=f.id,
        expected_version=f.version,
        end_date=long_ago + timedelta(days=5),
        reason="fugue",
    )
    seven = ind.path_runaway_rate(actor=coordinator, days=7)
    thirty = ind.path_runaway_rate(actor=coordinator, days=30)
    assert (seven.numerator, seven.denominator) == (3, 5)
    assert (thirty.numerator, thirty.denominator) == (4, 5)
    assert thirty.rate == 0.8


def test_a_runaway_shows_in_the_rate_at_once(db):
    coordinator = make_user(Role.COORDINATION)
    structure = make_structure()
    _, placement = make_placed(structure.id, coordinator)
    assert ind.path_runaway_rate(actor=coordinator, days=7).denominator == 0
    placement_runaway(
        actor=coordinator, placement_id=placement.id, expected_version=placement.version, occurred_on=TODAY
    )
    rate = ind.path_runaway_rate(actor=coordinator, days=7)
    assert (rate.numerator, rate.denominator) == (1, 1)


def test_orienting_and_placing_updates_the_counts_at_once(db):
    coordinator = make_user(Role.COORDINATION)
    structure = make_structure(departement_code="06")
    request = make_request(coordinator)
    assert ind.path_summary(actor=coordinator).requests == 1
    assert ind.path_summary(actor=coordinator).oriented == 0
    proposal_create(actor=coordinator, request_id=request.id, structure_id=structure.id)
    make_placed(structure.id, coordinator)
    summary = ind.path_summary(actor=coordinator)
    assert (summary.requests, summary.oriented, summary.placed) == (2, 1, 1)


Q1_2025 = dict(start=date(2025, 1, 1), end=date(2025, 3, 31))


def test_funders_see_aggregates_with_small_counts_hidden(path):
    funder = make_user(Role.FINANCEUR)
    table = ind.path_indicator_counts(actor=funder, measure="requests", group_by="period", **Q1_2025)
    # The total is small, so March's 0 is shown "< 5" too (else the marks would give the counts away).
    assert _counts(table) == {"2025-01": None, "2025-02": None, "2025-03": None}
    assert [row.shown for row in table.rows] == ["< 5", "< 5", "< 5"] and table.total_shown == "< 5"
    assert ind.path_indicator_counts(
        actor=funder, measure="requests", group_by="requester_kind", **Q1_2025
    ).withheld  # 3 requests: no breakdown at all
    summary = ind.path_summary(actor=funder, **Q1_2025)
    assert summary.requests is None and summary.shown(summary.requests) == "< 5"
    assert summary.median_days_to_arrival is None
    assert summary.distance_share == ind.Share(None, None, None)


def test_funders_get_rounded_counts_and_rates_without_their_parts(db):
    coordinator = make_user(Role.COORDINATION)
    structure = make_structure(departement_code="06", capacity=30)
    month = (TODAY.replace(day=1) - timedelta(days=1)).replace(day=1)  # last month, which is over
    for n in range(12):
        make_placed(structure.id, coordinator, arrival_date=month + timedelta(days=n + 3))
    for n in range(6):
        make_request(coordinator, received_at=_at(month + timedelta(days=n)))
    funder = make_user(Role.FINANCEUR)
    summary = ind.path_summary(actor=funder, start=month, end=TODAY.replace(day=1) - timedelta(days=1))
    assert (summary.requests, summary.placed) == (20, 10)  # 18 and 12, rounded to 5
    assert summary.distance_share == ind.Share(None, None, 1.0)  # 12 of 12 at 658 km
    assert summary.runaway_7 == ind.Share(None, None, 0.0)
    assert summary.median_days_to_arrival == 2.0 and summary.arrivals_timed == 10
    exact = ind.path_summary(actor=coordinator)
    assert (exact.requests, exact.placed, exact.runaway_7) == (18, 12, ind.Share(0, 12, 0.0))


def test_a_funder_limited_to_a_region_sees_its_territory_only(path):
    funder = make_user(Role.FINANCEUR, region_code="93")  # Provence-Alpes-Côte d'Azur
    coordinator_view = ind.path_indicator_counts(
        actor=path, measure="requests", group_by="exploitation_departement", scope=ind.Scope(region_code="93")
    )
    assert _counts(coordinator_view) == {"13": 1}
    placed = ind.path_indicator_counts(
        actor=path, measure="placed", group_by="period", scope=ind.Scope(departement_code="06")
    )
    assert placed.total == 2  # both placements are in Nice
    assert ind.path_indicator_counts(actor=funder, measure="requests", group_by="period", **Q1_2025).total is None
    assert ind.path_summary(actor=path, scope=ind.Scope(region_code="11")).requests == 2


def test_partners_do_not_read_the_path_indicators(db):
    with pytest.raises(AccessDenied):
        ind.path_summary(actor=make_user(Role.PARTENAIRE))
    with pytest.raises(AccessDenied):
        ind.path_indicator_counts(actor=make_user(Role.PARTENAIRE), measure="requests", group_by="period")
