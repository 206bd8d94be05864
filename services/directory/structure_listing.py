"""The directory list: structures filtered, paged and totalled in SQL (coordination and partner staff)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlmodel import func, or_, select

from core.access import Action, Actor, require
from core.db import session_scope
from models.base import LIKE_ESCAPE, code_list_contains, like_escape
from models.referential import Departement, Region
from models.structure import Structure


@dataclass(frozen=True)
class StructureFilters:
    search: str = ""
    region_code: str | None = None
    departement_code: str | None = None
    kind: str | None = None
    status: str | None = None
    exploitation_form: str | None = None
    overseas_only: bool = False


@dataclass(frozen=True)
class StructureRow:
    id: int
    name: str
    kind: str
    departement_code: str
    departement_name: str
    region_name: str
    overseas: bool
    commune: str
    capacity: int
    age_min: int
    age_max: int
    sexes: list[str]
    exploitation_forms: list[str]
    services: list[str]
    status: str
    joined_on: date | None
    left_on: date | None
    phone: str | None
    email: str | None


@dataclass(frozen=True)
class StructurePage:
    rows: list[StructureRow]
    total: int
    places: int
    compliance: dict = field(
        default_factory=dict
    )  # structure id -> services.directory.standards.Compliance (coordination)


def _filtered(statement, filters: StructureFilters):
    conditions = []
    term = " ".join((filters.search or "").split()).lower()
    if term:
        like = f"%{like_escape(term)}%"
        conditions.append(
            or_(
                func.lower(Structure.name).like(like, escape=LIKE_ESCAPE),
                func.lower(Structure.commune).like(like, escape=LIKE_ESCAPE),
                func.lower(Departement.name).like(like, escape=LIKE_ESCAPE),
                Structure.departement_code == term.upper(),
            )
        )
    if filters.region_code:
        conditions.append(Departement.region_code == filters.region_code)
    if filters.departement_code:
        conditions.append(Structure.departement_code == filters.departement_code)
    if filters.kind:
        conditions.append(Structure.kind == filters.kind)
    if filters.status:
        conditions.append(Structure.status == filters.status)
    if filters.exploitation_form:
        conditions.append(code_list_contains(Structure.exploitation_forms, filters.exploitation_form))
    if filters.overseas_only:
        conditions.append(Departement.overseas.is_(True))
    return statement.join(Departement, Departement.code == Structure.departement_code).where(*conditions)


_ROW_COLUMNS = (
    Structure.id,
    Structure.name,
    Structure.kind,
    Structure.departement_code,
    Departement.name,
    Region.name,
    Departement.overseas,
    Structure.commune,
    Structure.capacity,
    Structure.age_min,
    Structure.age_max,
    Structure.sexes,
    Structure.exploitation_forms,
    Structure.services,
    Structure.status,
    Structure.joined_on,
    Structure.left_on,
    Structure.phone,
    Structure.email,
)


def row_statement(filters: StructureFilters):
    return _filtered(select(*_ROW_COLUMNS), filters).join(Region, Region.code == Departement.region_code)


def structure_list(
    *, actor: Actor, filters: StructureFilters | None = None, limit: int = 50, offset: int = 0
) -> StructurePage:
    """Coordination and partner staff: the directory, filtered and paged in SQL, with total and places.

    The coordination also gets each listed structure's référentiel compliance.
    """
    require(actor, Action.STRUCTURE_READ)
    filters = filters or StructureFilters()
    with session_scope(actor) as session:
        total, places = session.exec(
            _filtered(select(func.count(Structure.id), func.coalesce(func.sum(Structure.capacity), 0)), filters)
        ).one()
        rows = session.exec(
            row_statement(filters).order_by(Structure.name, Structure.id).limit(limit).offset(offset)
        ).all()
    page_rows = [StructureRow(*row) for row in rows]
    compliance = {}
    if actor.is_coordination and page_rows:
        from services.directory.standards import compliance_for

        compliance = compliance_for(actor=actor, structure_ids=[r.id for r in page_rows])
    return StructurePage(rows=page_rows, total=total, places=int(places), compliance=compliance)
