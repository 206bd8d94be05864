"""A partner attacks the weekly network figures: no view may give away one or two other structures' figures.

Small networks are generated (a few structures in one to three régions, random weekly figures,
some reports not counted). A partner then reads every network view: the whole network and every
région, week by week and month by month. The test fails if a published figure, or what the
partner can derive from them (the network minus the published régions minus its own figures), is
a sum of fewer than 3 other structures or one where a single other structure holds over 85 %, or
if a week not yet locked (whose total late reports would still change) is published.
The oracle below is written independently of services.weekly.contributors.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.access import Actor
from core.db import engine
from models.user import Role
from models.weekly import WeeklyReport, WeeklyValue
from services.weekly import series as weekly_series
from services.weekly.schedule import deadline_rule
from services.weekly.totals import weekly_totals_refresh
from tests.conftest import _empty_tables
from tests.factories import make_structure, make_weekly_elements

NOW = datetime(2025, 4, 2, 10, 0, tzinfo=UTC)
WINDOW = 10  # Mondays 27/01/2025 to 31/03/2025
DATA_WEEKS = [date(2025, 1, 27), date(2025, 2, 3), date(2025, 2, 10), date(2025, 2, 17), date(2025, 3, 24)]
# One département per région used: Bretagne, Auvergne-Rhône-Alpes, Corse; Guyane stays empty.
DEPARTEMENTS = {"35": "53", "69": "84", "2A": "94"}
EMPTY_REGION = "03"
ELEMENTS = ("enfants_presents", "arrivees")  # a stock (last week of the month) and a flow (summed)
COUNTED = ("envoye", "valide")


@dataclass(frozen=True)
class Figure:
    structure: int  # index in the generated network
    week: date
    element: str
    value: int
    status: str


structure_regions = st.lists(st.sampled_from(sorted(DEPARTEMENTS)), min_size=2, max_size=7)


@st.composite
def networks(draw):
    departements = draw(structure_regions)
    figures = []
    for index in range(len(departements)):
        for week in DATA_WEEKS:
            status = draw(st.sampled_from(["envoye", "valide", "envoye", "brouillon", None]))
            if status is None:
                continue
            for element in ELEMENTS:
                value = draw(st.one_of(st.integers(0, 9), st.integers(10, 60), st.none()))
                if value is not None:
                    figures.append(Figure(index, week, element, value, status))
    partner = draw(st.integers(0, len(departements) - 1))
    return departements, figures, partner


def _load(departements: list[str], figures: list[Figure]) -> list[int]:
    _empty_tables()
    elements = {code: e.id for code, e in make_weekly_elements().items()}
    ids = [make_structure(name=f"S{i}", departement_code=d, capacity=60).id for i, d in enumerate(departements)]
    stamp = datetime(2025, 1, 1, tzinfo=UTC)
    reports = {}
    for f in figures:
        reports.setdefault((f.structure, f.week), f.status)
    with engine().begin() as connection:
        report_ids = {}
        for (structure, week), status in sorted(reports.items()):
            sent = status != "brouillon"
            report_ids[(structure, week)] = connection.execute(
                sa.insert(WeeklyReport.__table__).values(
                    version=1,
                    structure_id=ids[structure],
                    week_start=week,
                    status=status,
                    first_submitted_at=stamp if sent else None,
                    submitted_at=stamp if sent else None,
                    submitted_late=False if sent else None,
                    unlocked=False,
                    updated_by="test",
                    created_at=stamp,
                    updated_at=stamp,
                )
            ).inserted_primary_key[0]
        connection.execute(
            sa.insert(WeeklyValue.__table__),
            [
                {
                    "report_id": report_ids[(f.structure, f.week)],
                    "element_id": elements[f.element],
                    "value": f.value,
                    "comment": None,
                }
                for f in figures
            ],
        )
        weekly_totals_refresh(connection)
    return ids


def _safe(values: list[int]) -> bool:
    """The oracle: no figure of other structures, or at least 3 of them and none above 85 % of their sum."""
    return not values or (len(values) >= 3 and max(values) <= 0.85 * sum(values))


def _series(frame, element):
    rows = frame[frame.code == element]
    return {row.week_start: (row.value, row.withheld) for row in rows.itertuples()}


@pytest.mark.slow
@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(network=networks())
def test_no_network_view_gives_away_one_or_two_other_structures(db, network):
    departements, figures, partner_index = network
    ids = _load(departements, figures)
    partner = Actor(
        user_id=None,
        username="partenaire",
        display_name="Partenaire",
        role=Role.PARTENAIRE.value,
        structure_id=ids[partner_index],
    )
    regions = sorted(set(DEPARTEMENTS.values())) + [EMPTY_REGION]
    views = {None: None, **{r: r for r in regions}}
    weekly = {
        v: weekly_series.weekly_series_network(actor=partner, weeks=WINDOW, region_code=v, now=NOW) for v in views
    }
    settled = {w for w in DATA_WEEKS if deadline_rule().lock_at(w) <= NOW}

    def counted(week, element, region=None):
        """{structure index: value} of the counted figures of a week, in one région or the whole network."""
        return {
            f.structure: f.value
            for f in figures
            if f.week == week
            and f.element == element
            and f.status in COUNTED
            and (region is None or DEPARTEMENTS[departements[f.structure]] == region)
        }

    for element in ELEMENTS:
        series = {v: _series(frame, element) for v, frame in weekly.items()}
        for week in DATA_WEEKS:
            published = {}
            for view in views:
                value, withheld = series[view][week]
                figures_here = counted(week, element, view)
                if math.isnan(value):
                    assert figures_here == {} or withheld, (view, week, element)
                    continue
                assert withheld == "" and value == sum(figures_here.values()), (view, week, element)
                assert week in settled, ("a week still open to changes", view, week)
                others = [v for s, v in figures_here.items() if s != partner_index]
                assert _safe(others), ("published", view, week, element, figures_here, partner_index)
                published[view] = figures_here
            if None in published:  # the network minus the published régions is known too
                rest = {
                    s: v
                    for s, v in counted(week, element).items()
                    if s != partner_index and not any(s in published[r] for r in regions if r in published)
                }
                assert _safe(list(rest.values())), ("difference", week, element, published.keys(), rest)

        for view, frame in weekly.items():  # a published month only sums up published weeks
            monthly = weekly_series.weekly_series_by_month(frame[frame.code == element])
            for row in monthly.itertuples():
                weeks_of_month = [
                    w for w, (v, _) in series[view].items() if (w + timedelta(days=3)).month == row.week_start.month
                ]
                if not math.isnan(row.value):
                    assert all(series[view][w][1] == "" for w in weeks_of_month), (view, row.week_start)
    assert settled and settled != set(DATA_WEEKS)  # both kinds of weeks are generated


def test_the_generated_networks_include_withheld_and_published_views(db):
    """The attack above is not vacuous: a network where the partner sees some régions and not others."""
    figures = [Figure(s, DATA_WEEKS[0], "arrivees", 5, "envoye") for s in range(5)]
    ids = _load(["35", "69", "69", "69", "2A"], figures)
    partner = Actor(user_id=None, username="p", display_name="P", role=Role.PARTENAIRE.value, structure_id=ids[0])
    network = _series(weekly_series.weekly_series_network(actor=partner, weeks=WINDOW, now=NOW), "arrivees")
    corse = _series(
        weekly_series.weekly_series_network(actor=partner, weeks=WINDOW, region_code="94", now=NOW), "arrivees"
    )
    assert network[DATA_WEEKS[0]][0] == 25 and math.isnan(corse[DATA_WEEKS[0]][0])
