import math
from datetime import UTC, date, datetime, timedelta

import pytest

from core.access import SYSTEM
from core.errors import AccessDenied
from models.structure import NetworkStatus
from models.user import Role
from services.weekly import board as weekly_board
from services.weekly import reports as weekly
from services.weekly import schedule, series
from services.weekly.board import Cell
from services.weekly.contributors import WITHHELD_COMPLEMENT, WITHHELD_FEW, WITHHELD_MONTH, WITHHELD_UNSETTLED
from tests.factories import make_structure, make_user, make_weekly_elements, make_weekly_report

NOW = datetime(2025, 3, 5, 10, 0, tzinfo=UTC)  # Wednesday; last week (24/02) was due Tuesday 4/03 noon
WEEKS = [date(2025, 2, 3), date(2025, 2, 10), date(2025, 2, 17), date(2025, 2, 24), date(2025, 3, 3)]
BRETAGNE, ARA = "53", "84"
JOINED = date(2024, 1, 8)


def _on_time(week):
    return schedule.deadline_rule().deadline(week) - timedelta(days=1)


def _late(week):
    return schedule.deadline_rule().deadline(week) + timedelta(hours=20)


@pytest.fixture
def network(db):
    """A: all four past weeks, the last one late; B: one week of four; C joined last week, nothing sent;
    D still joining (not expected); E left on Wednesday 12/02 (expected the week of 3/02 only, sent none)."""
    make_weekly_elements()
    a = make_structure(name="A", departement_code="35", joined_on=JOINED).id
    b = make_structure(name="B", departement_code="69", email="b@exemple.fr", joined_on=JOINED).id
    c = make_structure(name="C", departement_code="35", joined_on=date(2025, 2, 26)).id
    make_structure(name="D", departement_code="35", status=NetworkStatus.JOINING.value)
    make_structure(
        name="E", departement_code="69", status=NetworkStatus.LEFT.value, joined_on=JOINED, left_on=date(2025, 2, 12)
    )
    for week in WEEKS[:3]:
        make_weekly_report(a, week, now=_on_time(week), enfants_presents=5 + WEEKS.index(week), places_disponibles=1)
    make_weekly_report(a, WEEKS[3], now=_late(WEEKS[3]), enfants_presents=8, places_disponibles=1)
    make_weekly_report(b, WEEKS[0], now=_on_time(WEEKS[0]), enfants_presents=3, places_disponibles=4)
    return a, b, c


def test_network_rates_count_expected_received_on_time(network):
    rates = weekly_board.weekly_board_network(actor=SYSTEM, weeks=5, now=NOW)
    assert (rates.expected, rates.received, rates.on_time, rates.missing) == (10, 5, 4, 5)
    assert rates.completeness == pytest.approx(5 / 10) and rates.timeliness == pytest.approx(4 / 10)
    bretagne = weekly_board.weekly_board_network(actor=SYSTEM, weeks=5, region_code=BRETAGNE, now=NOW)
    assert (bretagne.expected, bretagne.received, bretagne.on_time) == (5, 4, 3)


def test_overview_matches_network_and_regions(network):
    for region in (None, BRETAGNE, ARA, "11"):
        overview = weekly_board.weekly_board_overview(actor=SYSTEM, weeks=5, region_code=region, now=NOW)
        assert overview.network == weekly_board.weekly_board_network(actor=SYSTEM, weeks=5, region_code=region, now=NOW)
        assert overview.regions == weekly_board.weekly_board_regions(actor=SYSTEM, weeks=5, now=NOW)


def test_rates_per_region_and_structure(network):
    a, b, c = network
    regions = {r.key: r for r in weekly_board.weekly_board_regions(actor=SYSTEM, weeks=5, now=NOW)}
    assert (regions[BRETAGNE].expected, regions[BRETAGNE].received) == (5, 4)
    assert (regions[ARA].expected, regions[ARA].received) == (5, 1)
    page = weekly_board.weekly_board_structures(actor=SYSTEM, weeks=5, now=NOW, limit=2)
    assert page.total == 4  # D is not expected to report
    assert weekly_board.weekly_board_structure_count(actor=SYSTEM, weeks=5, now=NOW) == 4
    assert weekly_board.weekly_board_structure_count(actor=SYSTEM, weeks=5, region_code=ARA, now=NOW) == 2  # B, E
    assert [r.label for r in page.rows] == ["B", "C"]  # most missing first
    by_name = {r.label: r for r in weekly_board.weekly_board_structures(actor=SYSTEM, weeks=5, now=NOW).rows}
    assert (by_name["A"].expected, by_name["A"].received, by_name["A"].on_time) == (4, 4, 3)
    assert (by_name["C"].expected, by_name["C"].missing) == (1, 1)


def test_grid_cells(network):
    a, b, c = network
    window, cells = weekly_board.weekly_board_grid(actor=SYSTEM, structure_ids=[a, b, c], weeks=5, now=NOW)
    assert window == WEEKS
    grid = {(cell.structure_name, cell.week_start): cell.cell for cell in cells}
    assert [grid[("A", w)] for w in WEEKS] == [Cell.ON_TIME] * 3 + [Cell.LATE, Cell.PENDING]
    assert [grid[("B", w)] for w in WEEKS] == [Cell.ON_TIME] + [Cell.MISSING] * 3 + [Cell.PENDING]
    assert [grid[("C", w)] for w in WEEKS] == [Cell.NOT_EXPECTED] * 3 + [Cell.MISSING, Cell.PENDING]


def test_reminders_for_last_week_and_sent_back(network):
    a, b, c = network
    entry = weekly.weekly_entry_get(actor=SYSTEM, structure_id=a, week_start=WEEKS[2], now=NOW)
    weekly.weekly_send_back(
        actor=SYSTEM, structure_id=a, week_start=WEEKS[2], reason="Vérifier", expected_version=entry.version, now=NOW
    )
    reminders = weekly_board.weekly_board_reminders(actor=SYSTEM, now=NOW)
    assert reminders.week_start == WEEKS[3] and reminders.deadline_passed
    assert [(r.structure_name, r.missing_recent) for r in reminders.missing] == [("B", 7), ("C", 1)]
    assert reminders.missing[0].email == "b@exemple.fr"
    assert [r.structure_name for r in reminders.sent_back] == ["A"]
    assert weekly_board.weekly_missing_count(actor=SYSTEM, now=NOW) == (WEEKS[3], 2, True)


def test_series_show_missing_weeks_as_gaps_not_zeros(network):
    a, b, c = network
    frame = series.weekly_series_structure(actor=SYSTEM, structure_id=b, weeks=5, now=NOW)
    present = frame[frame.code == "enfants_presents"].set_index("week_start")["value"]
    assert present[WEEKS[0]] == 3 and all(math.isnan(present[w]) for w in WEEKS[1:])


def test_network_series_summed_in_sql(network):
    frame = series.weekly_series_network(actor=SYSTEM, weeks=5, now=NOW)
    present = frame[frame.code == "enfants_presents"].set_index("week_start")
    assert present.loc[WEEKS[0], "value"] == 5 + 3 and present.loc[WEEKS[0], "structures"] == 2
    assert present.loc[WEEKS[1], "value"] == 6 and present.loc[WEEKS[1], "structures"] == 1
    assert math.isnan(present.loc[WEEKS[4], "value"])
    ara = series.weekly_series_network(actor=SYSTEM, weeks=5, region_code=ARA, now=NOW)
    assert ara[ara.code == "enfants_presents"].set_index("week_start").loc[WEEKS[0], "value"] == 3


def test_monthly_rollup_follows_each_element_rule(network):
    a, _, _ = network
    frame = series.weekly_series_structure(actor=SYSTEM, structure_id=a, weeks=5, now=NOW)
    monthly = series.weekly_series_by_month(frame).set_index(["code", "week_start"])["value"]
    february = date(2025, 2, 1)
    assert monthly[("enfants_presents", february)] == 8  # stock: last week of the month
    assert monthly[("arrivees", february)] == 4  # flow: summed over four weeks
    assert monthly[("etp_educatifs", february)] == 7.5  # stock: average
    assert math.isnan(monthly[("arrivees", date(2025, 3, 1))])


@pytest.mark.parametrize("role", [Role.PARTENAIRE, Role.FINANCEUR])
def test_board_is_for_the_coordination(network, role):
    with pytest.raises(AccessDenied):
        weekly_board.weekly_board_network(actor=make_user(role), now=NOW)
    with pytest.raises(AccessDenied):
        weekly_board.weekly_board_reminders(actor=make_user(role), now=NOW)
    with pytest.raises(AccessDenied):
        weekly_board.weekly_board_structure_count(actor=make_user(role), now=NOW)
    with pytest.raises(AccessDenied):
        weekly_board.weekly_board_overview(actor=make_user(role), now=NOW)


def test_partner_charts_own_structure_and_network_only(network):
    a, b, _ = network
    partner = make_user(Role.PARTENAIRE, structure_id=a)
    assert not series.weekly_series_structure(actor=partner, structure_id=a, weeks=5, now=NOW).empty
    assert not series.weekly_series_network(actor=partner, weeks=5, now=NOW).empty
    with pytest.raises(AccessDenied):
        series.weekly_series_structure(actor=partner, structure_id=b, weeks=5, now=NOW)
    with pytest.raises(AccessDenied):
        series.weekly_series_network(actor=make_user(Role.FINANCEUR), weeks=5, now=NOW)


# --- what a partner may see of other structures' figures ------------------------------------------

CORSE = "94"
SETTLED = datetime(2025, 4, 2, 10, 0, tzinfo=UTC)  # the weeks of WEEKS[:3] are locked


@pytest.fixture
def lone_region(db):
    """Partner A in Bretagne; B, C, D in Auvergne-Rhône-Alpes; E alone in Corse. Three past weeks each."""
    make_weekly_elements()
    ids = {
        name: make_structure(name=name, departement_code=dep, joined_on=JOINED).id
        for name, dep in (("A", "35"), ("B", "69"), ("C", "01"), ("D", "38"), ("E", "2A"))
    }
    present = {"A": 6, "B": 4, "C": 5, "D": 3, "E": 7}
    for week in WEEKS[:3]:
        for name, structure in ids.items():
            make_weekly_report(
                structure,
                week,
                now=_on_time(week),
                places_disponibles=1,
                enfants_presents=present[name] + WEEKS.index(week) % 2,
            )
    return ids


def _present(frame):
    return frame[frame.code == "enfants_presents"].set_index("week_start")


def test_partner_does_not_get_a_lone_structure_through_its_region(lone_region):
    partner = make_user(Role.PARTENAIRE, structure_id=lone_region["A"])
    with pytest.raises(AccessDenied):
        series.weekly_series_structure(actor=partner, structure_id=lone_region["E"], weeks=9, now=SETTLED)
    corse = series.weekly_series_network(actor=partner, weeks=9, region_code=CORSE, now=SETTLED)
    assert corse["value"].isna().all() and (corse["structures"] == 0).all()
    assert set(corse.loc[corse.week_start.isin(WEEKS[:3]), "withheld"]) == {WITHHELD_FEW}
    exact = series.weekly_series_network(actor=SYSTEM, weeks=9, region_code=CORSE, now=SETTLED)
    assert _present(exact).loc[WEEKS[0], "value"] == 7  # the coordination keeps exact totals


def test_partner_cannot_get_a_lone_region_by_difference(lone_region):
    """Network minus the other régions minus its own figures would give E's: one more région is withheld."""
    partner = make_user(Role.PARTENAIRE, structure_id=lone_region["A"])
    network = _present(series.weekly_series_network(actor=partner, weeks=9, now=SETTLED))
    assert network.loc[WEEKS[0], "value"] == 6 + 4 + 5 + 3 + 7 and network.loc[WEEKS[0], "withheld"] == ""
    ara = _present(series.weekly_series_network(actor=partner, weeks=9, region_code=ARA, now=SETTLED))
    assert math.isnan(ara.loc[WEEKS[0], "value"]) and ara.loc[WEEKS[0], "withheld"] == WITHHELD_COMPLEMENT
    own = _present(series.weekly_series_network(actor=partner, weeks=9, region_code=BRETAGNE, now=SETTLED))
    assert own.loc[WEEKS[0], "value"] == 6  # only its own figures there


@pytest.fixture
def crowded_corse(lone_region):
    """As `lone_region`, with F and G beside E in Corse."""
    for name in "FG":
        structure = make_structure(name=name, departement_code="2B", joined_on=JOINED).id
        for week in WEEKS[:3]:
            make_weekly_report(structure, week, now=_on_time(week), enfants_presents=2, places_disponibles=1)
    return lone_region


def test_partner_sees_regions_of_three_other_structures(crowded_corse):
    """A sees every région; E sees ARA, whose complement (A, F, G) passes too."""
    lone_region = crowded_corse
    a = make_user(Role.PARTENAIRE, structure_id=lone_region["A"])
    ara = _present(series.weekly_series_network(actor=a, weeks=9, region_code=ARA, now=SETTLED))
    assert ara.loc[WEEKS[0], "value"] == 4 + 5 + 3 and ara.loc[WEEKS[0], "structures"] == 3
    corse = _present(series.weekly_series_network(actor=a, weeks=9, region_code=CORSE, now=SETTLED))
    assert corse.loc[WEEKS[1], "value"] == 8 + 2 + 2 and corse.loc[WEEKS[1], "withheld"] == ""
    e = make_user(Role.PARTENAIRE, structure_id=lone_region["E"])
    ara = _present(series.weekly_series_network(actor=e, weeks=9, region_code=ARA, now=SETTLED))
    assert ara.loc[WEEKS[0], "value"] == 4 + 5 + 3
    for region in (CORSE, BRETAGNE):  # two others beside E in Corse; A alone in Bretagne
        frame = _present(series.weekly_series_network(actor=e, weeks=9, region_code=region, now=SETTLED))
        assert math.isnan(frame.loc[WEEKS[0], "value"]) and frame.loc[WEEKS[0], "withheld"] == WITHHELD_FEW
    assert _present(series.weekly_series_network(actor=e, weeks=9, now=SETTLED)).loc[WEEKS[0], "value"] == 29


def test_own_figures_do_not_count_towards_the_three(lone_region):
    """Partner B sees A, C, D, E nationally but only C and D beside it in its région."""
    partner = make_user(Role.PARTENAIRE, structure_id=lone_region["B"])
    ara = _present(series.weekly_series_network(actor=partner, weeks=9, region_code=ARA, now=SETTLED))
    assert math.isnan(ara.loc[WEEKS[0], "value"]) and ara.loc[WEEKS[0], "withheld"] == WITHHELD_FEW
    assert not math.isnan(
        _present(series.weekly_series_network(actor=partner, weeks=9, now=SETTLED)).loc[WEEKS[0], "value"]
    )


def test_a_dominant_structure_withholds_the_total(db):
    """Three other structures, but one holds more than 85 % of the total; the reader's own largest figure
    does not hide that (the totals keep the second largest value)."""
    make_weekly_elements()
    mine, big, *small = (
        make_structure(name=n, departement_code="35", joined_on=JOINED, capacity=60).id for n in "ABCD"
    )
    for structure, value in ((mine, 60), (big, 50), (small[0], 2), (small[1], 2)):
        make_weekly_report(structure, WEEKS[0], now=_on_time(WEEKS[0]), enfants_presents=value, places_disponibles=0)
    partner = make_user(Role.PARTENAIRE, structure_id=mine)
    for region in (None, BRETAGNE):
        frame = _present(series.weekly_series_network(actor=partner, weeks=9, region_code=region, now=SETTLED))
        assert math.isnan(frame.loc[WEEKS[0], "value"]) and frame.loc[WEEKS[0], "withheld"] == WITHHELD_FEW
    other = make_user(Role.PARTENAIRE, structure_id=small[0])  # sees 60, 50 and 2: none above 85 %
    assert _present(series.weekly_series_network(actor=other, weeks=9, now=SETTLED)).loc[WEEKS[0], "value"] == 114


def test_a_month_with_a_withheld_week_is_withheld(crowded_corse):
    partner = make_user(Role.PARTENAIRE, structure_id=crowded_corse["A"])
    c = crowded_corse["C"]
    entry = weekly.weekly_entry_get(actor=SYSTEM, structure_id=c, week_start=WEEKS[1], now=NOW)
    weekly.weekly_send_back(
        actor=SYSTEM, structure_id=c, week_start=WEEKS[1], reason="Vérifier", expected_version=entry.version, now=NOW
    )  # that week, only B and D in ARA
    frame = series.weekly_series_network(actor=partner, weeks=9, region_code=ARA, now=SETTLED)
    weekly_rows = frame[frame.code == "arrivees"].set_index("week_start")
    assert weekly_rows.loc[WEEKS[0], "value"] == 3 and weekly_rows.loc[WEEKS[1], "withheld"] == WITHHELD_FEW
    monthly = series.weekly_series_by_month(frame).set_index(["code", "week_start"])
    february = monthly.loc[("arrivees", date(2025, 2, 1))]
    assert math.isnan(february["value"]) and february["withheld"] == WITHHELD_MONTH
    exact = series.weekly_series_by_month(
        series.weekly_series_network(actor=SYSTEM, weeks=9, region_code=ARA, now=SETTLED)
    )
    assert exact.set_index(["code", "week_start"]).loc[("arrivees", date(2025, 2, 1)), "value"] == 8


def test_the_readers_own_largest_figure_does_not_withhold_a_balanced_total(db):
    make_weekly_elements()
    mine, *others = (make_structure(name=n, departement_code="35", joined_on=JOINED, capacity=60).id for n in "ABCD")
    for structure, value in ((mine, 60), *((o, 5) for o in others)):
        make_weekly_report(structure, WEEKS[0], now=_on_time(WEEKS[0]), enfants_presents=value, places_disponibles=0)
    partner = make_user(Role.PARTENAIRE, structure_id=mine)
    for region in (None, BRETAGNE):
        frame = _present(series.weekly_series_network(actor=partner, weeks=9, region_code=region, now=SETTLED))
        assert frame.loc[WEEKS[0], "value"] == 75 and frame.loc[WEEKS[0], "withheld"] == ""


def test_partner_sees_other_structures_totals_once_the_week_is_locked(crowded_corse):
    partner = make_user(Role.PARTENAIRE, structure_id=crowded_corse["A"])
    frame = _present(series.weekly_series_network(actor=partner, weeks=5, now=NOW))
    assert frame["value"].isna().all()
    assert frame.loc[WEEKS[0], "withheld"] == WITHHELD_UNSETTLED.format(weeks=schedule.deadline_rule().lock_weeks)
    assert _present(series.weekly_series_network(actor=SYSTEM, weeks=5, now=NOW)).loc[WEEKS[0], "value"] == 29
    locked = schedule.deadline_rule().lock_at(WEEKS[0])
    frame = _present(series.weekly_series_network(actor=partner, weeks=6, now=locked))
    assert frame.loc[WEEKS[0], "value"] == 29 and frame.loc[WEEKS[1], "withheld"] != ""
