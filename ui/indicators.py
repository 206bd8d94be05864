"""Widgets and charts the indicator pages share (dashboard, funder's view, annual report)."""

from __future__ import annotations

from datetime import date, timedelta

import altair as alt
import pandas as pd
import streamlit as st

from core.access import Actor
from core.clock import paris_today
from core.formatting import fr_date
from services.directory.referential import departement_options, region_options
from services.indicators.catalogue import indicator_scope_label
from services.indicators.disclosure_policy import first_unpublished_day
from services.indicators.publication import IndicatorView, SeriesPoint, Table
from services.indicators.territories import territory_note
from services.periods import Period, PeriodKind, Scope, period_of
from ui.directory import filter_select
from ui.maps import FRENCH_LOCALE

CHOICES = {
    PeriodKind.WEEK.value: 26,
    PeriodKind.MONTH.value: 24,
    PeriodKind.QUARTER.value: 12,
    PeriodKind.YEAR.value: 5,
}
BAR_COLOR, SMALL_COLOR = "#1f5fa8", "#9aa5b1"


def recent_periods(kind: str, today: date, count: int) -> list[Period]:
    """The `count` periods of `kind` up to the one containing today, newest first."""
    periods = [period_of(kind, today)]
    while len(periods) < count:
        periods.append(periods[-1].previous())
    return periods


def finished_periods(kind: str, today: date, count: int) -> list[Period]:
    """The `count` periods of `kind` that are over (the last one ends before the current month), newest first."""
    periods = [period_of(kind, today)]
    while periods[0].end > first_unpublished_day(today):
        periods[0] = periods[0].previous()
    while len(periods) < count:
        periods.append(periods[-1].previous())
    return periods


def month_range_filter(prefix: str, container=None, *, months: int = 12) -> tuple[date, date]:
    """Two month pickers (first and last month, both over): (first day, last day) of the range."""
    container = container or st
    choices = [p.start for p in finished_periods(PeriodKind.MONTH.value, paris_today(), 48)]
    label = {m.isoformat(): period_of(PeriodKind.MONTH.value, m).label for m in choices}
    keys = list(label)
    a, b = container.columns(2)
    first = a.selectbox(
        "Du mois", keys, index=min(months, len(keys)) - 1, format_func=label.get, key=f"{prefix}_month_from"
    )
    last = b.selectbox("Au mois", keys, index=0, format_func=label.get, key=f"{prefix}_month_to")
    start, end = sorted((date.fromisoformat(first), date.fromisoformat(last)))
    return start, period_of(PeriodKind.MONTH.value, end).end - timedelta(days=1)


def period_filter(prefix: str, *, default_kind: str = PeriodKind.MONTH.value, funder: bool = False) -> Period:
    """Kind of period, then which one (or two dates for a custom period).

    `funder`: whole months that are over only (services.indicators.disclosure_policy): months, quarters, years and
    custom ranges of months, never a week or the period in progress."""
    today = paris_today()
    kinds = PeriodKind.labels()
    if funder:
        kinds.pop(PeriodKind.WEEK.value)
    a, b = st.columns([1, 2])
    kind = a.selectbox(
        "Période",
        list(kinds),
        index=list(kinds).index(default_kind),
        format_func=kinds.get,
        key=f"{prefix}_period_kind",
    )
    if kind == PeriodKind.CUSTOM.value and funder:
        start, last = month_range_filter(prefix, b, months=3)
        return period_of(kind, today, start=start, end=last)
    if kind == PeriodKind.CUSTOM.value:
        c, d = b.columns(2)
        start = c.date_input(
            "Du", value=today.replace(day=1), format="DD/MM/YYYY", key=f"{prefix}_period_start", max_value=today
        )
        end = d.date_input("Au", value=today, format="DD/MM/YYYY", key=f"{prefix}_period_end", max_value=today)
        if end < start:
            st.warning("La date de fin précède la date de début : elles ont été interverties.")
            start, end = end, start
        return period_of(kind, today, start=start, end=end)
    if funder:
        periods = {p.start.isoformat(): p for p in finished_periods(kind, today, CHOICES[kind])}
        chosen = b.selectbox(
            "Laquelle", list(periods), key=f"{prefix}_period_{kind}", index=0, format_func=lambda k: periods[k].label
        )
        return periods[chosen]
    periods = {p.start.isoformat(): p for p in recent_periods(kind, today, CHOICES[kind])}
    chosen = b.selectbox(
        "Laquelle",
        list(periods),
        key=f"{prefix}_period_{kind}",
        index=1,
        format_func=lambda k: periods[k].label + (" (en cours)" if periods[k].end > today else ""),
    )
    return periods[chosen]


def scope_filter(prefix: str, actor: Actor) -> Scope:
    """Région, département, overseas only; a funder limited to a territory sees it fixed."""
    if actor.departement_code:
        st.caption(
            f"Territoire de votre compte : {indicator_scope_label(Scope(departement_code=actor.departement_code))}"
        )
        return Scope(departement_code=actor.departement_code)
    a, b, c = st.columns([2, 2, 1])
    if actor.region_code:
        region = actor.region_code
        a.caption(f"Territoire de votre compte : {indicator_scope_label(Scope(region_code=region))}")
    else:
        region = filter_select(
            a,
            "Région",
            dict((code, name) for code, name in region_options()),
            all_label="Toutes les régions",
            key=f"{prefix}_region",
        )
    departements = {o.code: o.label for o in departement_options() if region is None or o.region_code == region}
    departement = filter_select(
        b, "Département", departements, all_label="Tous les départements", key=f"{prefix}_departement"
    )
    overseas = c.checkbox("Outre-mer seulement", key=f"{prefix}_overseas")
    return Scope(region_code=region, departement_code=departement, overseas_only=overseas)


def period_caption(view_period: Period, scope: Scope) -> str:
    last = view_period.end - timedelta(days=1)
    text = (
        f"{view_period.label.capitalize()} (du {fr_date(view_period.start)} au {fr_date(last)}) — "
        f"{indicator_scope_label(scope)} — comparé à : {view_period.previous().label}"
    )
    if view_period.end > paris_today():
        text += " — période en cours : les effectifs de stock sont lus aujourd'hui."
    return text


def tile(container, view: IndicatorView) -> None:
    """One indicator as a metric: value, change against the previous period, secondary figures."""
    info = view.info
    with container:
        if view.headline is None:
            st.metric(info.label, "—", help=info.definition)
            st.caption(view.note)
            return
        h = view.headline
        colour = "off" if h.change == "stable" or info.key in ("time_to_placement", "runaways") else "normal"
        st.metric(
            info.label,
            h.value.text,
            delta=h.change,
            delta_color=colour,
            delta_arrow="off" if h.change == "stable" else "auto",
            help=f"{info.title}. {info.definition} {territory_note(info.key, None)}",
        )
        lines = [f"{h.value.detail}"] if h.value.detail else []
        lines.append(f"avant : {h.previous.text}")
        lines += [f"{label} : {figure.text}" for label, figure in h.secondary]
        st.caption(" · ".join(lines))


def series_chart(points: list[SeriesPoint], *, title: str, percent: bool = False) -> alt.Chart:
    """The headline over the periods: bars (lines for shares); a period not published is a gap."""
    frame = pd.DataFrame(
        [
            {"periode": p.period.label, "ordre": i, "valeur": p.figure.value, "texte": p.figure.text}
            for i, p in enumerate(points)
        ]
    )
    if frame.empty:
        frame = pd.DataFrame({"periode": [], "ordre": [], "valeur": [], "texte": []})
    x = alt.X(
        "periode:N",
        sort=alt.EncodingSortField("ordre", op="min"),
        title=None,
        axis=alt.Axis(labelAngle=-30, labelLimit=120),
    )
    y = alt.Y("valeur:Q", title=title, axis=alt.Axis(format="%" if percent else "d"))
    tooltip = [alt.Tooltip("periode:N", title="Période"), alt.Tooltip("texte:N", title=title)]
    base = alt.Chart(frame).encode(x=x, tooltip=tooltip)
    marks = (
        base.mark_line(point=True, color=BAR_COLOR).encode(y=y)
        if percent
        else base.mark_bar(color=BAR_COLOR).encode(y=y)
    )
    labels = (
        base.mark_text(dy=-6, fontSize=11, color="#333")
        .encode(y=alt.Y("valeur_label:Q"), text="texte:N")
        .transform_calculate(valeur_label="isValid(datum.valeur) ? datum.valeur : 0")
    )
    return (marks + labels).properties(height=260).configure(locale=FRENCH_LOCALE)


def table_chart(table: Table) -> alt.Chart | None:
    """Horizontal bars of a breakdown (its chart column, or every column stacked for a crossed table);
    a cell not published has no bar (its text shows in the tooltip and the table)."""
    column = table.column_labels[table.chart_column] if table.column_labels else None
    if table.withheld or not table.cells or (table.units and table.units[table.chart_column] == "percent"):
        return None
    frame = table.long()
    if table.row_totals is None:  # measures or one column: one column only; a crossed table: stacked
        frame = frame[frame["colonne"] == column]
    if (frame["valeur"].fillna(0) > 0).sum() < 2:
        return None  # nothing worth a chart (everything small or hidden)
    order = list(table.row_labels)
    color = (
        alt.Color("colonne:N", title=None, legend=alt.Legend(orient="bottom"))
        if frame["colonne"].nunique() > 1
        else alt.value(BAR_COLOR)
    )
    base = alt.Chart(frame).encode(
        y=alt.Y("categorie:N", sort=order, title=None, axis=alt.Axis(labelLimit=260, labelOverlap=False)),
        tooltip=[
            alt.Tooltip("categorie:N", title=table.dimension),
            alt.Tooltip("colonne:N", title="Mesure"),
            alt.Tooltip("texte:N", title="Valeur"),
        ],
    )
    counts = not table.units or table.units[table.chart_column] == "count"
    x_axis = alt.Axis(format="d", tickMinStep=1) if counts else alt.Axis()
    bars = base.mark_bar().encode(x=alt.X("sum(valeur):Q", title=None, axis=x_axis), color=color)
    return bars.properties(height=alt.Step(22)).configure(locale=FRENCH_LOCALE)


def show_table(table: Table, *, key: str | None = None, legend: str | None = None, selectable: bool = False):
    """A breakdown as a table of French strings; returns the selected row's index when selectable."""
    st.markdown(f"**{table.title}**")
    if table.withheld:
        st.info(table.note)
        return None
    if not table.cells:
        st.caption("Aucune donnée pour cette période.")
        return None
    frame = table.display()
    options = dict(hide_index=True, width="stretch")
    selected = None
    if selectable and table.drill and key:
        event = st.dataframe(frame, key=key, on_select="rerun", selection_mode="single-row", **options)
        rows = event.selection.rows if event and event.selection else []
        if rows and rows[0] < len(table.row_keys):  # the totals row is not a category
            selected = rows[0]
    else:  # a plain table: a published table reads like print (and its text is on the page)
        st.table(frame.set_index(table.dimension))
    notes = [n for n in (table.note, legend if table.protected else None) if n]
    if notes:
        st.caption(" ".join(notes))
    return selected


MAP_MEASURES = {
    "active_structures": "Structures actives",
    "places": "Places (structures actives)",
    "conventions": "Conventions en vigueur",
    "covered": "Département couvert",
}
MAP_TOOLTIP = [
    ("active_structures", "Structures actives"),
    ("places", "Places"),
    ("conventions", "Conventions en vigueur"),
    ("covered_text", "Couvert"),
]


@st.cache_data(show_spinner=False, max_entries=32)
def coverage_map_spec(measure: str, rows: tuple) -> dict:
    """The map's spec for these counts (any change of a count changes `rows`, hence the cache key)."""
    from ui.directory import integer_legend
    from ui.maps import COVERED_TEXT, coverage_map_chart

    frame = pd.DataFrame(list(rows), columns=["code", "active_structures", "places", "conventions", "covered"])
    frame["covered_text"] = frame["covered"].map(COVERED_TEXT)
    spec = coverage_map_chart(
        frame, measure=measure, measure_label=MAP_MEASURES[measure], tooltip=MAP_TOOLTIP
    ).to_dict()
    return integer_legend(spec)


def coverage_map(prefix: str, rows: list[dict]) -> None:
    """The coverage map of the départements in the scope (the others grey), with a measure to colour by."""
    measure = st.radio(
        "Colorer selon", list(MAP_MEASURES), format_func=MAP_MEASURES.get, horizontal=True, key=f"{prefix}_map_measure"
    )
    values = tuple((r["code"], r["active_structures"], r["places"], r["conventions"], r["covered"]) for r in rows)
    st.vega_lite_chart(coverage_map_spec(measure, values), width="content", key=f"{prefix}_map")
    uncovered = sorted(r["code"] for r in rows if not r["covered"])
    names = {o.code: o.name for o in departement_options()}
    st.caption(
        f"Départements non couverts ({len(uncovered)}, en orange sur la carte) : "
        + (", ".join(f"{code} {names.get(code, '')}" for code in uncovered) or "aucun")
    )


def records_frame(page) -> pd.DataFrame:
    return pd.DataFrame(list(page.rows), columns=list(page.columns))
