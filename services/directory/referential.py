"""Régions and départements: loaded from services.directory.reference_data, read by every feature."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sqlmodel import select

from core.access import SYSTEM
from core.collation import french_key
from core.db import session_scope
from models.referential import Departement, Region
from services.directory import reference_data
from services.periods import Scope, scope_holds


def reference_sync() -> int:
    """System: insert or correct the 18 régions and 101 départements; returns rows changed."""
    overseas_regions = {d.region_code for d in reference_data.DEPARTEMENTS if d.overseas}
    changed = 0
    with session_scope(SYSTEM) as session:
        for region in reference_data.REGIONS:
            changed += _upsert(session, Region, region.code, name=region.name, overseas=region.code in overseas_regions)
        session.flush()
        for d in reference_data.DEPARTEMENTS:
            changed += _upsert(
                session,
                Departement,
                d.code,
                name=d.name,
                region_code=d.region_code,
                overseas=d.overseas,
                latitude=d.lat,
                longitude=d.lon,
            )
    departement_options.cache_clear()
    return changed


def _upsert(session, model, code: str, **values) -> int:
    row = session.get(model, code)
    if row is None:
        session.add(model(code=code, **values))
        return 1
    if any(getattr(row, k) != v for k, v in values.items()):
        for key, value in values.items():
            setattr(row, key, value)
        session.add(row)
        return 1
    return 0


@dataclass(frozen=True)
class DepartementOption:
    code: str
    name: str
    region_code: str
    region_name: str
    overseas: bool

    @property
    def label(self) -> str:
        return f"{self.code} — {self.name}"


@lru_cache(maxsize=1)
def departement_options() -> tuple[DepartementOption, ...]:
    """Any caller: the départements with their région, for pick lists (reference data, not personal)."""
    with session_scope() as session:
        rows = session.exec(select(Departement, Region.name).join(Region).order_by(Departement.code)).all()
    return tuple(DepartementOption(d.code, d.name, d.region_code, region_name, d.overseas) for d, region_name in rows)


def region_options() -> list[tuple[str, str]]:
    """Any caller: (code, name) of the régions, sorted by name."""
    seen = {(o.region_code, o.region_name) for o in departement_options()}
    return sorted(seen, key=lambda item: item[1])


def departement_label(code: str | None) -> str:
    for option in departement_options():
        if option.code == code:
            return option.label
    return code or ""


def region_options_in(scope: Scope) -> list[tuple[str, str]]:
    """Any caller: (code, name) of the régions with a département in `scope`, sorted by name."""
    regions = {
        o.region_code: o.region_name
        for o in departement_options()
        if scope_holds(scope, code=o.code, region_code=o.region_code, overseas=o.overseas)
    }
    return sorted(regions.items(), key=lambda item: french_key(item[1]))
