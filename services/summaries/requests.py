"""Requests received over a period, counted from the per-day summary instead of every request.

Callers (the path indicators) have checked the actor's access and period; these helpers take the
open session and the actor's territory (services.periods.Scope, already pinned by `scope_for`).
"""

from __future__ import annotations

from datetime import date

from sqlmodel import func, select

from models.summary import RequestDayCount
from services.path.sql import period_key
from services.periods import Scope, in_scope

GROUPED = ("period", "requester_kind", "requester_departement", "exploitation_departement")


def _where(territory: Scope, start: date | None, end: date | None) -> list:
    conditions = []
    if start:
        conditions.append(RequestDayCount.received_on >= start)
    if end:
        conditions.append(RequestDayCount.received_on <= end)
    condition = in_scope(RequestDayCount.exploitation_departement_code, territory)
    if condition is not None:
        conditions.append(condition)
    return conditions


def request_counts(
    session, *, group_by: str, territory: Scope, start: date | None, end: date | None, period: str = "month"
) -> list[tuple[str | None, int]]:
    """Requests received from `start` to `end` in `territory`, per key of `group_by` (one of GROUPED), in key order."""
    key = {
        "period": period_key(RequestDayCount.received_on, period),
        "requester_kind": RequestDayCount.requester_kind,
        "requester_departement": RequestDayCount.requester_departement_code,
        "exploitation_departement": RequestDayCount.exploitation_departement_code,
    }[group_by]
    statement = (
        select(key.label("key"), func.sum(RequestDayCount.requests))
        .where(*_where(territory, start, end))
        .group_by(key)
        .order_by(key)
    )
    return [(k, int(n)) for k, n in session.exec(statement).all()]


def request_total(session, *, territory: Scope, start: date | None, end: date | None) -> int:
    """Requests received from `start` to `end` in `territory`."""
    statement = select(func.coalesce(func.sum(RequestDayCount.requests), 0)).where(*_where(territory, start, end))
    return int(session.exec(statement).one())
