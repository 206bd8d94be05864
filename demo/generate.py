"""A deterministic, believable demo network, written through the same services the pages use.

Each feature adds a step to STEPS; a step receives the DemoContext and may read what earlier steps
made (structures, accounts). `python -m demo.generate` fills an empty database.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import func, select

from core.access import SYSTEM, Actor
from core.clock import paris_today
from core.db import session_scope
from models.structure import StructurePublic
from models.user import Role, User
from services.admin.settings import setting_set
from services.alerts.outbox import notifications_muted

SEED = 2024


@dataclass
class DemoContext:
    rng: random.Random
    today: date
    actor: Actor = SYSTEM
    structures: list[StructurePublic] = field(default_factory=list)
    partner_structure_id: int | None = None

    def partner_actor(self, structure_id: int) -> Actor:
        """Partner staff of a structure, to write what partners enter themselves."""
        return Actor(
            user_id=None,
            username="demo-partenaire",
            display_name="Équipe (démo)",
            role=Role.PARTENAIRE.value,
            structure_id=structure_id,
            is_system=True,
        )


def _steps():
    """The demo's steps in order; each feature adds one line."""
    from demo import accounts, directory, outreach, path, signalements, structures, training, weekly

    return [
        structures.generate,
        accounts.generate,
        directory.generate,
        path.generate,
        training.generate,
        signalements.generate,
        weekly.generate,
        outreach.generate,
    ]


def demo_generate(*, today: date | None = None) -> DemoContext:
    """System: write the whole demo network in one transaction."""
    ctx = DemoContext(rng=random.Random(SEED), today=today or paris_today())
    with session_scope(SYSTEM), notifications_muted():
        for step in _steps():
            step(ctx)
        setting_set(actor=SYSTEM, key="demo", value=True)
    return ctx


def demo_generate_if_empty() -> bool:
    """System: generate the demo unless the database already has accounts."""
    with session_scope() as session:
        if session.exec(select(func.count()).select_from(User)).one():
            return False
    demo_generate()
    return True
