"""Demo weekly figures: two years of reports, mostly on time, some late, some missing, a few sent back.

Figures follow each structure's life (children arrive and leave, present + free places never
exceed capacity), for the weeks its status history says it was active. The demo partner's structure has last week sent, the current week still due, a
report sent back three weeks ago and a late one. Everything goes in through the services, the
bulk of it in one history load (a few statements, not thousands).
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from core.clock import paris_today
from core.db import session_scope
from core.formatting import PARIS
from models.base import utcnow
from models.weekly import ReportStatus
from services.weekly.elements import weekly_element_seed_defaults
from services.weekly.imports import HistoricReport, weekly_history_load
from services.weekly.reports import weekly_entry_get, weekly_send_back
from services.weekly.schedule import deadline_rule, expected_weeks
from services.weekly.weeks import DeadlineRule, current_week

YEARS_OF_WEEKS = 104
PROFILES = [  # (weight, probability missing, probability late)
    (55, 0.01, 0.05),
    (30, 0.04, 0.15),
    (15, 0.12, 0.35),
]
SENT_BACK_REASONS = [
    "Les enfants présents ne correspondent pas aux arrivées et départs déclarés.",
    "Places disponibles supérieures à ce qui a été annoncé au téléphone : pouvez-vous vérifier ?",
    "Fugue signalée à la coordination mais absente des chiffres.",
]


def generate(ctx) -> None:
    weekly_element_seed_defaults(actor=ctx.actor)  # already there after start-up; kept for a bare database
    rng = random.Random(ctx.rng.randint(0, 10**9))
    now = _now(ctx.today)
    rule = deadline_rule()
    this_week = current_week(now)
    reports: list[HistoricReport] = []
    first = this_week - timedelta(weeks=YEARS_OF_WEEKS)
    for structure in ctx.structures:
        with session_scope(ctx.actor) as session:  # the demo's one transaction
            weeks = expected_weeks(session, structure_id=structure.id, first=first, last=this_week - timedelta(weeks=1))
        if not weeks:
            continue
        partner = structure.id == ctx.partner_structure_id
        profile = PROFILES[0] if partner else rng.choices(PROFILES, [p[0] for p in PROFILES])[0]
        reports += _structure_reports(rng, structure, weeks, profile, rule, now, this_week, partner)
    weekly_history_load(actor=ctx.actor, reports=reports, now=now)
    _partner_sent_back(ctx, this_week, now)


def _now(today: date) -> datetime:
    """The demo's present instant: now when generated for today, otherwise 9:00 (Paris) that day."""
    if today == paris_today():
        return utcnow()
    return datetime.combine(today, time(9), PARIS)


def _structure_reports(
    rng, structure, weeks, profile, rule: DeadlineRule, now, this_week, partner
) -> list[HistoricReport]:
    _, p_missing, p_late = profile
    capacity = structure.capacity
    present = round(capacity * rng.uniform(0.5, 0.9))
    staff = max(2, round(capacity * rng.uniform(0.7, 1.1)))
    out = []
    for week in weeks:
        arrivals = rng.choices([0, 1, 2, 3], [55, 30, 11, 4])[0]
        arrivals = min(arrivals, capacity - present)
        departures = min(present + arrivals, rng.choices([0, 1, 2], [60, 32, 8])[0])
        runaways = 1 if departures and rng.random() < 0.12 else 0
        present = present + arrivals - departures
        blocked = 1 if capacity - present > 0 and rng.random() < 0.1 else 0
        staff = max(2, staff + rng.choice([-1, 0, 0, 0, 0, 1]))
        values = {
            "places_disponibles": capacity - present - blocked,
            "enfants_presents": present,
            "arrivees": arrivals,
            "departs": departures,
            "fugues": runaways,
            "sollicitations_directes": rng.choices([0, 1, 2, 3, 4], [30, 30, 20, 12, 8])[0]
            if rng.random() < 0.9
            else None,
            "professionnels_en_poste": staff if rng.random() < 0.85 else None,
            "etp_educatifs": round(staff * rng.uniform(0.7, 0.9) * 2) / 2 if rng.random() < 0.75 else None,
        }
        age = (this_week - week).days // 7
        if partner:
            missing, late = age == 10, age in (5, 17, 30)
        else:
            missing, late = rng.random() < p_missing, rng.random() < p_late
        if missing:
            continue
        deadline = rule.deadline(week)
        hours = rng.uniform(2, 200) if late else -rng.uniform(0.5, 90)
        submitted = deadline + timedelta(hours=hours)
        if partner and age == 1:
            submitted = min(deadline, now) - timedelta(hours=3)  # the partner sent last week's figures
        if submitted > now:
            continue  # not sent yet: still due, or overdue
        out.append(_historic(rng, structure.id, week, values, submitted, now, age))
    return out


def _historic(
    rng, structure_id: int, week: date, values: dict, submitted: datetime, now: datetime, age: int
) -> HistoricReport:
    reviewed = submitted + timedelta(hours=rng.uniform(4, 72))
    if reviewed > now:
        return HistoricReport(structure_id, week, values, ReportStatus.SUBMITTED.value, submitted_at=submitted)
    if 1 <= age <= 8 and rng.random() < 0.02:
        return HistoricReport(
            structure_id,
            week,
            values,
            ReportStatus.SENT_BACK.value,
            submitted_at=submitted,
            reviewed_at=reviewed,
            sent_back_reason=rng.choice(SENT_BACK_REASONS),
        )
    if age >= 3 and rng.random() < 0.85:
        return HistoricReport(
            structure_id, week, values, ReportStatus.APPROVED.value, submitted_at=submitted, reviewed_at=reviewed
        )
    return HistoricReport(structure_id, week, values, ReportStatus.SUBMITTED.value, submitted_at=submitted)


def _partner_sent_back(ctx, this_week: date, now: datetime) -> None:
    """The coordination returns one of the demo partner's recent reports, through the review service."""
    if ctx.partner_structure_id is None:
        return
    week = this_week - timedelta(weeks=3)
    entry = weekly_entry_get(actor=ctx.actor, structure_id=ctx.partner_structure_id, week_start=week, now=now)
    if entry.status in (ReportStatus.SUBMITTED.value, ReportStatus.APPROVED.value):
        weekly_send_back(
            actor=ctx.actor,
            structure_id=ctx.partner_structure_id,
            week_start=week,
            now=now,
            reason=SENT_BACK_REASONS[0],
            expected_version=entry.version,
        )
