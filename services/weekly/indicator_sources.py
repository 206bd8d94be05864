"""The weekly completeness indicator: adapters from services.weekly.board to the indicator catalogue.

Each indicator has a headline function (Query -> RawHeadline), a tables function (Query ->
[RawTable]) and a records function (the drill-down, coordination only). Values here are true values:
the catalogue (services/indicators/catalogue.py) protects them before a funder sees them."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import select

from core.db import session_scope
from models.base import utcnow
from models.referential import Region
from services.indicators.model import RATE, IndicatorSpec, Query, Raw, RawHeadline, RawTable, RecordPage
from services.periods import in_scope
from services.weekly.board import D, S, _counts, _structure_weeks, _weeks_table
from services.weekly.schedule import deadline_rule

# The board reads the last N weeks before now; the catalogue needs the weeks of any period and any
# territory. This adapter runs the board's own SQL pieces (_weeks_table, _structure_weeks, _counts,
# _structure_rates) on the weeks whose Monday lies in the period, with the territorial condition.


def _weeks_of(q: Query) -> list[date]:
    monday = q.first + timedelta(days=(7 - q.first.weekday()) % 7)
    weeks = []
    while monday < q.period.end and monday <= q.as_of:
        weeks.append(monday)
        monday += timedelta(days=7)
    return weeks


def _weekly_rows(q: Query, by: str, region: str | None = None):
    """(key, label, expected, received, on time) per network / région / structure over the period's weeks."""
    weeks = _weeks_of(q)
    if not weeks:
        return []
    now, rule = utcnow(), deadline_rule()
    w = _weeks_table(weeks, rule, now)
    joined, conditions = _structure_weeks(w, region)
    territory = in_scope(D.c.code, q.scope)
    conditions = conditions + ([territory] if territory is not None else [])
    regions = Region.__table__
    groups = {"network": [], "region": [D.c.region_code, regions.c.name], "structure": [S.c.id, S.c.name]}[by]
    source = joined.join(regions, regions.c.code == D.c.region_code) if by == "region" else joined
    stmt = select(*groups, *_counts(w)).select_from(source).where(*conditions)
    if groups:
        stmt = stmt.group_by(*groups)
    with session_scope(q.reader) as session:
        rows = session.execute(stmt).all()
    out = []
    for r in rows:
        key, label = (str(r[0]), r[1]) if groups else ("reseau", "Réseau")
        out.append((key, label, int(r.expected or 0), int(r.received or 0), int(r.on_time or 0)))
    return out


def completeness_headline(q: Query) -> RawHeadline:
    rows = _weekly_rows(q, "network")
    expected, received, on_time = (rows[0][2], rows[0][3], rows[0][4]) if rows else (0, 0, 0)
    return RawHeadline(
        Raw(RATE, received / expected if expected else None, numerator=received, denominator=expected),
        (
            (
                "transmis à l'heure",
                Raw(RATE, on_time / expected if expected else None, numerator=on_time, denominator=expected),
            ),
        ),
    )


def completeness_tables(q: Query) -> list[RawTable]:
    rows = sorted(_weekly_rows(q, "region"), key=lambda r: (r[3] / r[2] if r[2] else 2, r[1]))
    return [
        RawTable(
            "region",
            "Par région",
            "Région",
            tuple((r[0], r[1]) for r in rows),
            (
                ("expected", "Semaines attendues"),
                ("received", "Reçues"),
                ("completeness", "Complétude"),
                ("on_time", "À l'heure"),
            ),
            tuple((r[2], r[3], r[3] / r[2] if r[2] else None, r[4] / r[2] if r[2] else None) for r in rows),
            kind="measures",
            units=("count", "count", "percent", "percent"),
            counts_children=False,
            chart_column=1,
        )
    ]


def completeness_records(
    q: Query, table: str | None, row: str | None, column: str | None, limit: int, offset: int
) -> RecordPage:
    """Structures expected to report in the period (of a région when asked), most missing first."""
    rows = _weekly_rows(q, "structure", region=row)
    rows.sort(key=lambda r: (-(r[2] - r[3]), r[1]))
    return RecordPage(
        "Structures attendues",
        ("Structure", "Semaines attendues", "Reçues", "Manquantes", "À l'heure"),
        tuple((r[1], r[2], r[3], r[2] - r[3], r[4]) for r in rows[offset : offset + limit]),
        len(rows),
    )


# --- the catalogue entries this package contributes (gathered by services/indicators/registry.py) ---

INDICATORS: tuple[IndicatorSpec, ...] = (
    IndicatorSpec(
        "weekly_completeness",
        12,
        "Complétude des chiffres hebdomadaires",
        "Chiffres hebdomadaires reçus",
        "Part des semaines attendues (structure × semaine, pour les structures membres cette semaine-là) pour "
        "lesquelles la structure a transmis ses chiffres, sur les semaines de la période dont l'échéance est "
        "passée.",
        False,
        "%",
        "services.weekly.board",
        completeness_headline,
        completeness_tables,
        completeness_records,
        from_call=False,
    ),
)
