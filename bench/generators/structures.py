"""Bulk structures: 100 per scale unit, spread over the 101 départements like the demo network, with
the status history the directory service would have written (active since joining, then suspended or
gone for a few)."""

from __future__ import annotations

from datetime import timedelta

from demo.structures import KIND_WEIGHTS, NAMES, _forms
from models.base import utcnow
from models.structure import NetworkStatus, OnSiteService, Structure, StructureStatusChange
from services.directory.reference_data import DEPARTEMENTS
from services.directory.structure_rules import initial_history

PER_SCALE = 100


def generate(ctx) -> None:
    rng, codes = ctx.rng, [d.code for d in DEPARTEMENTS]
    rows, now = [], utcnow()
    for index in range(PER_SCALE * ctx.scale):
        kind = rng.choices([k for k, _ in KIND_WEIGHTS], [w for _, w in KIND_WEIGHTS])[0]
        # The first structure is the bench `partenaire` account's: active for years, like the demo's.
        status = NetworkStatus.ACTIVE if index == 0 else rng.choices(list(NetworkStatus), [8, 82, 6, 4])[0]
        # Nine structures out of ten were already in the network five years ago (the weekly history).
        old = index == 0 or rng.random() < 0.9
        joined = ctx.today - timedelta(days=rng.randint(5 * 365 + 7, 12 * 365) if old else rng.randint(30, 5 * 365))
        changed = joined
        if status == NetworkStatus.JOINING:
            joined = None
            changed = ctx.today - timedelta(days=rng.randint(5, 200))
        elif status != NetworkStatus.ACTIVE:
            changed = max(joined + timedelta(days=30), ctx.today - timedelta(days=rng.randint(5, 400)))
        departement = rng.choice(codes)
        rows.append(
            {
                "name": f"{rng.choice(NAMES[kind])} n° {index + 1}",
                "kind": kind.value,
                "departement_code": departement,
                "commune": f"Commune {departement}-{index % 37}",
                "capacity": rng.choice([4, 6, 8, 10, 12, 15, 20]),
                "age_min": rng.choice([10, 12, 13, 14]),
                "age_max": 17,
                "sexes": rng.choice([["F"], ["M"], ["F", "M"]]),
                "exploitation_forms": _forms(rng),
                "services": rng.sample([s.value for s in OnSiteService], 3),
                "status": status.value,
                "joined_on": joined,
                "status_changed_on": changed,
                "left_on": changed if status == NetworkStatus.LEFT else None,
                "phone": None,
                "email": f"accueil.{index + 1:05d}@bench.invalid",
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
        )
    ctx.insert(Structure.__table__, rows)
    ctx.structure_ids = [row[0] for row in ctx.connection.execute(sa_select_ids())]
    ctx.structures = [{**row, "id": structure_id} for structure_id, row in zip(ctx.structure_ids, rows)]
    ctx.insert(
        StructureStatusChange.__table__,
        [
            {"structure_id": structure_id, "status": status, "effective_on": effective, "recorded_at": now}
            for structure_id, row in zip(ctx.structure_ids, rows)
            for status, effective in initial_history(row, ctx.today)
        ],
    )


def sa_select_ids():
    import sqlalchemy as sa

    return sa.select(Structure.__table__.c.id).order_by(Structure.__table__.c.id)
