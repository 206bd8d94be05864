"""Bulk weekly figures: five years of reports, one per structure and week it was active (by its status
history, as the completeness board counts them), with the demo's figures, delays, gaps and reviews
(demo/weekly.py) and the element codes the start-up seeds (services/weekly/elements.py).

Written a few dozen structures at a time (reports, then their values) so memory stays flat; reports
carry their ids, so values need no read-back.
"""

from __future__ import annotations

import random
from datetime import timedelta
from types import SimpleNamespace

import sqlalchemy as sa

from demo.weekly import PROFILES, _now, _structure_reports
from models.base import utcnow
from models.weekly import ReportStatus, WeeklyElement, WeeklyReport, WeeklyValue
from services.admin.settings import SETTINGS
from services.directory.structure_rules import initial_history
from services.weekly.schedule import active_mondays
from services.weekly.totals import weekly_totals_refresh
from services.weekly.weeks import DeadlineRule, current_week

YEARS_OF_WEEKS = 5 * 52
BATCH = 40  # structures per write


def _rule() -> DeadlineRule:
    return DeadlineRule(
        days_after_sunday=int(SETTINGS["weekly_deadline_days"].default),
        hour=int(SETTINGS["weekly_deadline_hour"].default),
        lock_weeks=int(SETTINGS["weekly_lock_weeks"].default),
    )


def _active_weeks(structure: dict, today, first, last) -> list:
    """The Mondays whose Sunday finds the structure active (services.weekly.schedule.expected_weeks, without a query)."""
    steps = [(effective, status) for status, effective in initial_history(structure, today)]
    return active_mondays(steps, first=first, last=last)


def generate(ctx) -> None:
    table = WeeklyElement.__table__
    elements = {code: element_id for code, element_id in ctx.connection.execute(sa.select(table.c.code, table.c.id))}
    if not elements:
        raise RuntimeError("weekly elements missing: the start-up seeds them (services.weekly.elements)")
    rng = random.Random(ctx.rng.randint(0, 10**9))
    now, rule, stamp = _now(ctx.today), _rule(), utcnow()
    this_week = current_week(now)
    first, last = this_week - timedelta(weeks=YEARS_OF_WEEKS), this_week - timedelta(weeks=1)
    next_id = ctx.next_id(WeeklyReport.__table__)
    partner = ctx.structure_ids[0] if ctx.structure_ids else None
    for start in range(0, len(ctx.structures), BATCH):
        reports, values = [], []
        for structure in ctx.structures[start : start + BATCH]:
            weeks = _active_weeks(structure, ctx.today, first, last)
            if not weeks:
                continue
            is_partner = structure["id"] == partner
            profile = PROFILES[0] if is_partner else rng.choices(PROFILES, [p[0] for p in PROFILES])[0]
            shape = SimpleNamespace(id=structure["id"], capacity=structure["capacity"])
            for item in _structure_reports(rng, shape, weeks, profile, rule, now, this_week, is_partner):
                report_id, next_id = next_id, next_id + 1
                reports.append(
                    {
                        "id": report_id,
                        "version": 1,
                        "structure_id": item.structure_id,
                        "week_start": item.week_start,
                        "status": item.status,
                        "first_submitted_at": item.submitted_at,
                        "submitted_at": item.submitted_at,
                        "submitted_late": item.submitted_at > rule.deadline(item.week_start),
                        "sent_back_reason": item.sent_back_reason,
                        "reviewed_at": item.reviewed_at,
                        "reviewed_by": "coordination" if item.reviewed_at else None,
                        "unlocked": item.status == ReportStatus.SENT_BACK.value,
                        "unlock_reason": None,
                        "updated_by": "coordination",
                        "created_at": stamp,
                        "updated_at": stamp,
                    }
                )
                values += [
                    {"report_id": report_id, "element_id": elements[code], "value": value, "comment": None}
                    for code, value in item.values.items()
                    if value is not None and code in elements
                ]
        ctx.insert(WeeklyReport.__table__, reports)
        ctx.insert(WeeklyValue.__table__, values)
    ctx.sync_sequence(WeeklyReport.__table__)
    weekly_totals_refresh(ctx.connection)
