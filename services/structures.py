"""Partner structures: the directory of the network."""

from __future__ import annotations

from sqlmodel import select

from core.access import Action, Actor, require
from core.db import session_scope
from core.errors import FieldError, NotFound, ValidationFailed
from models.referential import Departement
from models.structure import Structure, StructureCreate, StructurePublic

NAME_TAKEN = "une structure porte déjà ce nom"
UNKNOWN_DEPARTEMENT = "département inconnu"


def structure_create(*, actor: Actor, data: StructureCreate) -> StructurePublic:
    """Coordination only: add a structure to the directory."""
    require(actor, Action.STRUCTURE_CREATE)
    with session_scope(actor) as session:
        errors = []
        if session.exec(select(Structure.id).where(Structure.name == data.name.strip())).first():
            errors.append(FieldError("Nom", NAME_TAKEN))
        if session.get(Departement, data.departement_code) is None:
            errors.append(FieldError("Département", UNKNOWN_DEPARTEMENT))
        if errors:
            raise ValidationFailed(errors)
        structure = Structure.model_validate(data.model_copy(update={"name": data.name.strip()}))
        session.add(structure)
        session.flush()
        return StructurePublic.model_validate(structure, from_attributes=True)


def structure_get(*, actor: Actor, structure_id: int) -> StructurePublic:
    """Coordination and partner staff: one structure of the directory."""
    require(actor, Action.STRUCTURE_READ)
    with session_scope(actor) as session:
        structure = session.get(Structure, structure_id)
        if structure is None:
            raise NotFound("Structure introuvable.")
        return StructurePublic.model_validate(structure, from_attributes=True)


def structure_options(*, actor: Actor) -> list[tuple[int, str]]:
    """Coordination and partner staff: (id, name) of every structure, for pick lists."""
    require(actor, Action.STRUCTURE_READ)
    with session_scope(actor) as session:
        return [tuple(row) for row in session.exec(select(Structure.id, Structure.name).order_by(Structure.name))]
