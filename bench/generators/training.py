"""Bulk training: the demo catalogue, five yearly plans, 100 sessions a year per scale unit over five
years, with their participants by profile and attending structures."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from demo.training import MODULES, TRAINERS
from models.base import utcnow
from models.training import (
    SessionStatus,
    TrainingAttendance,
    TrainingFormat,
    TrainingModule,
    TrainingParticipants,
    TrainingPlanLine,
    TrainingPrerequisite,
    TrainingSession,
)
from services.directory.reference_data import DEPARTEMENTS

SESSIONS_PER_YEAR = 100  # 5,000 sessions over five years at scale 10
YEARS = 5


def generate(ctx) -> None:
    rng, now = ctx.rng, utcnow()
    ctx.insert(
        TrainingModule.__table__,
        [
            {
                "title": title,
                "objectives": objectives,
                "target_profiles": [p.value for p in profiles],
                "duration_min_hours": low,
                "duration_max_hours": high,
                "format": fmt.value,
                "active": True,
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
            for title, objectives, profiles, low, high, fmt, _, _ in MODULES
        ],
    )
    table = TrainingModule.__table__
    ids = [row[0] for row in ctx.connection.execute(sa.select(table.c.id).order_by(table.c.id))][-len(MODULES) :]
    ctx.insert(
        TrainingPrerequisite.__table__,
        [
            {"module_id": ids[index], "prerequisite_id": ids[pre]}
            for index, module in enumerate(MODULES)
            for pre in module[6]
        ],
    )
    plan = []
    for year in range(ctx.today.year - YEARS + 1, ctx.today.year + 1):
        for module_id, (_, _, profiles, *_rest) in zip(ids, MODULES):
            for profile in profiles[:4]:
                plan.append(
                    {
                        "year": year,
                        "module_id": module_id,
                        "profile": profile.value,
                        "planned": rng.choice([5, 10, 15, 20, 30]) * ctx.scale,
                        "updated_at": now,
                    }
                )
    ctx.insert(TrainingPlanLine.__table__, plan)

    codes = [d.code for d in DEPARTEMENTS]
    count = SESSIONS_PER_YEAR * YEARS * ctx.scale
    sessions = []
    for _ in range(count):
        index = rng.randrange(len(MODULES))
        _, _, profiles, low, high, fmt, _, _ = MODULES[index]
        start = ctx.today - timedelta(days=rng.randint(1, YEARS * 365))
        remote = fmt == TrainingFormat.REMOTE
        sessions.append(
            {
                "module_id": ids[index],
                "start_date": start,
                "end_date": start,
                "hours": high,
                "trainer_organisation": rng.choice(TRAINERS)[0],
                "trainer_name": None,
                "remote": remote,
                "departement_code": None if remote else rng.choice(codes),
                "status": SessionStatus.DELIVERED.value,
                "satisfaction": rng.choice([None, 3, 4, 4, 5]),
                "evaluation_comment": None,
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
        )
    ctx.insert(TrainingSession.__table__, sessions)
    table = TrainingSession.__table__
    rows = list(ctx.connection.execute(sa.select(table.c.id, table.c.module_id).order_by(table.c.id)))[-count:]
    profiles_by_module = {module_id: module[2] for module_id, module in zip(ids, MODULES)}
    participants, attendance = [], []
    for session_id, module_id in rows:
        for profile in rng.sample(profiles_by_module[module_id], min(3, len(profiles_by_module[module_id]))):
            participants.append({"session_id": session_id, "profile": profile.value, "headcount": rng.randint(1, 6)})
        for structure_id in rng.sample(ctx.structure_ids, min(len(ctx.structure_ids), rng.randint(1, 4))):
            attendance.append({"session_id": session_id, "structure_id": structure_id})
    ctx.insert(TrainingParticipants.__table__, participants)
    ctx.insert(TrainingAttendance.__table__, attendance)
