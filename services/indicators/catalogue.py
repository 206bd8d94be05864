"""The indicator catalogue: the call's eight indicators and the derived ones, in one list.

Each entry (:class:`IndicatorSpec`) has a key, a number, the call's French title word for word, a
French definition, whether it counts children, a unit, a headline (the value for a period and a
territorial scope, and the same for the previous period), breakdown tables, and a drill-down to
the records behind a number (coordination only). The entries and the formulas are not here: each
feature package declares its entries in its own ``indicator_sources`` module, whose thin adapters
call the feature's own indicator service (services/indicators/registry.py gathers them), so a
number means the same thing on every page, export and report. Publication (figures, tables, the
protection of a funder's view) is in services/indicators/publication.py.

Filters: a period (week, month, quarter, year, custom: services.periods.Period) and a territorial
scope (région, département, overseas only: services.periods.Scope). A funder limited to a région or
a département is pinned to it (``scope_for``), whatever he asks.

Who sees what:
- coordination: every figure as counted, tables, drill-down to the records; it may also ask for the
  funder's view (``protected=True``) to see what a funder reads;
- financeur: the same figures, aggregated only, with the small-count protection applied HERE, in
  the service layer (services/indicators/disclosure.py; threshold and rounding from the settings): every count
  of children is published as "< T" when small and rounded otherwise, breakdown tables get
  complementary suppression, fragile tables are merged (smallest rows grouped) or withheld, shares
  are computed from the published (rounded) counts, and no drill-down exists;
- partenaire: no dashboard (a partner's figures are those of its own structure, on its own pages;
  network totals of a single structure's region would be the structure's own children).

The feature services are read as an aggregate reader (:func:`_reader`) with the actor's pinned
scope passed explicitly, so that the protection can be computed from the true counts (a complement
cannot be chosen without them); nothing read that way leaves this module unprotected for a funder.
"""

from __future__ import annotations

from core.access import Action, Actor, require
from core.clock import paris_today
from core.errors import NotFound
from models.user import Role
from services.directory.indicator_sources import coverage_map_rows
from services.indicators.disclosure_policy import check_period
from services.indicators.model import IndicatorInfo, IndicatorSpec, Query, RecordPage
from services.indicators.publication import (
    Headline,
    IndicatorView,
    ProtectionRule,
    SeriesPoint,
    change_label,
    protection_rule,
    publish_figure,
    publish_table,
)
from services.indicators.registry import registered_indicators
from services.periods import Period, PeriodKind, Scope, scope_for

UNKNOWN_INDICATOR = "Indicateur inconnu."
NOT_AVAILABLE = "Données non encore disponibles : la fonctionnalité qui les produit n'est pas installée."
SERIES_LENGTH = {
    PeriodKind.WEEK.value: 12,
    PeriodKind.MONTH.value: 12,
    PeriodKind.QUARTER.value: 8,
    PeriodKind.YEAR.value: 4,
    PeriodKind.CUSTOM.value: 6,
}


_SPECS: dict[str, IndicatorSpec] | None = None


def _specs() -> dict[str, IndicatorSpec]:
    global _SPECS
    if _SPECS is None:
        _SPECS = registered_indicators()
    return _SPECS


def _spec(key: str) -> IndicatorSpec:
    spec = _specs().get(key)
    if spec is None:
        raise NotFound(UNKNOWN_INDICATOR)
    return spec


# --- the service functions pages call ------------------------------------------------------------


def _reader(actor: Actor) -> Actor:
    """The actor the feature services are read as: the coordination itself, or, for a funder, an
    aggregate reader whose results this module protects before returning them (scope passed apart)."""
    if actor.is_coordination:
        return actor
    return Actor(
        user_id=actor.user_id, username=actor.username, display_name=actor.display_name, role=Role.COORDINATION.value
    )


def _prepare(
    actor: Actor, scope: Scope | None, protected: bool, period: Period | None = None
) -> tuple[Actor, Scope, ProtectionRule | None]:
    """Who the sources are read as, the pinned scope, and the protection rule (None: exact figures).

    A protected read must be of whole months (services.indicators.disclosure_policy), and a funder's of months
    that are over; the coordination's own view of the funder's figures may include the month in progress."""
    require(actor, Action.DASHBOARD_READ)
    pinned = scope_for(actor, scope)
    rule = protection_rule() if (protected or not actor.is_coordination) else None
    if rule is not None and period is not None:
        check_period(period.start, period.end, today=paris_today(), finished_only=not actor.is_coordination)
    return _reader(actor), pinned, rule


def indicator_list(*, actor: Actor) -> list[IndicatorInfo]:
    """Coordination and funders: the catalogue (titles, definitions, units), in order."""
    require(actor, Action.DASHBOARD_READ)
    return [spec.info() for spec in _specs().values()]


def _headline(spec: IndicatorSpec, query: Query, rule: ProtectionRule | None) -> Headline:
    now = spec.headline(query)
    before = spec.headline(query.at(query.period.previous()))
    value = publish_figure(now.value, spec.counts_children, rule)
    previous = publish_figure(before.value, spec.counts_children, rule)
    secondary = tuple((label, publish_figure(raw, spec.counts_children, rule)) for label, raw in now.secondary)
    return Headline(value, previous, change_label(now.value.kind, value, previous), secondary)


def indicator_overview(
    *,
    actor: Actor,
    period: Period,
    scope: Scope | None = None,
    protected: bool = False,
    keys: tuple[str, ...] | None = None,
) -> list[IndicatorView]:
    """Coordination and funders (protected, within their territory): every indicator's (or the given
    ones') headline for the period, with the previous period's value and the change (tiles)."""
    reader, pinned, rule = _prepare(actor, scope, protected, period)
    query = Query(reader, period, pinned, rule is not None)
    specs = _specs().values() if keys is None else [_spec(key) for key in keys]
    return [_view(spec, query, rule, tables=False) for spec in specs]


def indicator_view(
    *, actor: Actor, key: str, period: Period, scope: Scope | None = None, protected: bool = False
) -> IndicatorView:
    """Coordination and funders (protected, within their territory): one indicator's headline and
    breakdown tables for the period."""
    reader, pinned, rule = _prepare(actor, scope, protected, period)
    return _view(_spec(key), Query(reader, period, pinned, rule is not None), rule, tables=True)


def _view(spec: IndicatorSpec, query: Query, rule: ProtectionRule | None, *, tables: bool) -> IndicatorView:
    info = spec.info()
    previous = query.period.previous()
    if not info.available:
        return IndicatorView(info, query.period, previous, query.scope, rule is not None, None, (), NOT_AVAILABLE)
    published = ()
    if tables:
        published = tuple(publish_table(t, spec.counts_children, rule) for t in spec.tables(query))
    return IndicatorView(
        info, query.period, previous, query.scope, rule is not None, _headline(spec, query, rule), published
    )


def indicator_series(
    *,
    actor: Actor,
    key: str,
    period: Period,
    scope: Scope | None = None,
    protected: bool = False,
    length: int | None = None,
) -> list[SeriesPoint]:
    """Coordination and funders (protected): the headline of the `length` periods of the same kind
    ending with `period`, oldest first (each period published on its own, as on the tiles)."""
    reader, pinned, rule = _prepare(actor, scope, protected, period)
    spec = _spec(key)
    if not spec.available:
        return []
    periods = [period]
    for _ in range((length or SERIES_LENGTH.get(period.kind, 12)) - 1):
        periods.append(periods[-1].previous())
    query = Query(reader, period, pinned, rule is not None)
    return [
        SeriesPoint(p, publish_figure(spec.headline(query.at(p)).value, spec.counts_children, rule))
        for p in reversed(periods)
        if p.start <= paris_today()
    ]


def indicator_records(
    *,
    actor: Actor,
    key: str,
    period: Period,
    scope: Scope | None = None,
    table: str | None = None,
    row: str | None = None,
    column: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> RecordPage:
    """Coordination only: the records behind a number (an indicator, or one cell of a breakdown), paged."""
    require(actor, Action.INDICATOR_RECORDS)
    spec = _spec(key)
    if spec.records is None or not spec.available:
        raise NotFound(NOT_AVAILABLE)
    return spec.records(Query(actor, period, scope_for(actor, scope)), table, row, column, limit, offset)


def indicator_scope_label(scope: Scope) -> str:
    """Any caller: the French name of a territorial scope."""
    from services.directory.referential import departement_options

    if scope.departement_code:
        names = {d.code: d.name for d in departement_options()}
        return f"{names.get(scope.departement_code, scope.departement_code)} ({scope.departement_code})"
    parts = []
    if scope.region_code:
        regions = {d.region_code: d.region_name for d in departement_options()}
        parts.append(f"région {regions.get(scope.region_code, scope.region_code)}")
    if scope.overseas_only:
        parts.append("outre-mer")
    return ", ".join(parts) if parts else "France entière"


def indicator_coverage_map(*, actor: Actor, period: Period, scope: Scope | None = None) -> list[dict]:
    """Coordination and funders (within their territory): per département of the scope, active
    structures, places, conventions in force and whether it is covered at the period's end (these
    count structures, not children: never suppressed)."""
    reader, pinned, _ = _prepare(actor, scope, False)
    if not _spec("coverage").available:
        return []
    return coverage_map_rows(Query(reader, period, pinned))
