"""Build a database at a given scale: `python -m bench.scale --scale 10 --url URL`.

Scale 1 is the demo network, written through the services. Scale N > 1 multiplies it: N × 100
structures with five years of activity, written in bulk (SQLAlchemy Core, executemany in chunks)
with the demo generator's vocabulary and proportions. Bulk rows bypass the per-row audit hook on
purpose (one audit row records the generation). Scale 0 is the "empty results" database: schema,
reference data and the three demo accounts only.
"""

from __future__ import annotations

import argparse
import os
import random
import time
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from core.clock import paris_today

CHUNK = 5000


@dataclass
class BulkContext:
    scale: int
    rng: random.Random
    today: date
    connection: sa.Connection
    structure_ids: list[int] = field(default_factory=list)
    structures: list[dict] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def insert(self, table: sa.Table, rows: list[dict]) -> None:
        for start in range(0, len(rows), CHUNK):
            self.connection.execute(table.insert(), rows[start : start + CHUNK])
        self.counts[table.name] = self.counts.get(table.name, 0) + len(rows)

    def next_id(self, table: sa.Table) -> int:
        """The first free primary key: bulk rows carry their ids, so children rows need no read-back."""
        return (self.connection.execute(sa.select(sa.func.max(table.c.id))).scalar() or 0) + 1

    def sync_sequence(self, table: sa.Table) -> None:
        """After rows inserted with explicit ids, move PostgreSQL's sequence past them (SQLite needs nothing)."""
        if self.connection.dialect.name == "postgresql":
            self.connection.execute(
                sa.text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), (SELECT max(id) FROM {table.name}))"
                )
            )


def _bulk_steps():
    """The bulk steps in order; each feature adds one line."""
    from bench.generators import directory, path, signalements, structures, training, weekly

    return [
        structures.generate,
        directory.generate,
        weekly.generate,
        path.generate,
        training.generate,
        signalements.generate,
    ]


def build(scale: int, url: str) -> dict[str, int]:
    os.environ["DATABASE_URL"] = url
    from core.config import reset_settings
    from core.db import dispose_engines, engine
    from core.summaries import summaries_rebuild

    reset_settings()
    dispose_engines()
    from startup.bootstrap import init_database

    init_database()
    if scale == 1:
        from demo.generate import demo_generate

        demo_generate()
        _statistics()
        return {}
    ctx_counts: dict[str, int] = {}
    with engine().begin() as connection:
        ctx = BulkContext(scale=scale, rng=random.Random(2024 + scale), today=paris_today(), connection=connection)
        if scale > 0:
            for step in _bulk_steps():
                step(ctx)
            summaries_rebuild(connection)  # the bulk rows bypass the ORM hook that keeps the summaries
        ctx_counts = ctx.counts
    _accounts(first_structure=ctx.structure_ids[0] if ctx.structure_ids else None)
    _statistics()
    return ctx_counts


def _statistics() -> None:
    """On PostgreSQL, gather the planner's statistics as autovacuum soon would on a live server: a
    database measured straight after its bulk load would otherwise be planned blind (a 3 ms query
    taking 300 ms). SQLite gathers none by itself, so its database is measured as it is."""
    from core.db import engine

    if engine().dialect.name == "postgresql":
        with engine().connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("ANALYZE")


def _accounts(first_structure: int | None) -> None:
    from core.access import SYSTEM
    from demo.accounts import DEMO_PASSWORD
    from models.structure import StructureCreate
    from models.user import Role
    from services.admin.settings import setting_set
    from services.admin.users import UserCreate, user_create
    from services.directory.structures import structure_create
    from services.referrers.accounts import referrer_account_create, referrer_service_create

    if first_structure is None:
        first_structure = structure_create(
            actor=SYSTEM,
            data=StructureCreate(
                name="Structure vide",
                kind="mecs",
                departement_code="35",
                commune="Rennes",
                capacity=8,
                sexes=["F", "M"],
                exploitation_forms=["sexuelle"],
                status="actif",
            ),
        ).id
    for username, role in (
        ("coordination", Role.COORDINATION),
        ("partenaire", Role.PARTENAIRE),
        ("financeur", Role.FINANCEUR),
    ):
        user_create(
            actor=SYSTEM,
            data=UserCreate(
                username=username,
                display_name=username.capitalize(),
                email=f"{username}@bench.invalid",
                role=role.value,
                password=DEMO_PASSWORD,
                structure_id=first_structure if role == Role.PARTENAIRE else None,
            ),
        )
    # The referrer role's account, as in the demo: a service first, then its member's account.
    service = referrer_service_create(
        actor=SYSTEM, name="Service orienteur du banc", kind="police", departement_code="35"
    )
    referrer_account_create(
        actor=SYSTEM,
        service_id=service.id,
        username="orienteur",
        display_name="Orienteur",
        email="orienteur@bench.invalid",
        password=DEMO_PASSWORD,
    )
    setting_set(actor=SYSTEM, key="demo", value=True)


def main() -> None:
    parser = argparse.ArgumentParser(description="Génère une base à l'échelle demandée.")
    parser.add_argument("--scale", type=int, required=True)
    parser.add_argument("--url", required=True)
    args = parser.parse_args()
    start = time.perf_counter()
    counts = build(args.scale, args.url)
    print(f"scale {args.scale}: {counts} in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
