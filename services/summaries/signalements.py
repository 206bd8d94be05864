"""Signalements declared over a period, nationally: whole months from the monthly summary
(models.summary), the days at either edge from the signalements themselves.

The signalement indicators call these after checking access and period; they answer None when the
summary cannot: a partner (own structure), a funder limited to a territory, a period with no whole
month inside, or a dimension the summary does not keep (structure, région, recipient).
"""

from __future__ import annotations

from collections import Counter
from datetime import date

import sqlalchemy as sa
from sqlmodel import func, select

from core.access import Actor
from core.summaries import TOTAL
from models.signalement import Signalement
from models.summary import SignalementMonthCount as M
from services.periods import scope_for
from services.summaries.periods import Split, months_of, split_period

DIMENSION = {"category": "current_category", "severity": "current_severity"}


def _split(actor: Actor, start: date | None, end: date | None) -> Split | None:
    if actor.is_partner or (actor.is_funder and not scope_for(actor).is_national):
        return None
    return split_period(start, end)


def _edges(split: Split):
    return sa.or_(*(Signalement.declared_on.between(first, last) for first, last in split.edges))


def signalement_counts(session, *, actor: Actor, by: str, start: date | None, end: date | None) -> list | None:
    """Rows shaped as the indicator's own query gives them: (key, n) by category or severity, (year,
    month, n) by month in order; None when the summary cannot answer."""
    split = _split(actor, start, end)
    if split is None or (by != "month" and by not in DIMENSION):
        return None
    counts: Counter = Counter()
    keys: list[sa.ColumnElement]
    row_keys: list[sa.ColumnElement]
    if by == "month":
        keys = [sa.extract("year", M.month), sa.extract("month", M.month)]
        row_keys = [sa.extract("year", Signalement.declared_on), sa.extract("month", Signalement.declared_on)]
        dimension = TOTAL
    else:
        row_keys, dimension = [getattr(Signalement, DIMENSION[by])], DIMENSION[by]
        keys = [M.__table__.c.key]
    summed = select(*keys, func.sum(M.signalements)).where(M.dimension == dimension, *months_of(split, M.month))
    for *k, n in session.exec(summed.group_by(*keys)).all():
        counts[tuple(int(v) if by == "month" else v for v in k)] += int(n)
    if split.edges:
        for *k, n in session.exec(select(*row_keys, func.count()).where(_edges(split)).group_by(*row_keys)).all():
            counts[tuple(int(v) if by == "month" else v for v in k)] += int(n)
    return [(*k, n) for k, n in sorted(counts.items())]


def signalement_total(session, *, actor: Actor, start: date | None, end: date | None) -> int | None:
    """Signalements declared from `start` to `end`; None when the summary cannot answer."""
    split = _split(actor, start, end)
    if split is None:
        return None
    summed = select(func.coalesce(func.sum(M.signalements), 0)).where(M.dimension == TOTAL, *months_of(split, M.month))
    total = int(session.exec(summed).one())
    if split.edges:
        total += int(session.exec(select(func.count()).select_from(Signalement).where(_edges(split))).one())
    return total
