"""Bulk structures: 100 per scale unit, spread over the 101 départements like the demo network."""

from __future__ import annotations

from datetime import timedelta

from demo.structures import KIND_WEIGHTS, NAMES, _forms
from models.base import utcnow
from models.structure import NetworkStatus, OnSiteService, Structure
from services.reference_data import DEPARTEMENTS

PER_SCALE = 100


def generate(ctx) -> None:
    rng, codes = ctx.rng, [d.code for d in DEPARTEMENTS]
    rows, now = [], utcnow()
    for index in range(PER_SCALE * ctx.scale):
        kind = rng.choices([k for k, _ in KIND_WEIGHTS], [w for _, w in KIND_WEIGHTS])[0]
        status = rng.choices(list(NetworkStatus), [8, 82, 6, 4])[0]
        joined = ctx.today - timedelta(days=rng.randint(30, 5 * 365))
        departement = rng.choice(codes)
        rows.append({
            "name": f"{rng.choice(NAMES[kind])} n° {index + 1}", "kind": kind.value,
            "departement_code": departement, "commune": f"Commune {departement}-{index % 37}",
            "capacity": rng.choice([4, 6, 8, 10, 12, 15, 20]), "age_min": rng.choice([10, 12, 13, 14]),
            "age_max": 17, "sexes": rng.choice([["F"], ["M"], ["F", "M"]]),
            "exploitation_forms": _forms(rng),
            "services": rng.sample([s.value for s in OnSiteService], 3),
            "status": status.value, "joined_on": joined, "status_changed_on": joined,
            "left_on": ctx.today - timedelta(days=rng.randint(5, 300)) if status == NetworkStatus.LEFT else None,
            "phone": None, "email": f"accueil.{index + 1:05d}@bench.invalid",
            "version": 1, "created_at": now, "updated_at": now,
        })
    ctx.insert(Structure.__table__, rows)
    ctx.structure_ids = [row[0] for row in ctx.connection.execute(sa_select_ids())]


def sa_select_ids():
    import sqlalchemy as sa

    return sa.select(Structure.__table__.c.id).order_by(Structure.__table__.c.id)
