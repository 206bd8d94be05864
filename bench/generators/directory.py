"""Bulk conventions and référentiel: one convention per département, the demo's criteria, and an
assessment of every criterion for nine structures out of ten, some older than a year."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from demo.directory import CRITERIA
from models.base import utcnow
from models.convention import Convention, ConventionScope, ConventionStatus
from models.standard import AssessmentLevel, StandardAssessment, StandardCriterion
from services.directory.reference_data import DEPARTEMENTS


def generate(ctx) -> None:
    rng, now, today = ctx.rng, utcnow(), ctx.today
    conventions = []
    for departement in DEPARTEMENTS:
        status = rng.choices(list(ConventionStatus), [10, 80, 10])[0]
        signed = today - timedelta(days=rng.randint(30, 5 * 365)) if status != ConventionStatus.DRAFT else None
        ends = signed + timedelta(days=rng.randint(365, 3 * 365)) if signed else None
        conventions.append(
            {
                "departement_code": departement.code,
                "status": status.value,
                "signed_on": signed,
                "ends_on": ends,
                "scope": rng.sample([s.value for s in ConventionScope], 2),
                "notes": None,
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
        )
    ctx.insert(Convention.__table__, conventions)
    ctx.insert(
        StandardCriterion.__table__,
        [
            {
                "label": label,
                "description": description,
                "category": category.value,
                "position": index,
                "active": True,
                "version": 1,
                "created_at": now,
            }
            for index, (label, category, description) in enumerate(CRITERIA)
        ],
    )
    table = StandardCriterion.__table__
    criteria = [row[0] for row in ctx.connection.execute(sa.select(table.c.id).order_by(table.c.id))]
    assessments = [
        {
            "structure_id": structure_id,
            "criterion_id": criterion_id,
            "level": rng.choices(list(AssessmentLevel), [70, 20, 10])[0].value,
            "assessed_on": today - timedelta(days=rng.randint(10, 600)),
            "comment": None,
            "version": 1,
            "updated_at": now,
        }
        for structure_id in ctx.structure_ids
        if rng.random() < 0.9
        for criterion_id in criteria
    ]
    ctx.insert(StandardAssessment.__table__, assessments)
