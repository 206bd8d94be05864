"""Indicators 4 and 5 (partners and coverage): adapters from services.directory.coverage to the
indicator catalogue.

Each indicator has a headline function (Query -> RawHeadline), a tables function (Query ->
[RawTable]) and a records function (the drill-down, coordination only); ``coverage_map_rows`` feeds
the coverage map. These count structures and départements, never children."""

from __future__ import annotations

from sqlmodel import func, select

from core.collation import french_key
from core.db import session_scope
from core.formatting import fr_date
from models.convention import Convention
from models.referential import Departement, Region
from models.structure import NetworkStatus, Structure, StructureKind
from services.directory.conventions import in_force_condition
from services.directory.coverage import coverage_by_departement, indicator_coverage, indicator_partners, status_at
from services.indicators.model import COUNT, IndicatorSpec, Query, Raw, RawHeadline, RawTable, RecordPage
from services.periods import in_scope


def _by_departement(q: Query):
    return coverage_by_departement(actor=q.reader, on=q.as_of, scope=q.scope)


def partners_headline(q: Query) -> RawHeadline:
    p = indicator_partners(actor=q.reader, on=q.as_of, scope=q.scope)
    return RawHeadline(
        Raw(COUNT, p.active_structures),
        (
            ("conseils départementaux engagés", Raw(COUNT, p.conseils_engaged)),
            ("places d'accueil", Raw(COUNT, p.places)),
        ),
    )


def _regions(rows) -> dict[str, list]:
    out: dict[str, list] = {}
    for r in rows:
        out.setdefault(r.region_code, [r.region_name, []])[1].append(r)
    return dict(sorted(out.items(), key=lambda item: french_key(item[1][0])))


def partners_tables(q: Query) -> list[RawTable]:
    regions = _regions(_by_departement(q))
    values = tuple(
        (sum(d.active_structures for d in ds), sum(d.places for d in ds), sum(1 for d in ds if d.conventions_in_force))
        for _, ds in regions.values()
    )
    return [
        RawTable(
            "region",
            f"Par région, au {fr_date(q.as_of)}",
            "Région",
            tuple((code, name) for code, (name, _) in regions.items()),
            (
                ("structures", "Structures actives"),
                ("places", "Places"),
                ("conseils", "Conseils départementaux engagés"),
            ),
            values,
            kind="measures",
            units=("count", "count", "count"),
            counts_children=False,
        )
    ]


def partners_records(
    q: Query, table: str | None, row: str | None, column: str | None, limit: int, offset: int
) -> RecordPage:
    """Structures active at the period's end (of a région when a row is given), or the conventions in
    force when the column « conseils départementaux » is asked."""
    territory = [c for c in (in_scope(Departement.code, q.scope),) if c is not None]
    if row:
        territory.append(Departement.region_code == row)
    with session_scope(q.reader) as session:
        if column == "conseils":
            conditions = [in_force_condition(q.as_of), *territory]
            stmt = (
                select(
                    Convention.departement_code, Departement.name, Region.name, Convention.signed_on, Convention.ends_on
                )
                .join(Departement, Departement.code == Convention.departement_code)
                .join(Region, Region.code == Departement.region_code)
                .where(*conditions)
            )
            total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
            rows = session.exec(stmt.order_by(Convention.departement_code).limit(limit).offset(offset)).all()
            return RecordPage(
                f"Conventions en vigueur au {fr_date(q.as_of)}",
                ("Département", "Région", "Signée le", "Fin"),
                tuple(
                    (f"{code} {name}", region, fr_date(signed), fr_date(ends))
                    for code, name, region, signed, ends in rows
                ),
                int(total),
            )
        status = status_at(q.as_of)
        stmt = (
            select(
                Structure.name,
                Structure.kind,
                Structure.departement_code,
                Departement.name,
                Region.name,
                Structure.capacity,
            )
            .join(status, status.c.structure_id == Structure.id)
            .join(Departement, Departement.code == Structure.departement_code)
            .join(Region, Region.code == Departement.region_code)
            .where(status.c.status == NetworkStatus.ACTIVE.value, *territory)
        )
        total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
        rows = session.exec(stmt.order_by(Structure.name).limit(limit).offset(offset)).all()
    return RecordPage(
        f"Structures partenaires actives au {fr_date(q.as_of)}",
        ("Structure", "Type", "Département", "Région", "Places"),
        tuple(
            (name, StructureKind.label_of(kind), f"{code} {dep}", region, capacity)
            for name, kind, code, dep, region, capacity in rows
        ),
        int(total),
    )


def coverage_headline(q: Query) -> RawHeadline:
    c = indicator_coverage(actor=q.reader, on=q.as_of, scope=q.scope)
    return RawHeadline(
        Raw(COUNT, c.covered),
        (
            ("dont outre-mer", Raw(COUNT, c.covered_overseas)),
            ("départements non couverts", Raw(COUNT, c.uncovered)),
        ),
    )


def coverage_tables(q: Query) -> list[RawTable]:
    regions = _regions(_by_departement(q))
    values = tuple(
        (len(ds), sum(1 for d in ds if d.covered), sum(1 for d in ds if not d.covered)) for _, ds in regions.values()
    )
    return [
        RawTable(
            "region",
            f"Par région, au {fr_date(q.as_of)}",
            "Région",
            tuple((code, name) for code, (name, _) in regions.items()),
            (("departements", "Départements"), ("covered", "Couverts"), ("uncovered", "Non couverts")),
            values,
            kind="measures",
            units=("count", "count", "count"),
            counts_children=False,
            chart_column=1,
        )
    ]


def coverage_records(
    q: Query, table: str | None, row: str | None, column: str | None, limit: int, offset: int
) -> RecordPage:
    """The départements of the scope (of a région when a row is given), covered or not."""
    rows = [d for d in _by_departement(q) if row is None or d.region_code == row]
    if column == "covered":
        rows = [d for d in rows if d.covered]
    elif column == "uncovered":
        rows = [d for d in rows if not d.covered]
    return RecordPage(
        f"Départements au {fr_date(q.as_of)}",
        ("Département", "Région", "Couvert", "Structures actives", "Places", "Conventions en vigueur"),
        tuple(
            (
                f"{d.code} {d.name}",
                d.region_name,
                "oui" if d.covered else "non",
                d.active_structures,
                d.places,
                d.conventions_in_force,
            )
            for d in rows[offset : offset + limit]
        ),
        len(rows),
    )


def coverage_map_rows(q: Query) -> list[dict]:
    """One row per département of the scope for the coverage map (structures, not children)."""
    return [
        {
            "code": d.code,
            "active_structures": d.active_structures,
            "places": d.places,
            "conventions": d.conventions_in_force,
            "covered": int(d.covered),
        }
        for d in _by_departement(q)
    ]


# --- the catalogue entries this package contributes (gathered by services/indicators/registry.py) ---

INDICATORS: tuple[IndicatorSpec, ...] = (
    IndicatorSpec(
        "partners",
        4,
        "Le nombre de conseils départementaux et de structures partenaires du réseau",
        "Structures et conseils départementaux",
        "Structures partenaires actives à la fin de la période (ou aujourd'hui pour une période en cours) et "
        "conseils départementaux engagés, c'est-à-dire liés au réseau par une convention en vigueur à cette date.",
        False,
        "structures",
        "services.directory.coverage",
        partners_headline,
        partners_tables,
        partners_records,
        stock=True,
    ),
    IndicatorSpec(
        "coverage",
        5,
        "Le nombre de départements couverts par le réseau, notamment en outre-mer",
        "Départements couverts",
        "Départements où au moins une structure partenaire est active à la fin de la période (ou "
        "aujourd'hui), dont départements d'outre-mer.",
        False,
        "départements",
        "services.directory.coverage",
        coverage_headline,
        coverage_tables,
        coverage_records,
        stock=True,
    ),
)
