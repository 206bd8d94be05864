"""The network totals follow every write of reports and values: they always equal a sum over the reports."""

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from core.access import SYSTEM
from core.db import session_scope
from models.weekly import ReportStatus, WeeklyTotal
from services.weekly import imports as weekly_import
from services.weekly import reports as weekly
from services.weekly import series
from services.weekly.imports import HistoricReport
from services.weekly.totals import _sums
from tests.factories import make_structure, make_weekly_elements, make_weekly_report, weekly_values

NOW = datetime(2025, 3, 5, 10, 0, tzinfo=UTC)
WEEK = date(2025, 2, 17)
JOINED = date(2024, 1, 8)


def _kept() -> dict:
    with session_scope(SYSTEM) as session:
        rows = session.execute(
            sa.select(
                WeeklyTotal.week_start,
                WeeklyTotal.element_id,
                WeeklyTotal.total,
                WeeklyTotal.structures,
                WeeklyTotal.max_value,
                WeeklyTotal.second_value,
            )
        ).all()
    return {(_day(w), e): tuple(rest) for w, e, *rest in rows}


def _recomputed() -> dict:
    with session_scope(SYSTEM) as session:
        rows = session.execute(_sums(None)).all()
    return {(_day(w), e): tuple(rest) for w, e, *rest in rows}


def _day(value) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _present(week: date) -> float:
    frame = series.weekly_series_network(actor=SYSTEM, weeks=4, now=NOW)
    return frame[frame.code == "enfants_presents"].set_index("week_start").loc[week, "value"]


def test_totals_follow_saves_reviews_and_imports(db):
    make_weekly_elements()
    a = make_structure(name="A", departement_code="35", joined_on=JOINED).id
    b = make_structure(name="B", departement_code="69", joined_on=JOINED).id
    assert _kept() == {}
    make_weekly_report(a, WEEK, now=NOW, enfants_presents=5)
    make_weekly_report(b, WEEK, now=NOW, submit=False, enfants_presents=3)  # a draft does not count
    assert _present(WEEK) == 5 and _kept() == _recomputed()

    entry = weekly.weekly_entry_get(actor=SYSTEM, structure_id=b, week_start=WEEK, now=NOW)
    weekly.weekly_save(
        actor=SYSTEM,
        structure_id=b,
        week_start=WEEK,
        values=weekly_values(enfants_presents=4),
        expected_version=entry.version,
        submit=True,
        confirm_unusual=True,
        now=NOW,
    )
    assert _present(WEEK) == 9 and _kept() == _recomputed()

    entry = weekly.weekly_entry_get(actor=SYSTEM, structure_id=a, week_start=WEEK, now=NOW)
    weekly.weekly_send_back(
        actor=SYSTEM, structure_id=a, week_start=WEEK, reason="Vérifier", expected_version=entry.version, now=NOW
    )
    assert _present(WEEK) == 4 and _kept() == _recomputed()  # disputed figures leave the total

    weekly_import.weekly_import_rows(
        actor=SYSTEM,
        now=NOW,
        confirm_unusual=True,
        rows=[
            {
                "structure": str(a),
                "semaine": WEEK.isoformat(),
                "places_disponibles": 2,
                "enfants_presents": 6,
                "arrivees": 1,
                "departs": 1,
                "fugues": 0,
            },
            {
                "structure": str(a),
                "semaine": (WEEK + timedelta(weeks=1)).isoformat(),
                "places_disponibles": 2,
                "enfants_presents": 7,
                "arrivees": 1,
                "departs": 1,
                "fugues": 0,
            },
        ],
    )
    assert _present(WEEK) == 10 and _present(WEEK + timedelta(weeks=1)) == 7 and _kept() == _recomputed()

    entry = weekly.weekly_entry_get(actor=SYSTEM, structure_id=b, week_start=WEEK, now=NOW)
    weekly.weekly_approve(actor=SYSTEM, structure_id=b, week_start=WEEK, expected_version=entry.version, now=NOW)
    assert _present(WEEK) == 10 and _kept() == _recomputed()


def test_history_load_fills_the_totals(db):
    make_weekly_elements()
    a = make_structure(name="A", departement_code="35", joined_on=JOINED).id
    values = dict(places_disponibles=2, enfants_presents=8, arrivees=1, departs=1, fugues=0)
    weekly_import.weekly_history_load(
        actor=SYSTEM,
        now=NOW,
        reports=[
            HistoricReport(a, WEEK, values, ReportStatus.APPROVED.value, submitted_at=NOW - timedelta(days=10)),
            HistoricReport(a, WEEK + timedelta(weeks=1), values, ReportStatus.DRAFT.value, submitted_at=None),
        ],
    )
    kept = _kept()
    assert kept == _recomputed() and {week for week, _ in kept} == {WEEK}


def test_totals_keep_the_two_largest_values(db):
    elements = make_weekly_elements()
    a, b, c = (make_structure(name=n, departement_code="35", joined_on=JOINED).id for n in "ABC")
    for structure, present in ((a, 5), (b, 3), (c, 5)):
        make_weekly_report(structure, WEEK, now=NOW, enfants_presents=present)
    make_weekly_report(a, WEEK + timedelta(weeks=1), now=NOW, enfants_presents=7)
    kept = _kept()
    assert kept[(WEEK, elements["enfants_presents"].id)] == (13, 3, 5, 5)  # a tie keeps both
    assert kept[(WEEK + timedelta(weeks=1), elements["enfants_presents"].id)] == (7, 1, 7, None)
    entry = weekly.weekly_entry_get(actor=SYSTEM, structure_id=c, week_start=WEEK, now=NOW)
    weekly.weekly_send_back(
        actor=SYSTEM, structure_id=c, week_start=WEEK, reason="Vérifier", expected_version=entry.version, now=NOW
    )
    assert _kept()[(WEEK, elements["enfants_presents"].id)] == (8, 2, 5, 3)
