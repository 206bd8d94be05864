"""Coverage of the territory and the network indicators 4 and 5, at any date.

Definitions (the same on the map, in the indicators and in docs/annuaire.md):

- A structure is ACTIVE on a date D when the latest step of its status history effective on or
  before D is « active » (`structure_status_changes`). Joining, suspended and left structures are
  not active; a structure is not counted before its first step.
- A département is COVERED on D when at least one ACTIVE structure is located in it on D. A
  département whose only structures are suspended, joining or gone is not covered. Conventions do
  not cover a département by themselves.
- A conseil départemental is ENGAGED on D when its département has a convention in force on D
  (see services.directory.conventions).
- Places on D: the capacity of the structures active on D (capacity as it is recorded today:
  its past values are not kept).

Indicator 4: active partner structures and engaged conseils départementaux.
Indicator 5: covered départements, of which overseas.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import func, select

from core.access import Action, Actor, require
from core.clock import paris_today
from core.db import session_scope
from models.convention import Convention
from models.referential import Departement, Region
from models.structure import NetworkStatus, Structure, StructureStatusChange
from services.directory.conventions import in_force_condition
from services.periods import Scope, in_scope, scope_for

COVERED_DEFINITION = (
    "Un département est couvert à une date lorsqu'au moins une structure partenaire qui y est "
    "implantée est active à cette date (les structures en cours d'adhésion, suspendues ou sorties "
    "du réseau ne couvrent pas)."
)


def status_at(on: date):
    """Subquery (structure_id, status): each structure's network status on `on`."""
    ranked = (
        select(
            StructureStatusChange.structure_id.label("structure_id"),
            StructureStatusChange.status.label("status"),
            func.row_number()
            .over(
                partition_by=StructureStatusChange.structure_id,
                order_by=(StructureStatusChange.effective_on.desc(), StructureStatusChange.id.desc()),
            )
            .label("rank"),
        )
        .where(StructureStatusChange.effective_on <= on)
        .subquery()
    )
    return select(ranked.c.structure_id, ranked.c.status).where(ranked.c.rank == 1).subquery()


@dataclass(frozen=True)
class DepartementCoverage:
    code: str
    name: str
    region_code: str
    region_name: str
    overseas: bool
    active_structures: int
    places: int
    conventions_in_force: int

    @property
    def covered(self) -> bool:
        return self.active_structures > 0


def coverage_by_departement(
    *, actor: Actor, on: date | None = None, scope: Scope | None = None
) -> list[DepartementCoverage]:
    """Coordination, partner staff and funders (aggregates): each département's counts on `on` (today by default).

    `scope` narrows to a région, a département or the overseas ones; a funder limited to a territory
    always counts within it (services.periods.scope_for).
    """
    require(actor, Action.INDICATOR_READ)
    on = on or paris_today()
    condition = in_scope(Departement.code, scope_for(actor, scope))
    status = status_at(on)
    with session_scope(actor) as session:
        departements = session.exec(
            select(Departement.code, Departement.name, Departement.region_code, Region.name, Departement.overseas)
            .join(Region)
            .where(*([condition] if condition is not None else []))
            .order_by(Departement.code)
        ).all()
        structures = {
            code: (count, places)
            for code, count, places in session.exec(
                select(
                    Structure.departement_code, func.count(Structure.id), func.coalesce(func.sum(Structure.capacity), 0)
                )
                .join(status, status.c.structure_id == Structure.id)
                .where(status.c.status == NetworkStatus.ACTIVE.value)
                .group_by(Structure.departement_code)
            )
        }
        conventions = dict(
            session.exec(
                select(Convention.departement_code, func.count(Convention.id))
                .where(in_force_condition(on))
                .group_by(Convention.departement_code)
            ).all()
        )
    return [
        DepartementCoverage(
            code,
            name,
            reg,
            reg_name,
            bool(overseas),
            int(structures.get(code, (0, 0))[0]),
            int(structures.get(code, (0, 0))[1]),
            int(conventions.get(code, 0)),
        )
        for code, name, reg, reg_name, overseas in departements
    ]


def coverage_map_values(*, actor: Actor, on: date | None = None) -> list[dict]:
    """Coordination only: one row per département for the coverage map (plain values, French-free)."""
    require(actor, Action.COVERAGE_READ)
    return [
        {
            "code": d.code,
            "name": d.name,
            "region": d.region_name,
            "overseas": d.overseas,
            "active_structures": d.active_structures,
            "places": d.places,
            "conventions": d.conventions_in_force,
            "covered": int(d.covered),
        }
        for d in coverage_by_departement(actor=actor, on=on)
    ]


@dataclass(frozen=True)
class PartnersIndicator:
    """Indicator 4 on a date: the network's partners."""

    on: date
    active_structures: int
    places: int
    conseils_engaged: int
    conventions_in_force: int


@dataclass(frozen=True)
class CoverageIndicator:
    """Indicator 5 on a date: covered départements, of which overseas."""

    on: date
    covered: int
    covered_overseas: int
    departements: int
    overseas: int

    @property
    def uncovered(self) -> int:
        return self.departements - self.covered


def indicator_partners(*, actor: Actor, on: date | None = None, scope: Scope | None = None) -> PartnersIndicator:
    """Coordination, partner staff and funders: indicator 4 (active structures, engaged conseils départementaux) on `on`."""
    rows = coverage_by_departement(actor=actor, on=on, scope=scope)
    return PartnersIndicator(
        on=on or paris_today(),
        active_structures=sum(r.active_structures for r in rows),
        places=sum(r.places for r in rows),
        conseils_engaged=sum(1 for r in rows if r.conventions_in_force),
        conventions_in_force=sum(r.conventions_in_force for r in rows),
    )


def indicator_coverage(*, actor: Actor, on: date | None = None, scope: Scope | None = None) -> CoverageIndicator:
    """Coordination, partner staff and funders: indicator 5 (covered départements, of which overseas) on `on`."""
    rows = coverage_by_departement(actor=actor, on=on, scope=scope)
    return CoverageIndicator(
        on=on or paris_today(),
        covered=sum(1 for r in rows if r.covered),
        covered_overseas=sum(1 for r in rows if r.covered and r.overseas),
        departements=len(rows),
        overseas=sum(1 for r in rows if r.overseas),
    )
