"""Places running out: the coordination sets a threshold per région; the free places reported in
the latest weekly figures of the région's active structures are compared with it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlmodel import select

from core.access import Action, Actor, require
from core.concurrency import check_version
from core.db import session_scope
from core.errors import ConcurrentEdit, FieldError, NotFound, ValidationFailed
from models.base import utcnow
from models.notification import RegionPlaceThreshold
from models.referential import Region

THRESHOLD_LABEL = "Seuil de places libres"
THRESHOLD_MAX = 1000
THRESHOLD_RANGE = f"un nombre entier entre 0 et {THRESHOLD_MAX}"
REGION_UNKNOWN = "Région inconnue."


@dataclass(frozen=True)
class RegionPlaces:
    region_code: str
    region_name: str
    threshold: int | None
    version: int | None
    free_places: int | None  # None: no structure of the région reported lately
    reporting: int  # structures whose figures are counted

    @property
    def low(self) -> bool:
        return self.threshold is not None and self.free_places is not None and self.free_places < self.threshold


def region_places(*, actor: Actor, today: date | None = None) -> list[RegionPlaces]:
    """Coordination only: each région's threshold and the free places its structures last reported."""
    from services.weekly.schedule import latest_free_places_ranked

    require(actor, Action.SETTINGS_MANAGE)
    latest = latest_free_places_ranked(today=today, active_by_region=True)
    with session_scope(actor) as session:
        regions = session.exec(select(Region.code, Region.name).order_by(Region.name)).all()
        thresholds = {t.region_code: t for t in session.exec(select(RegionPlaceThreshold))}
        # Summed in SQL: the latest figure of each active structure, by région.
        sums = session.execute(
            select(latest.c.region_code, sa.func.sum(latest.c.value), sa.func.count())
            .where(latest.c.rank == 1)
            .group_by(latest.c.region_code)
        ).all()
    free = {code: int(total) for code, total, _count in sums}
    reporting = {code: int(count) for code, _total, count in sums}
    return [
        RegionPlaces(
            code,
            name,
            thresholds[code].min_free_places if code in thresholds else None,
            thresholds[code].version if code in thresholds else None,
            free.get(code),
            reporting.get(code, 0),
        )
        for code, name in regions
    ]


def region_threshold_set(
    *, actor: Actor, region_code: str, min_free_places: int | None, expected_version: int | None
) -> None:
    """Coordination only: set (or clear, with None) a région's threshold of free places."""
    require(actor, Action.SETTINGS_MANAGE)
    if min_free_places is not None and not (isinstance(min_free_places, int) and 0 <= min_free_places <= THRESHOLD_MAX):
        raise ValidationFailed(FieldError(THRESHOLD_LABEL, THRESHOLD_RANGE))
    with session_scope(actor) as session:
        if session.get(Region, region_code) is None:
            raise NotFound(REGION_UNKNOWN)
        row = session.get(RegionPlaceThreshold, region_code)
        if (row is None) != (expected_version is None):
            raise ConcurrentEdit()
        if row is not None:
            check_version(
                row,
                expected_version,
                seen={"min_free_places": min_free_places},
                labels={"min_free_places": THRESHOLD_LABEL},
            )
        if min_free_places is None:
            if row is not None:
                session.delete(row)
            return
        row = row or RegionPlaceThreshold(region_code=region_code, min_free_places=min_free_places)
        row.min_free_places = min_free_places
        row.updated_at = utcnow()
        session.add(row)
