"""Demo accounts: one per role, all with the documented demo password."""

from __future__ import annotations

from models.user import Role
from services.admin.users import UserCreate, user_create

DEMO_PASSWORD = "ancrage-demo"  # published in the README: demo accounts only, never in production


def generate(ctx) -> None:
    partner_structure = ctx.structures[0]
    ctx.partner_structure_id = partner_structure.id
    accounts = [
        ("coordination", "Claire Martin", "coordination@ancrage-demo.fr", Role.COORDINATION, None),
        ("partenaire", "Julien Moreau", "equipe@ancrage-demo.fr", Role.PARTENAIRE, partner_structure.id),
        ("financeur", "Ministère des Solidarités", "financeur@ancrage-demo.fr", Role.FINANCEUR, None),
    ]
    for username, name, email, role, structure_id in accounts:
        user_create(
            actor=ctx.actor,
            data=UserCreate(
                username=username,
                display_name=name,
                email=email,
                role=role.value,
                password=_password(),
                structure_id=structure_id,
            ),
        )


def _password() -> str:
    return DEMO_PASSWORD
