"""The demo's weekly figures: believable, and the demo partner's current week still due."""

from datetime import date, datetime, time, timedelta

import pytest

from core.access import SYSTEM
from core.db import session_scope
from core.formatting import PARIS
from demo.generate import demo_generate
from services.weekly import board as weekly_board
from services.weekly import reports as weekly
from services.weekly import schedule
from services.weekly.schedule import WeekState

TODAY = date(2025, 3, 5)  # a Wednesday: last week's deadline has passed
NOW = datetime.combine(TODAY, time(9), PARIS)


@pytest.mark.slow
def test_demo_has_two_years_of_mostly_timely_figures(db):
    ctx = demo_generate(today=TODAY)
    partner = ctx.partner_structure_id
    this_week = date(2025, 3, 3)
    assert (
        weekly.weekly_entry_get(actor=SYSTEM, structure_id=partner, week_start=this_week, now=NOW).state
        == WeekState.DUE
    )
    last = weekly.weekly_entry_get(
        actor=SYSTEM, structure_id=partner, week_start=this_week - timedelta(weeks=1), now=NOW
    )
    assert last.state == WeekState.SUBMITTED and last.submitted_late is False
    sent_back = weekly.weekly_entry_get(
        actor=SYSTEM, structure_id=partner, week_start=this_week - timedelta(weeks=3), now=NOW
    )
    assert sent_back.state == WeekState.SENT_BACK and sent_back.sent_back_reason

    rates = weekly_board.weekly_board_network(actor=SYSTEM, weeks=105, now=NOW)
    assert rates.expected > 1500
    assert 0.85 < rates.completeness < 1 and 0.6 < rates.timeliness < rates.completeness
    assert rates.sent_back >= 1
    with session_scope(SYSTEM) as session:
        free = schedule.weekly_latest_free_places(session=session, today=TODAY)
    active = [s.id for s in ctx.structures if s.status == "actif"]
    assert len(free) > 0.8 * len(active) and all(v >= 0 for v in free.values())
