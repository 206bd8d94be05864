"""An attacker with a funder's account, and only the service functions the funder's pages call.

For small generated networks, every funder-visible figure about children or signalements is asked
for every period a funder may choose and every territory, and the test fails if any answer pins an
attribute (requester, département, form, age band, sex, category, gravity, recipient…) on fewer
children or signalements than the threshold. The two attacks once found by hand are plain
regression tests at the top. The rules are in services/indicators/disclosure_policy.py.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.formatting import PARIS
from models.user import Role
from services.indicators.catalogue import indicator_list, indicator_overview, indicator_series, indicator_view
from services.indicators.disclosure import Mark
from services.indicators.disclosure_policy import PeriodRefused
from services.path import indicators as path
from services.periods import Period, Scope, period_of
from services.signalements.indicators import signalement_indicator_counts, signalement_indicators
from tests.conftest import _empty_tables
from tests.factories import as_system, make_placed, make_request, make_signalement, make_structure, make_user

THRESHOLD = 5
YEAR = 2025
MONTHS = [period_of("mois", date(YEAR, m, 1)) for m in (1, 2, 3)]
CHILD_KEYS = ("requests", "oriented", "placed", "signalements", "time_to_placement", "distance", "runaways")
PATH_GROUPS = ("requester_kind", "requester_departement", "exploitation_departement", "exploitation_form")
SIGNALEMENT_GROUPS = ("category", "severity", "region", "recipient")


def _noon(day: date) -> datetime:
    return datetime.combine(day, time(12), PARIS)


# --- what the attacker may conclude ---------------------------------------------------------------


def _shown_zero(cell) -> bool:
    return cell == 0 and not isinstance(cell, Mark)


def _pinned_lines(cells: list[list]) -> list[str]:
    """Lines (rows, then columns) of a published table whose non-zero counts are all suppressed while
    some other cell shows 0: the zeros tell that every record of the line falls in the few suppressed
    categories (with one suppressed cell, that they all share its category)."""
    pinned = []
    lines = [("ligne", i, row) for i, row in enumerate(cells)]
    if cells and len(cells[0]) > 1:
        lines += [("colonne", j, [row[j] for row in cells]) for j in range(len(cells[0]))]
    for kind, index, line in lines:
        open_cells = [c for c in line if not _shown_zero(c)]
        if len(open_cells) < len(line) and open_cells and all(isinstance(c, Mark) for c in open_cells):
            pinned.append(f"{kind} {index}")
    return pinned


def _check_table(where: str, cells: list[list], population: int, withheld: bool) -> None:
    if withheld:
        return
    assert population == 0 or population >= THRESHOLD, f"{where}: breakdown of {population} published"
    assert not _pinned_lines(cells), f"{where}: {_pinned_lines(cells)} pin an attribute"


# --- the attacks found by hand ---------------------------------------------------------------------


@pytest.fixture
def one_child_in_guyane(db):
    """One child placed in Guyane (973) on 14 January 2025, asked for by the gendarmerie of the 94;
    one signalement in the only Guyane structure that month."""
    coordinator = make_user(Role.COORDINATION)
    cayenne = make_structure(name="Cayenne", departement_code="973", commune="Cayenne")
    make_placed(
        cayenne.id,
        coordinator,
        arrival_date=date(YEAR, 1, 14),
        child_age=14,
        sex="M",
        requester_kind="gendarmerie",
        requester_departement_code="94",
        exploitation_departement_code="973",
        exploitation_forms=["delits"],
    )
    partner = as_system(make_user(Role.PARTENAIRE, structure_id=cayenne.id))
    make_signalement(partner, now=_noon(date(YEAR, 1, 20)), category="sante", severity="danger_immediat")
    return coordinator


def test_a_one_day_period_is_refused_to_a_funder(one_child_in_guyane):
    funder = make_user(Role.FINANCEUR)
    day = period_of("personnalisee", date(YEAR, 1, 14), start=date(YEAR, 1, 14), end=date(YEAR, 1, 14))
    for call in (indicator_overview, indicator_view, indicator_series):
        kwargs = {} if call is indicator_overview else {"key": "placed"}
        with pytest.raises(PeriodRefused):
            call(actor=funder, period=day, scope=Scope(departement_code="973"), **kwargs)
    with pytest.raises(PeriodRefused):
        indicator_view(actor=funder, key="placed", period=period_of("semaine", date(YEAR, 1, 14)))
    with pytest.raises(PeriodRefused):
        path.path_indicator_counts(
            actor=funder, measure="placed", group_by="requester_kind", start=date(YEAR, 1, 14), end=date(YEAR, 1, 14)
        )
    with pytest.raises(PeriodRefused):
        signalement_indicator_counts(actor=funder, by="category", start=date(YEAR, 1, 20), end=date(YEAR, 1, 20))


def test_a_month_with_one_placement_gives_no_profile_of_the_child(one_child_in_guyane):
    funder = make_user(Role.FINANCEUR)
    january = MONTHS[0]
    for scope in (Scope(departement_code="973"), Scope(region_code="03"), Scope(overseas_only=True), Scope()):
        for key in ("requests", "oriented", "placed"):
            view = indicator_view(actor=funder, key=key, period=january, scope=scope)
            assert view.headline.value.text == "< 5"
            assert view.tables and all(t.withheld and not t.cells for t in view.tables), (key, scope)
            assert "Répartition non publiée" in view.tables[0].note
        signalements = indicator_view(actor=funder, key="signalements", period=january, scope=scope)
        assert all(t.withheld for t in signalements.tables)
    for group in PATH_GROUPS:
        table = path.path_indicator_counts(
            actor=funder, measure="placed", group_by=group, start=january.start, end=january.end - timedelta(days=1)
        )
        assert table.rows == [] and table.withheld, group
    for by in SIGNALEMENT_GROUPS:
        assert (
            signalement_indicator_counts(actor=funder, by=by, start=january.start, end=january.end - timedelta(days=1))
            == []
        )
    # The coordination still reads the exact profile.
    exact = indicator_view(actor=one_child_in_guyane, key="placed", period=january, scope=Scope(departement_code="973"))
    assert {t.key: t.row_labels for t in exact.tables}["requester_kind"] == ("Gendarmerie nationale",)


# --- the exhaustive attack on generated networks --------------------------------------------------

DEPARTEMENTS = ("973", "976", "2A", "35", "13")  # Guyane, Mayotte, Corse-du-Sud, Ille-et-Vilaine, Bouches-du-Rhône
child = st.fixed_dictionaries(
    {
        "month": st.sampled_from(range(3)),
        "day": st.integers(1, 27),
        "home": st.sampled_from(range(len(DEPARTEMENTS))),
        "placed": st.booleans(),
        "age": st.integers(11, 17),
        "sex": st.sampled_from("FMX"),
        "requester": st.sampled_from(["police", "gendarmerie", "ase_crip", "association"]),
        "requester_departement": st.sampled_from(["94", "93", "13", "973"]),
        "exploitation_departement": st.sampled_from(["93", "13", "973", "2A"]),
        "forms": st.lists(
            st.sampled_from(["sexuelle", "travail", "delits", "mendicite"]), min_size=1, max_size=2, unique=True
        ),
    }
)
signalement = st.fixed_dictionaries(
    {
        "month": st.sampled_from(range(3)),
        "day": st.integers(1, 27),
        "home": st.sampled_from(range(len(DEPARTEMENTS))),
        "category": st.sampled_from(["fugue", "approche", "sante"]),
        "severity": st.sampled_from(["danger_immediat", "preoccupant", "information"]),
    }
)
ATTACK = settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _build(children: list[dict], signalements: list[dict]):
    coordinator = make_user(Role.COORDINATION)
    homes = [
        make_structure(
            name=f"Structure {code}",
            departement_code=code,
            sexes=["F", "M", "X"],
            age_min=10,
            exploitation_forms=["sexuelle", "travail", "delits", "mendicite"],
        )
        for code in DEPARTEMENTS
    ]
    for c in children:
        day = date(YEAR, c["month"] + 1, c["day"])
        values = dict(
            child_age=c["age"],
            sex=c["sex"],
            requester_kind=c["requester"],
            requester_departement_code=c["requester_departement"],
            exploitation_departement_code=c["exploitation_departement"],
            exploitation_forms=c["forms"],
        )
        if c["placed"]:
            make_placed(homes[c["home"]].id, coordinator, arrival_date=day, **values)
        else:
            make_request(coordinator, received_at=_noon(day), **values)
    for s in signalements:
        partner = as_system(make_user(Role.PARTENAIRE, structure_id=homes[s["home"]].id))
        make_signalement(
            partner, now=_noon(date(YEAR, s["month"] + 1, s["day"])), category=s["category"], severity=s["severity"]
        )
    return coordinator


def _funder_periods() -> list[Period]:
    """Every period a funder may choose that touches the generated months."""
    periods = list(MONTHS)
    periods.append(period_of("trimestre", date(YEAR, 1, 1)))
    periods.append(period_of("annee", date(YEAR, 1, 1)))
    periods.append(
        period_of("personnalisee", MONTHS[0].start, start=MONTHS[0].start, end=MONTHS[1].end - timedelta(days=1))
    )
    return periods


# National, overseas only, a région with one département of each kind, and single départements.
SCOPES = [
    Scope(),
    Scope(overseas_only=True),
    Scope(region_code="03"),
    Scope(region_code="94"),
    Scope(region_code="93"),
    Scope(departement_code="976"),
    Scope(departement_code="35"),
]


def _attack_catalogue(funder, coordinator) -> int:
    """Every child or signalement indicator, period and territory through the catalogue (the funder's
    page, its downloads and the protected annual report all read it); returns how many tables were read."""
    read = 0
    keys = tuple(info.key for info in indicator_list(actor=funder) if info.key in CHILD_KEYS)
    for period in _funder_periods():
        for scope in SCOPES:
            exact = {
                v.info.key: v for v in indicator_overview(actor=coordinator, period=period, scope=scope, keys=keys)
            }
            for key in ("requests", "oriented", "placed", "signalements"):
                published = indicator_view(actor=funder, key=key, period=period, scope=scope)
                population = int(exact[key].headline.value.value or 0)
                info = published.info
                for table in published.tables:
                    where = f"{info.key} {table.key} {period.label} {scope}"
                    _check_table(where, [list(r) for r in table.cells], population, table.withheld)
                    read += 1
    return read


def _attack_pages(funder, coordinator) -> int:
    """The path and signalement pages' own services, for every range of whole months."""
    read = 0
    for period in _funder_periods():
        start, end = period.start, period.end - timedelta(days=1)
        for measure in ("requests", "oriented", "placed"):
            total = path.path_indicator_counts(
                actor=coordinator, measure=measure, group_by="requester_kind", start=start, end=end
            ).total
            for group in PATH_GROUPS:
                table = path.path_indicator_counts(actor=funder, measure=measure, group_by=group, start=start, end=end)
                _check_table(
                    f"parcours {measure} {group} {period.label}",
                    [[r.count if r.count is not None else Mark.SMALL] for r in table.rows],
                    total,
                    bool(table.withheld),
                )
                read += 1
        total = signalement_indicators(actor=coordinator, start=start, end=end).total
        for by in SIGNALEMENT_GROUPS:
            rows = signalement_indicator_counts(actor=funder, by=by, start=start, end=end)
            _check_table(
                f"signalements {by} {period.label}",
                [[r.count if r.count is not None else Mark.SMALL] for r in rows],
                total,
                not rows,
            )
            read += 1
    return read


@pytest.mark.slow
@ATTACK
@given(children=st.lists(child, max_size=9), signalements=st.lists(signalement, max_size=7))
def test_no_funder_view_pins_an_attribute_on_a_few_children(db, children, signalements):
    _empty_tables()
    coordinator = _build(children, signalements)
    funder = make_user(Role.FINANCEUR)
    assert _attack_catalogue(funder, coordinator) > 0
    assert _attack_pages(funder, coordinator) > 0


@ATTACK
@given(start=st.dates(date(2024, 1, 1), date(2026, 6, 30)), length=st.integers(0, 120))
def test_no_period_other_than_whole_months_that_are_over_reaches_a_funder(db, start, length):
    end = start + timedelta(days=length)
    funder = make_user(Role.FINANCEUR)
    whole = start.day == 1 and (end + timedelta(days=1)).day == 1
    calls = [
        lambda: indicator_view(
            actor=funder, key="placed", period=period_of("personnalisee", start, start=start, end=end)
        ),
        lambda: path.path_summary(actor=funder, start=start, end=end),
        lambda: signalement_indicators(actor=funder, start=start, end=end),
    ]
    for call in calls:
        if whole:
            call()
        else:
            with pytest.raises(PeriodRefused):
                call()
