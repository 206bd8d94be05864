"""What pages and exports receive from the indicator catalogue, and how a true figure is published.

A figure (:class:`Figure`), a headline, a breakdown table (:class:`Table`) and an indicator's view as
published: exact for the coordination, protected for a funder. The protection applied here follows
services/indicators/disclosure.py (threshold and rounding from the settings, :func:`protection_rule`):
every count of children is published as "< T" when small and rounded otherwise, breakdown tables get
complementary suppression, fragile tables are merged (smallest rows grouped) or withheld, and shares
are computed from the published (rounded) counts.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from core.formatting import fr_number
from services.indicators.disclosure import (
    Mark,
    disclosure_legend,
    fr_cell,
    protect_series,
    protect_table,
    round_count,
    small_label,
)
from services.indicators.disclosure_policy import breakdown_publishable, mask_pinning_zeros, withheld_note
from services.indicators.model import MEDIAN, NUMBER, RATE, SHARE, IndicatorInfo, Raw, RawTable
from services.periods import Period, Scope

WITHHELD_NOTE = (
    "Tableau non publié : trop peu d'effectifs pour qu'aucun petit effectif ne puisse être "
    "retrouvé, même en regroupant des lignes."
)
MERGED_LABEL = "Autres (regroupés)"
MERGED_NOTE = "Les plus petites lignes sont regroupées pour qu'aucun petit effectif ne puisse être retrouvé."
MULTI_NOTE = "Un même enregistrement peut compter dans plusieurs lignes : les lignes ne s'additionnent pas."

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


def publish_figure(raw: Raw, children: bool, rule: ProtectionRule | None) -> Figure:
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


def change_label(kind: str, now: Figure, before: Figure) -> str | None:
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


def publish_table(raw: RawTable, children: bool, rule: ProtectionRule | None) -> Table:
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
