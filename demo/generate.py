"""A deterministic, believable demo network, written through the same services the pages use.

Each feature adds a step to `_steps`; a step receives the DemoContext and may read what earlier steps
made (structures, accounts). `python -m demo.generate` fills an empty database.
"""

from __future__ import annotations

import random
from collections.abc import Callable
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


def _steps() -> list[tuple[str, Callable[[DemoContext], None]]]:
    """The demo's steps in order, each with what it makes in French (said while it runs); each feature
    adds one line."""
    from demo import accounts, directory, outreach, path, signalements, structures, training, weekly

    return [
        ("structures", structures.generate),
        ("comptes de démonstration", accounts.generate),
        ("annuaire", directory.generate),
        ("parcours des enfants", path.generate),
        ("formations", training.generate),
        ("signalements", signalements.generate),
        ("chiffres hebdomadaires", weekly.generate),
        ("maraudes", outreach.generate),
    ]


def demo_generate(*, today: date | None = None, progress: Callable[[str], None] | None = None) -> DemoContext:
    """System: write the whole demo network in one transaction; `progress` is told each step's French
    name as it starts."""
    ctx = DemoContext(rng=random.Random(SEED), today=today or paris_today())
    with session_scope(SYSTEM), notifications_muted():
        for name, step in _steps():
            if progress is not None:
                progress(name)
            step(ctx)
        setting_set(actor=SYSTEM, key="demo", value=True)
    return ctx


def demo_generate_if_empty(progress: Callable[[str], None] | None = None) -> bool:
    """System: generate the demo unless the database already has accounts."""
    with session_scope() as session:
        if session.exec(select(func.count()).select_from(User)).one():
            return False
    demo_generate(progress=progress)
    return True
