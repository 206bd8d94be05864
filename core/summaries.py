"""Summary tables kept in the writing transaction: the national monthly counts of `models.summary`.

A hook on every ORM flush notes the months whose source rows were inserted, changed or deleted (old
and new month of a moved row) and recounts those months from the source table, in the same
transaction: delete the month's summary rows, insert its counts for every dimension. A month holds a
few hundred to a few thousand source rows, read through the index on their day, so the recount stays
small, and a summary can never drift from its source (no increments to get wrong). On PostgreSQL a
transaction-scoped advisory lock per month, taken in date order, serialises two recounts of the same
month, so two writers committing at once cannot leave a count that misses one of them (each recount
statement then sees the other's committed rows).

Rows written outside the ORM (the benchmark's bulk loader, a migration) call `summaries_rebuild`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy import event, inspect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from models.child import ChildRequest
from models.signalement import Signalement
from models.summary import RequestMonthCount, SignalementMonthCount

TOTAL = ""  # the dimension (and key) of a month's total


class month_start(FunctionElement):
    """SQL: the first day of the month of a date column, as a date."""

    type = sa.Date()
    inherit_cache = True
    name = "month_start"


@compiles(month_start)
def _month_start_default(element, compiler, **kw):
    (column,) = list(element.clauses)
    return f"CAST(date_trunc('month', {compiler.process(column, **kw)}) AS DATE)"


@compiles(month_start, "sqlite")
def _month_start_sqlite(element, compiler, **kw):
    (column,) = list(element.clauses)
    return f"date({compiler.process(column, **kw)}, 'start of month')"


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    """The first day of the month after `month`'s.

    >>> next_month(date(2025, 12, 1))
    datetime.date(2026, 1, 1)
    """
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


@dataclass(frozen=True)
class Summary:
    """How one summary table is computed from its source: day column, dimensions, count column."""

    source: type
    target: type
    day: str
    dimensions: tuple[str, ...]
    count: str
    lock_space: int  # advisory lock keys on PostgreSQL: (lock_space << 32) + ordinal of the month

    @property
    def watched(self) -> tuple[str, ...]:
        return (self.day, *self.dimensions)

    def source_table(self) -> sa.Table:
        return self.source.__table__  # type: ignore[attr-defined]

    def target_table(self) -> sa.Table:
        return self.target.__table__  # type: ignore[attr-defined]

    def counts(self, month: date | None) -> sa.CompoundSelect:
        """SQL: (month, dimension, key, count) of the source rows of `month` (or of every month), for the
        total and each dimension."""
        source = self.source_table()
        day = source.c[self.day]
        where = [] if month is None else [day >= month, day < next_month(month)]
        parts = []
        for dimension in (TOTAL, *self.dimensions):
            month_of = month_start(day)
            grouped: list[sa.ColumnElement] = [month_of]
            key: sa.ColumnElement = sa.literal(TOTAL, sa.String)
            if dimension != TOTAL:
                key = sa.cast(source.c[dimension], sa.String)
                grouped.append(key)
            parts.append(
                sa.select(
                    month_of.label("month"),
                    sa.literal(dimension, sa.String).label("dimension"),
                    key.label("key"),
                    sa.func.count(),
                )
                .where(*where)
                .group_by(*grouped)
            )
        return sa.union_all(*parts)

    def refill(self, connection, month: date | None) -> None:
        target = self.target_table()
        if month is None:
            connection.execute(target.delete())
        else:
            connection.execute(target.delete().where(target.c.month == month))
        connection.execute(target.insert().from_select(["month", "dimension", "key", self.count], self.counts(month)))


SUMMARIES = (
    Summary(
        source=ChildRequest,
        target=RequestMonthCount,
        day="received_on",
        dimensions=("exploitation_departement_code", "requester_kind", "requester_departement_code"),
        count="requests",
        lock_space=0x5EC0,
    ),
    Summary(
        source=Signalement,
        target=SignalementMonthCount,
        day="declared_on",
        dimensions=("current_category", "current_severity"),
        count="signalements",
        lock_space=0x5160,
    ),
)


def summary_refresh(connection, summary: Summary, days: Iterable[date]) -> None:
    """Recount the months of `days` of one summary from its source, inside the caller's transaction."""
    months = sorted({first_of_month(day) for day in days})
    if connection.dialect.name == "postgresql":
        for month in months:  # in date order: two recounts never wait on each other in a circle
            key = (summary.lock_space << 32) + month.toordinal()
            connection.execute(sa.select(sa.func.pg_advisory_xact_lock(key)))
    for month in months:
        summary.refill(connection, month)


def summaries_rebuild(connection) -> None:
    """Recount every summary entirely (after rows were written without the ORM)."""
    for summary in SUMMARIES:
        summary.refill(connection, None)


def _touched_days(session: Session, summary: Summary) -> set[date]:
    """Days of `summary` whose counts this flush may change: new, changed (old and new day) and deleted rows."""
    days: set[date] = set()
    for obj in session.new:
        if isinstance(obj, summary.source):
            days.add(getattr(obj, summary.day))
    for obj in session.deleted:
        if isinstance(obj, summary.source):
            history = inspect(obj).attrs[summary.day].history
            days.update(history.deleted or history.unchanged or [getattr(obj, summary.day)])
    for obj in session.dirty:
        if not isinstance(obj, summary.source):
            continue
        state = inspect(obj)
        if any(state.attrs[name].history.has_changes() for name in summary.watched):
            history = state.attrs[summary.day].history
            days.update((*history.added, *history.deleted, *history.unchanged))
    days.discard(None)
    return days


@event.listens_for(Session, "after_flush")
def _recount(session: Session, _context) -> None:
    for summary in SUMMARIES:
        days = _touched_days(session, summary)
        if days:
            summary_refresh(session.connection(), summary, days)
