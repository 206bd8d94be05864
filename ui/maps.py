"""Choropleth maps of the départements (Altair / Vega-Lite)."""

from __future__ import annotations

import datetime
import json

import altair as alt
import numpy as np
import pandas as pd

from core.geo import (
    PARIS_INSET,
    TOPOJSON_OBJECT,
    departement_features,
    departement_topology,
    iter_rings,
)
from services.directory.reference_data import DEPARTEMENTS

MAP_WIDTH = 600
MAP_HEIGHT = 560
NO_DATA_COLOR = "#d9d9d9"
BORDER_COLOR = "#ffffff"
COLOR_SCHEME = "blues"
UNCOVERED_COLOR = "#f4a261"  # « non couvert »: orange, apart from the blues of the covered
COVERED_COLOR = "#3182bd"  # « couvert », when the map is coloured by coverage itself
COVERED_TEXT = {1: "oui", 0: "non"}  # how a coverage flag reads to a person
UNCOVERED_COLUMN = "covered"
OVERSEAS_CODES = ("971", "972", "973", "974", "976")

NO_DATA_TEXT = "Aucune donnée"
MISSING_TEXT = "non renseigné"
PARIS_INSET_TITLE = "Paris et petite couronne"
DEPARTEMENT_TITLE = "Département"

# Internal field names: the caller's column names may hold characters that
# Vega-Lite reads as nested access (dots, brackets).
_CODE = "code"
_NAME = "departement_nom"
_MEASURE = "mesure"
_STATUS = "statut"
_COVERED = "couvert"
_COVERED_TEXT = "couvert_texte"

FRENCH_LOCALE = {
    "number": {
        "decimal": ",",
        "thousands": "\u00a0",
        "grouping": [3],
        "currency": ["", "\u00a0€"],
        "percent": "\u202f%",
    },
    "time": {
        "dateTime": "%A %e %B %Y à %X",
        "date": "%d/%m/%Y",
        "time": "%H:%M:%S",
        "periods": ["AM", "PM"],
        "days": ["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"],
        "shortDays": ["dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."],
        "months": [
            "janvier",
            "février",
            "mars",
            "avril",
            "mai",
            "juin",
            "juillet",
            "août",
            "septembre",
            "octobre",
            "novembre",
            "décembre",
        ],
        "shortMonths": [
            "janv.",
            "févr.",
            "mars",
            "avr.",
            "mai",
            "juin",
            "juil.",
            "août",
            "sept.",
            "oct.",
            "nov.",
            "déc.",
        ],
    },
}


def _display_names() -> pd.DataFrame:
    return pd.DataFrame(
        {
            _CODE: [d.code for d in DEPARTEMENTS],
            _NAME: [f"{d.name} ({d.code})" for d in DEPARTEMENTS],
        }
    )


def french_text(value: object) -> str:
    r"""Format one tooltip value for French readers.

    >>> french_text(1234567), french_text(12.5), french_text(True), french_text(None)
    ('1\xa0234\xa0567', '12,5', 'oui', 'non renseigné')
    """
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return MISSING_TEXT
    if isinstance(value, (bool, np.bool_)):
        return "oui" if value else "non"
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}".replace(",", "\u00a0")
    if isinstance(value, (float, np.floating)):
        if float(value).is_integer():
            return french_text(int(value))
        text = f"{float(value):,.2f}".rstrip("0").rstrip(".")
        return text.replace(",", "\u00a0").replace(".", ",")
    if isinstance(value, (datetime.date, pd.Timestamp)):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, np.datetime64):
        return french_text(pd.Timestamp(value))
    return str(value)


def _validated_codes(values: pd.DataFrame, measure: str, tooltip: list[tuple[str, str]]) -> pd.Series:
    needed = [_CODE, measure, *(column for column, _ in tooltip)]
    missing = [column for column in needed if column not in values.columns]
    if missing:
        raise ValueError(f"Missing columns in map values: {missing}")
    series = values[measure]
    if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        raise ValueError(f"Measure column {measure!r} must be numeric")
    codes = values[_CODE].astype(str)
    unknown = sorted(set(codes) - {d.code for d in DEPARTEMENTS})
    if unknown:
        raise ValueError(f"Unknown département codes: {unknown}")
    duplicated = sorted(set(codes[codes.duplicated()]))
    if duplicated:
        raise ValueError(f"Several rows for département codes: {duplicated}")
    return codes


def _map_data() -> alt.InlineData:
    # The map as TopoJSON: shared borders are stored once, which keeps the
    # spec small. Streamlit keeps TopoJSON values in the spec as geometry
    # instead of converting them to a table.
    return alt.InlineData(
        values=departement_topology(),
        format=alt.DataFormat(type="topojson", feature=TOPOJSON_OBJECT),
    )


def _paris_inset_label() -> pd.DataFrame:
    """Where to write the title of the Paris inset: centred above it."""
    inset = [f for f in departement_features() if f["properties"]["inset"] == PARIS_INSET]
    points = [point for ring in iter_rings(inset) for point in ring]
    xs = [x for x, _ in points]
    top = max(y for _, y in points)
    return pd.DataFrame({"x": [(min(xs) + max(xs)) / 2], "y": [top + 12], "label": [PARIS_INSET_TITLE]})


def _overseas_labels() -> pd.DataFrame:
    """Where to write the name of each overseas département: centred above its inset."""
    names = {d.code: d.name for d in DEPARTEMENTS}
    rows = []
    for code in OVERSEAS_CODES:
        features = [
            f for f in departement_features() if f["properties"]["code"] == code and not f["properties"]["inset"]
        ]
        points = [point for ring in iter_rings(features) for point in ring]
        if not points:
            continue
        xs = [x for x, _ in points]
        rows.append({"x": (min(xs) + max(xs)) / 2, "y": max(y for _, y in points) + 4, "label": names.get(code, code)})
    return pd.DataFrame(rows, columns=["x", "y", "label"])


def coverage_map_chart(
    values: pd.DataFrame,
    *,
    measure: str,
    measure_label: str,
    tooltip: list[tuple[str, str]],
) -> alt.LayerChart:
    """Map of the départements coloured by ``values[measure]``.

    ``values`` holds one row per département: its INSEE code in column
    ``code`` ("01" … "95", "2A", "2B", "971" … "976"), the numeric ``measure``
    and the columns named in ``tooltip``, a list of ``(column, French label)``
    pairs shown under the département name when hovering. Départements
    without a row, or whose measure is missing, are drawn in grey.

    When ``values`` has a ``covered`` column (1 or 0), the départements not
    covered are drawn in orange, apart from the colour scale; coloured by
    ``covered`` itself, the legend reads « oui » / « non ».

    Paris and the petite couronne are also drawn enlarged in an inset, and the
    overseas départements in labelled insets beside metropolitan France. The chart is
    configured (French number and date formats), ready for ``st.altair_chart``.
    """
    codes = _validated_codes(values, measure, tooltip)

    given = pd.DataFrame({_CODE: codes.to_numpy(), _MEASURE: values[measure].to_numpy()})
    has_coverage = UNCOVERED_COLUMN in values.columns
    given[_COVERED] = values[UNCOVERED_COLUMN].astype(int).to_numpy() if has_coverage else 1
    tooltip_encodings = [alt.Tooltip(f"{_NAME}:N", title=DEPARTEMENT_TITLE)]
    for index, (column, label) in enumerate(tooltip):
        field = f"champ_{index}"
        given[field] = [french_text(v) for v in values[column].astype(object)]
        tooltip_encodings.append(alt.Tooltip(f"{field}:N", title=label))
    by_coverage = has_coverage and measure == UNCOVERED_COLUMN
    if by_coverage:
        given[_COVERED_TEXT] = [COVERED_TEXT[v] for v in given[_COVERED]]
    # One row per département, so that both layers look up the same table.
    table = _display_names().merge(given, on=_CODE, how="left")
    lookup_data = alt.LookupData(data=table, key=_CODE, fields=[c for c in table.columns if c != _CODE])

    base = (
        alt.Chart()
        .transform_lookup(lookup=f"properties.{_CODE}", from_=lookup_data)
        .transform_calculate(**{_STATUS: json.dumps(NO_DATA_TEXT, ensure_ascii=False)})
        .mark_geoshape(fill=NO_DATA_COLOR, stroke=BORDER_COLOR, strokeWidth=0.5)
        .encode(
            tooltip=[
                alt.Tooltip(f"{_NAME}:N", title=DEPARTEMENT_TITLE),
                alt.Tooltip(f"{_STATUS}:N", title=measure_label),
            ]
        )
    )
    if by_coverage:
        # Coloured by coverage itself: two colours with a « oui / non » legend, not a 0 to 1 scale.
        colour = alt.Color(
            f"{_COVERED_TEXT}:N",
            title=measure_label,
            scale=alt.Scale(domain=["oui", "non"], range=[COVERED_COLOR, UNCOVERED_COLOR]),
            legend=alt.Legend(orient="bottom", direction="horizontal"),
        )
    else:
        colour = alt.Color(
            f"{_MEASURE}:Q",
            title=measure_label,
            scale=alt.Scale(scheme=COLOR_SCHEME),
            legend=alt.Legend(orient="bottom", direction="horizontal", gradientLength=240),
        )
    coloured = (
        alt.Chart()
        .transform_lookup(lookup=f"properties.{_CODE}", from_=lookup_data)
        .transform_filter(f"isValid(datum.{_MEASURE}) && isFinite(datum.{_MEASURE}) && datum.{_COVERED} != 0")
        .mark_geoshape(stroke=BORDER_COLOR, strokeWidth=0.5)
        .encode(color=colour, tooltip=tooltip_encodings)
    )
    uncovered = (
        alt.Chart()
        .transform_lookup(lookup=f"properties.{_CODE}", from_=lookup_data)
        .transform_filter(f"isValid(datum.{_COVERED}) && datum.{_COVERED} == 0")
        .mark_geoshape(fill=UNCOVERED_COLOR, stroke=BORDER_COLOR, strokeWidth=0.5)
        .encode(tooltip=tooltip_encodings)
    )
    inset_label = (
        alt.Chart(_paris_inset_label())
        .mark_text(fontSize=11, color="#555555", baseline="bottom")
        .encode(longitude="x:Q", latitude="y:Q", text="label:N")
    )
    overseas_labels = (
        alt.Chart(_overseas_labels())
        .mark_text(fontSize=9, color="#555555", baseline="bottom")
        .encode(longitude="x:Q", latitude="y:Q", text="label:N")
    )
    layers = [base, coloured, uncovered] if has_coverage else [base, coloured]
    return (
        alt.layer(*layers, inset_label, overseas_labels, data=_map_data())
        .project(type="identity", reflectY=True)
        .properties(width=MAP_WIDTH, height=MAP_HEIGHT)
        .configure(locale=FRENCH_LOCALE)
        .configure_view(stroke=None)
    )
