"""The indicator catalogue: the call's eight indicators and the derived ones, in one list.

Each entry (:class:`IndicatorSpec`) has a key, a number, the call's French title word for word, a
French definition, whether it counts children, a unit, a headline (the value for a period and a
territorial scope, and the same for the previous period), breakdown tables, and a drill-down to
the records behind a number (coordination only). The formulas are not here: each entry calls the
feature's own indicator service (services/indicators/sources.py holds those thin adapters), so a
number means the same thing on every page, export and report.

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

from collections.abc import Callable
from dataclasses import dataclass, replace
from importlib.util import find_spec

from core.access import Action, Actor, require
from core.clock import paris_today
from core.errors import NotFound
from core.formatting import fr_number
from models.user import Role
from services.indicators.disclosure import (
    Mark,
    disclosure_legend,
    fr_cell,
    protect_series,
    protect_table,
    round_count,
    small_label,
)
from services.indicators.disclosure_policy import (
    breakdown_publishable,
    check_period,
    mask_pinning_zeros,
    withheld_note,
)
from services.indicators.model import (  # noqa: F401  (re-exported: the sources' vocabulary)
    COUNT,
    MEDIAN,
    NUMBER,
    RATE,
    SHARE,
    Query,
    Raw,
    RawHeadline,
    RawTable,
    RecordPage,
)
from services.periods import Period, PeriodKind, Scope, scope_for

UNKNOWN_INDICATOR = "Indicateur inconnu."
NOT_AVAILABLE = "Données non encore disponibles : la fonctionnalité qui les produit n'est pas installée."
WITHHELD_NOTE = (
    "Tableau non publié : trop peu d'effectifs pour qu'aucun petit effectif ne puisse être "
    "retrouvé, même en regroupant des lignes."
)
MERGED_LABEL = "Autres (regroupés)"
MERGED_NOTE = "Les plus petites lignes sont regroupées pour qu'aucun petit effectif ne puisse être retrouvé."
MULTI_NOTE = "Un même enregistrement peut compter dans plusieurs lignes : les lignes ne s'additionnent pas."
SERIES_LENGTH = {
    PeriodKind.WEEK.value: 12,
    PeriodKind.MONTH.value: 12,
    PeriodKind.QUARTER.value: 8,
    PeriodKind.YEAR.value: 4,
    PeriodKind.CUSTOM.value: 6,
}

# --- the catalogue ------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorInfo:
    """What describes an indicator (no function: safe to cache and to pickle)."""

    key: str
    number: int
    title: str
    short_title: str
    definition: str
    counts_children: bool
    unit: str
    from_call: bool
    stock: bool  # read at the end of the period (structures, départements) rather than over it
    available: bool

    @property
    def label(self) -> str:
        return f"{self.number}. {self.short_title}" if self.from_call else f"{self.short_title} (complémentaire)"


@dataclass(frozen=True)
class IndicatorSpec:
    key: str
    number: int
    title: str
    short_title: str
    definition: str
    counts_children: bool
    unit: str
    source: str  # the feature module the figures come from
    headline: Callable[[Query], RawHeadline]
    tables: Callable[[Query], list[RawTable]]
    records: Callable[[Query, str | None, str | None, str | None, int, int], RecordPage] | None = None
    from_call: bool = True
    stock: bool = False

    @property
    def available(self) -> bool:
        return all(find_spec(name) is not None for name in self.source.split(","))

    def info(self) -> IndicatorInfo:
        return IndicatorInfo(
            self.key,
            self.number,
            self.title,
            self.short_title,
            self.definition,
            self.counts_children,
            self.unit,
            self.from_call,
            self.stock,
            self.available,
        )


def _catalogue() -> list[IndicatorSpec]:
    from services.indicators import sources as src
    from services.outreach.indicators import indicator_specs as outreach_indicator_specs

    return [
        IndicatorSpec(
            "requests",
            1,
            "Le nombre de sollicitations pour prendre en charge un mineur",
            "Sollicitations",
            "Demandes de prise en charge d'un mineur reçues par la coordination (police, gendarmerie, ASE, PJJ, "
            "parquet, associations…), comptées à leur date de réception. Territoire : département d'exploitation "
            "du mineur.",
            True,
            "sollicitations",
            "services.path.indicators",
            src.requests_headline,
            src.requests_tables,
            src.requests_records,
        ),
        IndicatorSpec(
            "oriented",
            2,
            "Le nombre de victimes orientées",
            "Victimes orientées",
            "Mineurs distincts dont la sollicitation a abouti à l'accord d'une structure partenaire pour les "
            "accueillir, comptés à la date de cet accord.",
            True,
            "enfants",
            "services.path.indicators",
            src.oriented_headline,
            src.oriented_tables,
            src.oriented_records,
        ),
        IndicatorSpec(
            "placed",
            3,
            "Le nombre de victimes placées au sein d'une structure partenaire du réseau",
            "Victimes placées",
            "Mineurs distincts arrivés dans une structure partenaire du réseau, comptés à leur date d'arrivée. "
            "Territoire : département de la structure d'accueil.",
            True,
            "enfants",
            "services.path.indicators",
            src.placed_headline,
            src.placed_tables,
            src.placed_records,
        ),
        IndicatorSpec(
            "partners",
            4,
            "Le nombre de conseils départementaux et de structures partenaires du réseau",
            "Structures et conseils départementaux",
            "Structures partenaires actives à la fin de la période (ou aujourd'hui pour une période en cours) et "
            "conseils départementaux engagés, c'est-à-dire liés au réseau par une convention en vigueur à cette date.",
            False,
            "structures",
            "services.directory.coverage",
            src.partners_headline,
            src.partners_tables,
            src.partners_records,
            stock=True,
        ),
        IndicatorSpec(
            "coverage",
            5,
            "Le nombre de départements couverts par le réseau, notamment en outre-mer",
            "Départements couverts",
            "Départements où au moins une structure partenaire est active à la fin de la période (ou "
            "aujourd'hui), dont départements d'outre-mer.",
            False,
            "départements",
            "services.directory.coverage",
            src.coverage_headline,
            src.coverage_tables,
            src.coverage_records,
            stock=True,
        ),
        IndicatorSpec(
            "trained",
            6,
            "Le nombre et le profil des professionnels accompagnés et formés à la prise en charge des mineurs "
            "victimes d'exploitation et de traite",
            "Professionnels formés",
            "Participants des sessions de formation réalisées, comptés à la date de fin de la session, par profil "
            "professionnel ; un professionnel qui suit deux sessions compte deux fois. Territoire : lieu de la "
            "session (et sessions à distance suivies par une structure du territoire).",
            False,
            "professionnels",
            "services.training.indicators",
            src.trained_headline,
            src.trained_tables,
            src.trained_records,
        ),
        IndicatorSpec(
            "strategy",
            7,
            "La stratégie de formation continue proposée aux structures partenaires du réseau",
            "Stratégie de formation",
            "Réalisation du plan annuel de formation de l'année de la période : professionnels formés dans "
            "l'année rapportés aux professionnels prévus au plan, par module et par profil ; modules proposés au "
            "catalogue ; part des structures actives ayant eu au moins un professionnel formé dans les 12 mois.",
            False,
            "%",
            "services.training.indicators",
            src.strategy_headline,
            src.strategy_tables,
            src.strategy_records,
            stock=True,
        ),
        IndicatorSpec(
            "signalements",
            8,
            "Le circuit de remontée vers la coordination du réseau des signalements de situations préoccupantes "
            "survenant dans les structures partenaires du réseau",
            "Signalements",
            "Signalements de situations préoccupantes déclarés par les structures partenaires dans la période, "
            "délai médian de prise en compte par la coordination et part prise en compte dans le délai fixé.",
            True,
            "signalements",
            "services.signalements.indicators",
            src.signalements_headline,
            src.signalements_tables,
            src.signalements_records,
        ),
        IndicatorSpec(
            "time_to_placement",
            9,
            "Délai entre la sollicitation et l'arrivée en structure",
            "Délai de placement",
            "Médiane, en jours, du délai entre la réception de la sollicitation et l'arrivée du mineur dans la "
            "structure, pour les arrivées de la période.",
            True,
            "jours",
            "services.path.indicators",
            src.time_to_placement_headline,
            src.time_to_placement_tables,
            src.placed_records,
            from_call=False,
        ),
        IndicatorSpec(
            "distance",
            10,
            "Part des placements éloignés du lieu d'exploitation",
            "Placements éloignés",
            "Part des arrivées de la période dans une structure située à au moins la distance minimale réglée "
            "par la coordination du département d'exploitation (distance entre centres des départements), parmi "
            "les arrivées dont la distance est connue.",
            True,
            "%",
            "services.path.indicators",
            src.distance_headline,
            src.distance_tables,
            src.distance_records,
            from_call=False,
        ),
        IndicatorSpec(
            "runaways",
            11,
            "Fugues après l'arrivée",
            "Fugues",
            "Part des arrivées de la période suivies d'une fugue dans les 30 jours (et dans les 7 jours), parmi "
            "les arrivées dont l'issue à 30 (ou 7) jours est connue.",
            True,
            "%",
            "services.path.indicators",
            src.runaways_headline,
            src.runaways_tables,
            src.runaways_records,
            from_call=False,
        ),
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
            src.completeness_headline,
            src.completeness_tables,
            src.completeness_records,
            from_call=False,
        ),
        *[IndicatorSpec(**spec) for spec in outreach_indicator_specs()],
    ]


_SPECS: dict[str, IndicatorSpec] | None = None


def _specs() -> dict[str, IndicatorSpec]:
    global _SPECS
    if _SPECS is None:
        _SPECS = {spec.key: spec for spec in _catalogue()}
    return _SPECS


def _spec(key: str) -> IndicatorSpec:
    spec = _specs().get(key)
    if spec is None:
        raise NotFound(UNKNOWN_INDICATOR)
    return spec


# --- what pages and exports receive -----------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """A number as published: its value (None when not published or unknown) and its French text."""

    value: float | None
    text: str
    detail: str = ""
    small: bool = False  # not published because small (shown "< T")


@dataclass(frozen=True)
class Headline:
    value: Figure
    previous: Figure
    change: str | None
    secondary: tuple[tuple[str, Figure], ...] = ()


Cell = int | float | Mark | None


@dataclass(frozen=True)
class Table:
    """A breakdown as published (protected for a funder)."""

    key: str
    title: str
    dimension: str
    row_keys: tuple[str | None, ...]
    row_labels: tuple[str, ...]
    column_keys: tuple[str | None, ...]
    column_labels: tuple[str, ...]
    cells: tuple[tuple[Cell, ...], ...]
    units: tuple[str, ...]
    row_totals: tuple[Cell, ...] | None = None
    column_totals: tuple[Cell, ...] | None = None
    total: Cell = None
    protected: bool = False
    withheld: bool = False
    threshold: int = 5
    drill: bool = True
    note: str = ""
    chart_column: int = 0

    def text(self, cell: Cell, unit: str = "count") -> str:
        """French display of one cell."""
        if isinstance(cell, Mark):
            return fr_cell(cell, threshold=self.threshold)
        if cell is None:
            return "—"
        if unit == "percent":
            return f"{fr_number(cell * 100)} %"
        if unit in ("days", "hours", "number"):
            return fr_number(cell, 0 if float(cell).is_integer() else 1)
        return fr_number(cell)

    def display(self):
        """A DataFrame of French strings, totals included (rows: the dimension)."""
        import pandas as pd

        units = self.units or ("count",) * len(self.column_labels)
        rows = [[self.text(c, u) for c, u in zip(row, units)] for row in self.cells]
        labels = list(self.row_labels)
        columns = list(self.column_labels)
        if self.row_totals is not None:
            columns.append("Total")
            for row, total in zip(rows, self.row_totals):
                row.append(self.text(total))
        if self.column_totals is not None:
            totals = [self.text(c) for c in self.column_totals]
            if self.row_totals is not None:
                totals.append(self.text(self.total))
            rows.append(totals)
            labels.append("Total")
        frame = pd.DataFrame(rows, columns=columns)
        frame.insert(0, self.dimension, labels)
        return frame

    def long(self):
        """One row per (row, column) with the published number, NaN when not published (charts)."""
        import pandas as pd

        units = self.units or ("count",) * len(self.column_labels)
        out = []
        for label, row in zip(self.row_labels, self.cells):
            for column, cell, unit in zip(self.column_labels, row, units):
                value = float(cell) if isinstance(cell, (int, float)) else None
                out.append({"categorie": label, "colonne": column, "valeur": value, "texte": self.text(cell, unit)})
        return pd.DataFrame(out, columns=["categorie", "colonne", "valeur", "texte"])


@dataclass(frozen=True)
class IndicatorView:
    info: IndicatorInfo
    period: Period
    previous_period: Period
    scope: Scope
    protected: bool
    headline: Headline | None
    tables: tuple[Table, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class SeriesPoint:
    period: Period
    figure: Figure


@dataclass(frozen=True)
class ProtectionRule:
    threshold: int
    rounding: int
    legend: str

    @property
    def small_text(self) -> str:
        return small_label(self.threshold)


def protection_rule() -> ProtectionRule:
    """Any caller: the small-count rule in force (settings), with its French legend."""
    from services.admin.settings import setting_get

    threshold = int(setting_get(key="disclosure_threshold"))
    rounding = int(setting_get(key="disclosure_rounding"))
    return ProtectionRule(threshold, rounding, disclosure_legend(threshold=threshold, rounding=rounding))


# --- publication ------------------------------------------------------------------------------


def _count_figure(value: float | None, rule: ProtectionRule | None, unit: str = "") -> Figure:
    if value is None:
        return Figure(None, "—")
    suffix = f" {unit}" if unit == "%" else ""
    if rule is None:
        return Figure(value, fr_number(value, 0 if float(value).is_integer() else 1) + suffix)
    count = int(value)
    if 0 < count < rule.threshold:
        return Figure(None, rule.small_text, small=True)
    published = round_count(count, threshold=rule.threshold, rounding=rule.rounding)
    return Figure(published, fr_number(published))


def _share_figure(raw: Raw, rule: ProtectionRule | None) -> Figure:
    num, den = raw.numerator or 0, raw.denominator or 0
    if rule is None:
        if not den:
            return Figure(None, "—", "aucune donnée")
        return Figure(num / den, f"{fr_number(100 * num / den)} %", f"{fr_number(num)} sur {fr_number(den)}")
    series = protect_series([num, den - num], threshold=rule.threshold, rounding=rule.rounding)
    shown_num, shown_den = series.cells[0], series.total
    detail = f"{fr_cell(shown_num, threshold=rule.threshold)} sur {fr_cell(shown_den, threshold=rule.threshold)}"
    if isinstance(shown_num, int) and isinstance(shown_den, int) and shown_den:
        rate = shown_num / shown_den
        return Figure(rate, f"{fr_number(100 * rate)} %", detail + " (effectifs arrondis)")
    if not den:
        return Figure(None, "—", "aucune donnée")
    return Figure(
        None,
        "—",
        f"sur {fr_cell(shown_den, threshold=rule.threshold)} : part non publiée (petits effectifs)",
        small=True,
    )


def _median_figure(raw: Raw, rule: ProtectionRule | None) -> Figure:
    n = raw.observations or 0
    unit = raw.unit or "j"
    if raw.value is None or not n:
        return Figure(None, "—", "aucune donnée")
    if rule is None:
        return Figure(
            raw.value,
            f"{fr_number(raw.value, 0 if float(raw.value).is_integer() else 1)} {unit}",
            f"sur {fr_number(n)}",
        )
    if n < rule.threshold:
        return Figure(None, "—", f"sur {rule.small_text} : non publié", small=True)
    shown = round_count(n, threshold=rule.threshold, rounding=rule.rounding)
    return Figure(
        raw.value,
        f"{fr_number(raw.value, 0 if float(raw.value).is_integer() else 1)} {unit}",
        f"sur {fr_number(shown)} environ",
    )


def _rate_figure(raw: Raw) -> Figure:
    if raw.value is None:
        return Figure(None, "—", "aucune donnée")
    detail = ""
    if raw.numerator is not None and raw.denominator is not None:
        detail = f"{fr_number(raw.numerator)} sur {fr_number(raw.denominator)}"
    return Figure(raw.value, f"{fr_number(100 * raw.value)} %", detail)


def _figure(raw: Raw, children: bool, rule: ProtectionRule | None) -> Figure:
    rule = rule if children else None
    if raw.kind == SHARE:
        return _share_figure(raw, rule)
    if raw.kind == MEDIAN:
        return _median_figure(raw, rule)
    if raw.kind == RATE:
        return _rate_figure(raw)
    if raw.kind == NUMBER:
        return Figure(raw.value, "—" if raw.value is None else f"{fr_number(raw.value)} {raw.unit}".strip())
    return _count_figure(raw.value, rule, raw.unit)


def _change(kind: str, now: Figure, before: Figure) -> str | None:
    if now.value is None or before.value is None:
        return None
    delta = now.value - before.value
    if kind in (SHARE, RATE):
        points = round(100 * delta)
        if not points:
            return "stable"
        return f"{'+' if points > 0 else ''}{fr_number(points)} pt" + ("s" if abs(points) > 1 else "")
    if not delta:
        return "stable"
    if kind == MEDIAN:
        return f"{'+' if delta > 0 else ''}{fr_number(delta, 0 if float(delta).is_integer() else 1)} j"
    return f"{'+' if delta > 0 else ''}{fr_number(delta)}"


def _publish_table(raw: RawTable, children: bool, rule: ProtectionRule | None) -> Table:
    protect = rule is not None and (raw.counts_children if raw.counts_children is not None else children)
    threshold = rule.threshold if rule else 5
    base = dict(
        key=raw.key,
        title=raw.title,
        dimension=raw.dimension,
        threshold=threshold,
        drill=raw.drill,
        note=raw.note,
        chart_column=raw.chart_column,
    )
    units = raw.units or ("count",) * len(raw.columns)
    if raw.kind == "measures" or not protect:
        return _plain_table(raw, units, base)
    population = raw.population if raw.population is not None else int(sum(v or 0 for row in raw.values for v in row))
    if not breakdown_publishable(population, threshold=rule.threshold):
        return _withheld(raw, units, base, withheld_note(threshold=rule.threshold, unit=raw.unit))
    for candidate, merged in _merge_candidates(raw):
        table = _protected_table(candidate, rule, base)
        if table is not None:
            note = " ".join(n for n in (raw.note, MERGED_NOTE if merged else "") if n)
            return replace(table, note=note, drill=False)
    return _withheld(raw, units, base, WITHHELD_NOTE)


def _withheld(raw: RawTable, units: tuple[str, ...], base: dict, note: str) -> Table:
    return Table(
        row_keys=(),
        row_labels=(),
        column_keys=tuple(k for k, _ in raw.columns),
        column_labels=tuple(label for _, label in raw.columns),
        cells=(),
        units=units,
        protected=True,
        withheld=True,
        **{**base, "note": note, "drill": False},
    )


def _plain_table(raw: RawTable, units: tuple[str, ...], base: dict) -> Table:
    cells = tuple(tuple(_plain(v) for v in row) for row in raw.values)
    row_totals = column_totals = total = None
    if raw.kind == "counts":
        column_totals = tuple(int(sum(row[j] or 0 for row in raw.values)) for j in range(len(raw.columns)))
        if len(raw.columns) > 1:
            row_totals = tuple(int(sum(v or 0 for v in row)) for row in raw.values)
            total = int(sum(row_totals))
    note = base["note"] or (MULTI_NOTE if raw.kind == "multi" else "")
    return Table(
        row_keys=tuple(k for k, _ in raw.rows),
        row_labels=tuple(label for _, label in raw.rows),
        column_keys=tuple(k for k, _ in raw.columns),
        column_labels=tuple(label for _, label in raw.columns),
        cells=cells,
        units=units,
        row_totals=row_totals,
        column_totals=column_totals,
        total=total,
        **{**base, "note": note},
    )


def _plain(value):
    if value is None:
        return None
    return int(value) if float(value).is_integer() else float(value)


def _merge_candidates(raw: RawTable):
    """The table as it is, then with its 2, 3, … smallest rows merged into one."""
    yield raw, False
    if raw.kind != "counts" or len(raw.rows) < 3:
        return
    order = sorted(range(len(raw.rows)), key=lambda i: (sum(v or 0 for v in raw.values[i]), i))
    for k in range(2, len(raw.rows)):
        merged = set(order[:k])
        kept = [i for i in range(len(raw.rows)) if i not in merged]
        values = [raw.values[i] for i in kept]
        values.append(tuple(sum(raw.values[i][j] or 0 for i in merged) for j in range(len(raw.columns))))
        rows = [raw.rows[i] for i in kept] + [(None, MERGED_LABEL)]
        yield replace(raw, rows=tuple(rows), values=tuple(values)), True


def _protected_table(raw: RawTable, rule: ProtectionRule, base: dict) -> Table | None:
    """The protected table, or None when it is fragile (see services.indicators.disclosure)."""
    counts = [[int(v or 0) for v in row] for row in raw.values]
    units = ("count",) * len(raw.columns)
    common = dict(
        row_keys=tuple(k for k, _ in raw.rows),
        row_labels=tuple(label for _, label in raw.rows),
        column_keys=tuple(k for k, _ in raw.columns),
        column_labels=tuple(label for _, label in raw.columns),
        units=units,
        protected=True,
        **base,
    )
    if len(raw.columns) == 1:
        series = protect_series([row[0] for row in counts], threshold=rule.threshold, rounding=rule.rounding)
        if series.fragile:
            return None
        cells = mask_pinning_zeros([(c,) for c in series.cells], counts)
        if raw.kind == "multi":
            return Table(cells=cells, **{**common, "note": base["note"] or MULTI_NOTE})
        return Table(cells=cells, column_totals=(series.total,), **common)
    table = protect_table(counts, threshold=rule.threshold, rounding=rule.rounding)
    if table.fragile:
        return None
    return Table(
        cells=mask_pinning_zeros(table.cells, counts),
        row_totals=table.row_totals,
        column_totals=table.column_totals,
        total=table.total,
        **common,
    )


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
    value = _figure(now.value, spec.counts_children, rule)
    previous = _figure(before.value, spec.counts_children, rule)
    secondary = tuple((label, _figure(raw, spec.counts_children, rule)) for label, raw in now.secondary)
    return Headline(value, previous, _change(now.value.kind, value, previous), secondary)


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
        published = tuple(_publish_table(t, spec.counts_children, rule) for t in spec.tables(query))
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
        SeriesPoint(p, _figure(spec.headline(query.at(p)).value, spec.counts_children, rule))
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
    from services.indicators.sources import coverage_map_rows

    return coverage_map_rows(Query(reader, period, pinned))
