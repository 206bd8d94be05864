"""Summary tables kept in the writing transaction: the per-day counts of `models.summary`.

A hook on every ORM flush notes the days whose source rows were inserted, changed or deleted (old
and new day of a moved row) and recounts those days from the source table, in the same transaction:
delete the day's summary rows, insert the day's counts grouped by the summary's dimensions. A day
holds a few dozen rows at most, so the recount stays small, and a summary can never drift from its
source (no increments to get wrong). On PostgreSQL a transaction-scoped advisory lock per day, taken
in date order, serialises two recounts of the same day, so two writers committing at once cannot
leave a count that misses one of them (each recount statement then sees the other's committed rows).

Rows written outside the ORM (the benchmark's bulk loader, a migration) call `summaries_rebuild`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from models.child import ChildRequest
from models.signalement import Signalement
from models.summary import RequestDayCount, SignalementDayCount

_CHUNK = 500


@dataclass(frozen=True)
class Summary:
    """How one summary table is computed from its source: day column, dimensions, count column."""

    source: type
    target: type
    day: str
    dimensions: tuple[str, ...]
    count: str
    lock_space: int  # advisory lock keys on PostgreSQL: (lock_space << 32) + ordinal of the day

    @property
    def watched(self) -> tuple[str, ...]:
        return (self.day, *self.dimensions)

    def source_table(self) -> sa.Table:
        return self.source.__table__  # type: ignore[attr-defined]

    def target_table(self) -> sa.Table:
        return self.target.__table__  # type: ignore[attr-defined]

    def counts(self, days: list[date] | None) -> sa.Select:
        """SQL: the source rows counted per day and dimension (of `days`, or every day)."""
        source = self.source_table()
        keys = [source.c[name] for name in self.watched]
        query = sa.select(*keys, sa.func.count()).group_by(*keys)
        return query if days is None else query.where(source.c[self.day].in_(days))


SUMMARIES = (
    Summary(
        source=ChildRequest,
        target=RequestDayCount,
        day="received_on",
        dimensions=("exploitation_departement_code", "requester_kind", "requester_departement_code"),
        count="requests",
        lock_space=0x5EC0,
    ),
    Summary(
        source=Signalement,
        target=SignalementDayCount,
        day="declared_on",
        dimensions=("structure_id", "current_category", "current_severity"),
        count="signalements",
        lock_space=0x5160,
    ),
)


def summary_refresh(connection, summary: Summary, days: Iterable[date]) -> None:
    """Recount `days` of one summary from its source, inside the caller's transaction."""
    ordered = sorted(set(days))
    if not ordered:
        return
    if connection.dialect.name == "postgresql":
        for day in ordered:  # in date order: two recounts never wait on each other in a circle
            key = (summary.lock_space << 32) + day.toordinal()
            connection.execute(sa.select(sa.func.pg_advisory_xact_lock(key)))
    target = summary.target_table()
    columns = [*summary.watched, summary.count]
    for start in range(0, len(ordered), _CHUNK):
        chunk = ordered[start : start + _CHUNK]
        connection.execute(target.delete().where(target.c[summary.day].in_(chunk)))
        connection.execute(target.insert().from_select(columns, summary.counts(chunk)))


def summaries_rebuild(connection) -> None:
    """Recount every summary entirely (after rows were written without the ORM)."""
    for summary in SUMMARIES:
        target = summary.target_table()
        connection.execute(target.delete())
        connection.execute(target.insert().from_select([*summary.watched, summary.count], summary.counts(None)))


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
