"""Network totals per week and element, kept beside the reports so the network chart reads a few rows.

A report counts once it is sent or approved. Every service that writes a report's status or values
calls `weekly_totals_refresh` for the weeks it touched, inside its own transaction: the week's totals
are recomputed from the reports (a week is at most one report per structure, so this stays small).
On PostgreSQL a transaction-scoped advisory lock per week serialises two refreshes of the same week,
so two structures saving at once cannot leave a total that misses one of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import sqlalchemy as sa

from models.weekly import ReportStatus, WeeklyReport, WeeklyTotal, WeeklyValue

# Reports whose figures count (charts, free places for the placement finder): sent back ones are
# disputed until corrected, drafts are not figures yet.
COUNTED = (ReportStatus.SUBMITTED.value, ReportStatus.APPROVED.value)

_LOCK_SPACE = 0x57EE  # advisory lock keys of the weekly totals: (space << 32) + ordinal of the Monday
_CHUNK = 500

R, V, T = WeeklyReport.__table__, WeeklyValue.__table__, WeeklyTotal.__table__
COLUMNS = ["week_start", "element_id", "total", "structures", "max_value", "second_value"]


def weekly_totals_refresh(connection, *, weeks: Iterable[date] | None = None) -> None:
    """Services inside an open scope (or a bulk loader's connection): recompute the totals of `weeks`, all when None."""
    if weeks is None:
        connection.execute(T.delete())
        connection.execute(T.insert().from_select(COLUMNS, _sums(None)))
        return
    ordered = sorted(set(weeks))
    if _dialect(connection) == "postgresql":
        for week in ordered:  # sorted: two refreshes never wait on each other in a circle
            connection.execute(sa.select(sa.func.pg_advisory_xact_lock((_LOCK_SPACE << 32) + week.toordinal())))
    for start in range(0, len(ordered), _CHUNK):
        chunk = ordered[start : start + _CHUNK]
        connection.execute(T.delete().where(T.c.week_start.in_(chunk)))
        connection.execute(T.insert().from_select(COLUMNS, _sums(chunk)))


def _sums(weeks: list[date] | None):
    """SQL: per week and element, the sum, the count and the two largest values of the counted reports."""
    ranked = (
        sa.select(
            R.c.week_start,
            V.c.element_id,
            V.c.value,
            sa.func.row_number()
            .over(partition_by=(R.c.week_start, V.c.element_id), order_by=V.c.value.desc())
            .label("position"),
        )
        .select_from(R.join(V, V.c.report_id == R.c.id))
        .where(R.c.status.in_(COUNTED), V.c.value.is_not(None))
    )
    if weeks is not None:
        ranked = ranked.where(R.c.week_start.in_(weeks))
    ranked = ranked.subquery("ranked")
    return sa.select(
        ranked.c.week_start,
        ranked.c.element_id,
        sa.func.sum(ranked.c.value),
        sa.func.count(ranked.c.value),
        sa.func.max(sa.case((ranked.c.position == 1, ranked.c.value))),
        sa.func.max(sa.case((ranked.c.position == 2, ranked.c.value))),
    ).group_by(ranked.c.week_start, ranked.c.element_id)


def _dialect(connection) -> str:
    bind = connection.get_bind() if hasattr(connection, "get_bind") else connection
    return bind.dialect.name
