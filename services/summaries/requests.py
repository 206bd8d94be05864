"""Requests received over a period, nationally: whole months from the monthly summary (models.summary),
the days at either edge from the requests themselves.

Callers (the path indicators) have checked the actor's access and period; these helpers take the
open session and the actor's territory (services.periods.Scope, already pinned by `scope_for`) and
answer None when the summary cannot: a territory, or a period with no whole month inside.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

import sqlalchemy as sa
from sqlmodel import func, select

from core.summaries import TOTAL
from models.child import ChildRequest
from models.summary import RequestMonthCount as M
from services.path.sql import period_key
from services.periods import Scope
from services.summaries.periods import Split, months_of, split_period

DIMENSION = {
    "requester_kind": "requester_kind",
    "requester_departement": "requester_departement_code",
    "exploitation_departement": "exploitation_departement_code",
}


def _split(territory: Scope, start: date | None, end: date | None) -> Split | None:
    return split_period(start, end) if territory.is_national else None


def _edges(split: Split):
    return sa.or_(*(ChildRequest.received_on.between(first, last) for first, last in split.edges))


def request_counts(
    session, *, group_by: str, territory: Scope, start: date | None, end: date | None, period: str = "month"
) -> list[tuple[str | None, int]] | None:
    """Requests received from `start` to `end` per key of `group_by` (period or a DIMENSION), in key order;
    None when the summary cannot answer."""
    split = _split(territory, start, end)
    if split is None or (group_by != "period" and group_by not in DIMENSION):
        return None
    if group_by == "period":
        key, dimension, row_key = period_key(M.month, period), TOTAL, period_key(ChildRequest.received_on, period)
    else:
        key, dimension = M.key, DIMENSION[group_by]
        row_key = getattr(ChildRequest, DIMENSION[group_by])
    counts: Counter = Counter()
    summed = select(key.label("key"), func.sum(M.requests)).where(M.dimension == dimension, *months_of(split, M.month))
    for k, n in session.exec(summed.group_by(key)).all():
        counts[k] += int(n)
    if split.edges:
        edge = select(row_key.label("key"), func.count()).where(_edges(split)).group_by(row_key)
        for k, n in session.exec(edge).all():
            counts[k] += int(n)
    return sorted(counts.items(), key=lambda item: (item[0] is None, item[0] or ""))


def request_total(session, *, territory: Scope, start: date | None, end: date | None) -> int | None:
    """Requests received from `start` to `end`; None when the summary cannot answer."""
    split = _split(territory, start, end)
    if split is None:
        return None
    summed = select(func.coalesce(func.sum(M.requests), 0)).where(M.dimension == TOTAL, *months_of(split, M.month))
    total = int(session.exec(summed).one())
    if split.edges:
        total += int(session.exec(select(func.count()).select_from(ChildRequest).where(_edges(split))).one())
    return total
