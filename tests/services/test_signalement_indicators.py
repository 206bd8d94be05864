"""Indicators of the signalement circuit against a small data set computed by hand."""

from datetime import UTC, date, datetime, timedelta

import pytest

from core.clock import paris_date
from core.errors import AccessDenied
from models.base import utcnow
from models.signalement import Category
from models.user import Role
from services.indicators.disclosure_policy import PeriodRefused
from services.signalements import declarations as svc
from services.signalements.declarations import Transmission
from services.signalements.indicators import (
    DeadlineShare,
    DelayStats,
    signalement_breakdown_note,
    signalement_indicator_counts,
    signalement_indicators,
)
from tests.factories import as_system, make_signalement, make_structure, make_user

T0 = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)
NOW = T0 + timedelta(days=40)
MIN = timedelta(minutes=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


@pytest.fixture
def network(db):
    """Five signalements; delays chosen so that every figure below is computed by hand.

    | # | structure | declared | severity      | acknowledged | passed on                    |
    | 1 | Rennes    | T0       | danger        | +30 min (ok) | +2 h parquet, police (ok)    |
    | 2 | Rennes    | T0+1d    | danger        | +90 min late | +5 h CRIP (late); PHAROS voided |
    | 3 | Rennes    | T0+2d    | préoccupant   | +10 h (ok)   | never: overdue at NOW        |
    | 4 | Rennes    | T0+3d    | information   | +2 h (ok)    | closed without transmission  |
    | 5 | Marseille | T0+25d   | préoccupant   | never: late  | never: overdue at NOW        |
    """
    rennes = make_structure(departement_code="35", commune="Rennes")
    marseille = make_structure(departement_code="13", commune="Marseille")
    p_rennes = as_system(make_user(Role.PARTENAIRE, structure_id=rennes.id))
    p_marseille = as_system(make_user(Role.PARTENAIRE, structure_id=marseille.id))
    c = as_system(make_user(Role.COORDINATION))

    def passed(sid, at, *kinds):
        svc.signalement_pass_on(
            actor=c,
            signalement_id=sid,
            now=at,
            data=Transmission(recipient_kinds=list(kinds), channel="telephone", at=at),
        )

    s1 = make_signalement(p_rennes, now=T0, severity="danger_immediat", category="fugue").id
    svc.signalement_acknowledge(actor=c, signalement_id=s1, now=T0 + 30 * MIN)
    passed(s1, T0 + 2 * HOUR, "parquet", "police")
    t2 = T0 + DAY
    s2 = make_signalement(p_rennes, now=t2, severity="danger_immediat", category="approche").id
    svc.signalement_acknowledge(actor=c, signalement_id=s2, now=t2 + 90 * MIN)
    passed(s2, t2 + 5 * HOUR, "crip", "plateforme")
    platform = svc.signalement_get(actor=c, signalement_id=s2).events[-1]
    svc.signalement_correct(
        actor=c, signalement_id=s2, voids_event_id=platform.id, note="Pas envoyé à PHAROS", now=t2 + 6 * HOUR
    )
    t3 = T0 + 2 * DAY
    s3 = make_signalement(p_rennes, now=t3, severity="preoccupant", category="approche").id
    svc.signalement_acknowledge(actor=c, signalement_id=s3, now=t3 + 10 * HOUR)
    t4 = T0 + 3 * DAY
    s4 = make_signalement(p_rennes, now=t4, severity="information", category="sante").id
    svc.signalement_acknowledge(actor=c, signalement_id=s4, now=t4 + 2 * HOUR)
    svc.signalement_close(actor=c, signalement_id=s4, outcome="information_seule", now=t4 + 3 * HOUR)
    make_signalement(p_marseille, now=T0 + 25 * DAY, severity="preoccupant", category="fugue")
    return dict(rennes=rennes, marseille=marseille, p_rennes=p_rennes, p_marseille=p_marseille, c=c)


def counts(actor, by, **kw):
    return {row.key: row.count for row in signalement_indicator_counts(actor=actor, by=by, **kw)}


def test_counts_by_each_dimension(network):
    c = network["c"]
    assert counts(c, "severity") == {"danger_immediat": 2, "preoccupant": 2, "information": 1}
    assert counts(c, "category") == {"fugue": 2, "approche": 2, "sante": 1}
    assert counts(c, "structure") == {str(network["rennes"].id): 4, str(network["marseille"].id): 1}
    assert counts(c, "region") == {"53": 4, "93": 1}
    assert [(r.key, r.label, r.count) for r in signalement_indicator_counts(actor=c, by="month")] == [
        ("2025-03", "03/2025", 4),
        ("2025-04", "04/2025", 1),
    ]
    assert counts(c, "recipient") == {"parquet": 1, "police": 1, "crip": 1}
    assert counts(c, "severity", start=date(2025, 4, 1), end=date(2025, 4, 30)) == {"preoccupant": 1}


def test_delays_and_shares_within_deadlines(network):
    result = signalement_indicators(actor=network["c"], now=NOW)
    assert result.total == 5
    # acknowledged after 30 min, 90 min, 2 h, 10 h (seconds 1800, 5400, 7200, 36000)
    ack = result.time_to_acknowledge
    assert (ack.count, ack.median_seconds, ack.p90_seconds) == (4, 6300, pytest.approx(27360))
    # passed on after 2 h and 5 h (the voided PHAROS line does not count)
    passing = result.time_to_pass_on
    assert (passing.count, passing.median_seconds, passing.p90_seconds) == (2, 12600, pytest.approx(16920))
    # acknowledgement settled for all 5 (4 done, #5 overdue); within: #1, #3, #4
    assert (result.acknowledged_within.within, result.acknowledged_within.total) == (3, 5)
    assert result.acknowledged_within.share == pytest.approx(0.6)
    # transmission deadline: #1, #2, #3, #5 (information has none); within: #1 only
    assert (result.passed_on_within.within, result.passed_on_within.total) == (1, 4)


def test_indicators_for_one_severity(network):
    danger = signalement_indicators(actor=network["c"], severity="danger_immediat", now=NOW)
    assert danger.total == 2
    assert (danger.time_to_acknowledge.median_seconds, danger.time_to_pass_on.median_seconds) == (3600, 12600)
    assert (danger.acknowledged_within.within, danger.acknowledged_within.total) == (1, 2)


def test_shares_count_only_what_is_settled(network):
    """Early on, #5 is not yet late: it counts for neither share."""
    early = signalement_indicators(actor=network["c"], now=T0 + 25 * DAY + HOUR)
    assert (early.acknowledged_within.within, early.acknowledged_within.total) == (3, 4)
    assert (early.passed_on_within.within, early.passed_on_within.total) == (1, 3)


def test_acknowledging_moves_the_time_to_acknowledge(network):
    c = network["c"]
    before = signalement_indicators(actor=c, now=NOW).time_to_acknowledge
    open_one = svc.signalement_list(actor=c, open_only=True, structure_id=network["marseille"].id).rows[0]
    svc.signalement_acknowledge(actor=c, signalement_id=open_one.id, now=open_one.declared_at + 20 * MIN)
    after = signalement_indicators(actor=c, now=NOW).time_to_acknowledge
    assert (before.count, after.count) == (4, 5)
    assert after.median_seconds == 5400 and after.median_seconds != before.median_seconds


def test_partner_indicators_cover_its_structure_only(network):
    partner = network["p_marseille"]
    assert signalement_indicators(actor=partner, now=NOW).total == 1
    assert counts(partner, "structure") == {str(network["marseille"].id): 1}


MARCH_APRIL = dict(start=date(2025, 3, 1), end=date(2025, 4, 30))


def test_funder_reads_aggregates_protected_against_small_counts(network):
    funder = make_user(Role.FINANCEUR)
    result = signalement_indicators(actor=funder, now=NOW, **MARCH_APRIL)
    assert (result.total, result.total_shown) == (5, "5")
    assert result.time_to_acknowledge == DelayStats(None, None, None)  # 4 acknowledged: too few
    assert result.acknowledged_within == DeadlineShare(None, None, pytest.approx(0.6))
    assert result.passed_on_within == DeadlineShare(None, None, None)  # settled for 4 only
    rows = signalement_indicator_counts(actor=funder, by="severity", **MARCH_APRIL)
    assert {r.key: (r.count, r.shown) for r in rows} == {
        "danger_immediat": (None, "< 5"),
        "preoccupant": (None, "< 5"),
        "information": (None, "< 5"),
    }
    with pytest.raises(AccessDenied):
        signalement_indicator_counts(actor=funder, by="structure", **MARCH_APRIL)


def test_funder_reads_whole_months_that_are_over_only(network):
    funder = make_user(Role.FINANCEUR)
    for period in (
        dict(start=date(2025, 3, 10), end=date(2025, 3, 10)),
        dict(start=date(2025, 3, 1), end=date(2025, 3, 30)),
        {},
        dict(start=date(2025, 3, 1), end=None),
    ):
        with pytest.raises(PeriodRefused):
            signalement_indicators(actor=funder, now=NOW, **period)
        with pytest.raises(PeriodRefused):
            signalement_indicator_counts(actor=funder, by="category", **period)
    this_month = paris_date(utcnow()).replace(day=1)
    with pytest.raises(PeriodRefused, match="mois terminés"):
        signalement_indicators(
            actor=funder, start=this_month, end=(this_month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        )
    assert signalement_indicators(actor=network["c"], start=date(2025, 3, 10), end=date(2025, 3, 10)).total == 1


def test_a_funder_gets_no_breakdown_of_fewer_signalements_than_the_threshold(network):
    funder = make_user(Role.FINANCEUR)
    april = dict(start=date(2025, 4, 1), end=date(2025, 4, 30))  # the Marseille one only
    assert signalement_indicators(actor=funder, now=NOW, **april).total_shown == "< 5"
    for by in ("category", "severity", "region", "recipient"):
        assert signalement_indicator_counts(actor=funder, by=by, **april) == []
    assert "Répartition non publiée" in signalement_breakdown_note(actor=funder, **april)
    assert signalement_breakdown_note(actor=funder, **MARCH_APRIL) == ""
    # With five, every category is listed, in the vocabulary's order, whether it occurred or not.
    categories = [r.key for r in signalement_indicator_counts(actor=funder, by="category", **MARCH_APRIL)]
    assert categories == [c.value for c in Category]


def test_funder_counts_are_rounded_and_complemented(network):
    c = network["c"]
    april = dict(start=date(2025, 4, 1), end=date(2025, 4, 30))
    for _ in range(7):
        make_signalement(network["p_rennes"], now=NOW, severity="preoccupant")
    make_signalement(network["p_rennes"], now=NOW, severity="information")
    funder = make_user(Role.FINANCEUR)
    shown = {r.key: r.shown for r in signalement_indicator_counts(actor=funder, by="severity", **april)}
    # 8 and 1 under a published total: 8 is hidden, and the 0 beside them too (else it would say that
    # every signalement is one of the two suppressed severities).
    assert shown == {"danger_immediat": "< 5", "preoccupant": "s", "information": "< 5"}
    assert signalement_indicators(actor=funder, now=NOW, **april).total_shown == "10"  # 9, rounded
    assert signalement_indicators(actor=c, now=NOW, **april).total == 9


def test_funder_limited_to_a_region(network):
    funder = make_user(Role.FINANCEUR, region_code="93")
    assert signalement_indicator_counts(actor=funder, by="region", **MARCH_APRIL) == []  # one: not broken down
    result = signalement_indicators(actor=funder, now=NOW, **MARCH_APRIL)
    assert (result.total, result.total_shown) == (None, "< 5")
