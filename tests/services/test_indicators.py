"""The indicator catalogue on small networks whose figures were computed by hand (see each fixture)."""

from datetime import date

import pytest

from core.errors import AccessDenied
from models.user import Role
from services.indicators import catalogue as ind
from services.indicators import publication as pub
from services.indicators.disclosure import Mark
from services.periods import Period, Scope, period_of
from services.training.plan import training_plan_set
from tests.factories import make_convention, make_module, make_session, make_structure, make_user

CALL_TITLES = [
    "Le nombre de sollicitations pour prendre en charge un mineur",
    "Le nombre de victimes orientées",
    "Le nombre de victimes placées au sein d'une structure partenaire du réseau",
    "Le nombre de conseils départementaux et de structures partenaires du réseau",
    "Le nombre de départements couverts par le réseau, notamment en outre-mer",
    "Le nombre et le profil des professionnels accompagnés et formés à la prise en charge des mineurs victimes "
    "d'exploitation et de traite",
    "La stratégie de formation continue proposée aux structures partenaires du réseau",
    "Le circuit de remontée vers la coordination du réseau des signalements de situations préoccupantes survenant "
    "dans les structures partenaires du réseau",
]
MARCH = period_of("mois", date(2025, 3, 1))
YEAR_2025 = period_of("annee", date(2025, 6, 1))


def test_catalogue_holds_the_call_titles_word_for_word_then_the_derived_ones(db):
    infos = ind.indicator_list(actor=make_user(Role.COORDINATION))
    call = [i for i in infos if i.from_call]
    assert [i.title for i in call] == CALL_TITLES
    assert [i.number for i in call] == list(range(1, 9))
    derived = {i.key for i in infos if not i.from_call}
    assert derived == {
        "time_to_placement",
        "distance",
        "runaways",
        "weekly_completeness",
        "outreach",
        "outreach_activity",
        "prevention",
    }
    assert all(i.definition and i.unit for i in infos)
    children = {i.key for i in infos if i.counts_children}
    assert children == {
        "requests",
        "oriented",
        "placed",
        "signalements",
        "time_to_placement",
        "distance",
        "runaways",
        "outreach",
    }


@pytest.mark.parametrize("role", [Role.PARTENAIRE])
def test_partner_has_no_dashboard(db, role):
    actor = make_user(role)
    with pytest.raises(AccessDenied):
        ind.indicator_list(actor=actor)
    with pytest.raises(AccessDenied):
        ind.indicator_overview(actor=actor, period=MARCH)
    with pytest.raises(AccessDenied):
        ind.indicator_view(actor=actor, key="trained", period=MARCH)


@pytest.mark.parametrize("role", [Role.PARTENAIRE, Role.FINANCEUR])
def test_records_are_for_the_coordination_only(db, role):
    with pytest.raises(AccessDenied):
        ind.indicator_records(actor=make_user(role), key="trained", period=MARCH)


# --- 6 and 7: trainings ---------------------------------------------------------------------------


@pytest.fixture
def trainings(db):
    """Structures S1 (35), S2 (971), S3 (13); modules M1, M2; delivered sessions:

    A  M1  10/03/2025  Ille-et-Vilaine   éduc 6, psy 2           S1
    B  M2  20/03/2025  Bouches-du-Rhône  éduc 3                  S3
    C  M1  12/02/2025  Ille-et-Vilaine   cadre 4                 S1
    D  M1  01/04/2025 planned (never counted)
    Plan 2025: M1 éduc 10, M2 éduc 10 (20 planned). Trained in 2025 up to 31/03: 6 + 2 + 3 + 4 = 15.
    """
    s1 = make_structure(name="S1", departement_code="35", joined_on=date(2024, 1, 1))
    make_structure(name="S2", departement_code="971", joined_on=date(2024, 1, 1))
    s3 = make_structure(name="S3", departement_code="13", joined_on=date(2024, 1, 1))
    m1 = make_module(title="Repérage")
    m2 = make_module(title="Cadre juridique")
    make_session(
        m1.id,
        day=date(2025, 3, 10),
        departement_code="35",
        participants={"educateur_specialise": 6, "psychologue": 2},
        structure_ids=[s1.id],
    )
    make_session(
        m2.id,
        day=date(2025, 3, 20),
        departement_code="13",
        participants={"educateur_specialise": 3},
        structure_ids=[s3.id],
    )
    make_session(
        m1.id, day=date(2025, 2, 12), departement_code="35", participants={"cadre_direction": 4}, structure_ids=[s1.id]
    )
    make_session(m1.id, day=date(2025, 4, 1), status="prevue", participants={"educateur_specialise": 7})
    training_plan_set(
        actor=make_user(Role.COORDINATION),
        year=2025,
        changes={(m1.id, "educateur_specialise"): 10, (m2.id, "educateur_specialise"): 10},
    )
    return {"m1": m1, "m2": m2}


def test_trained_headline_previous_period_and_change(trainings):
    view = ind.indicator_view(actor=make_user(Role.COORDINATION), key="trained", period=MARCH)
    assert view.headline.value.value == 11 and view.headline.value.text == "11"
    assert view.headline.previous.value == 4
    assert view.headline.change == "+7"
    assert dict(view.headline.secondary)["sessions réalisées"].value == 2
    profile = next(t for t in view.tables if t.key == "profile")
    assert dict(zip(profile.row_labels, (row[0] for row in profile.cells))) == {
        "Éducateur spécialisé": 9,
        "Psychologue": 2,
    }


def test_trained_scope_keeps_the_sessions_held_there(trainings):
    coordinator = make_user(Role.COORDINATION)
    view = ind.indicator_view(actor=coordinator, key="trained", period=MARCH, scope=Scope(departement_code="13"))
    assert view.headline.value.value == 3
    region = Scope(region_code="53")  # Bretagne
    assert ind.indicator_view(actor=coordinator, key="trained", period=MARCH, scope=region).headline.value.value == 8


def test_strategy_is_the_plan_realised_up_to_the_end_of_the_period(trainings):
    coordinator = make_user(Role.COORDINATION)
    view = ind.indicator_view(actor=coordinator, key="strategy", period=MARCH)
    assert view.headline.value.value == pytest.approx(15 / 20)
    assert view.headline.value.text == "75 %"
    assert view.headline.previous.value == pytest.approx(4 / 20)  # up to 28/02
    assert view.headline.change == "+55 pts"
    assert dict(view.headline.secondary)["modules au catalogue"].value == 2
    module = next(t for t in view.tables if t.key == "module")
    assert dict(zip(module.row_labels, module.cells)) == {"Repérage": (10, 12, 1.2), "Cadre juridique": (10, 3, 0.3)}


def test_training_records_behind_a_profile(trainings):
    page = ind.indicator_records(
        actor=make_user(Role.COORDINATION), key="trained", period=MARCH, table="profile", row="psychologue"
    )
    assert page.total == 1
    assert page.rows[0][1] == "Repérage" and page.rows[0][-1] == 8


# --- 4 and 5: partners and coverage -------------------------------------------------------------------


@pytest.fixture
def network(db):
    """Active: A (35), B (35), C (971); D (13) suspended since 01/02/2025; E (69) left on 15/03/2025.
    Conventions in force on 31/03/2025: 35 and 13; one with 69 ended 31/01/2025.
    On 31/03/2025: 3 active structures, 2 conseils départementaux engaged; covered: 35, 971 (2, 1 overseas).
    On 28/02/2025: 4 active (E still in), covered: 35, 971, 69 (3).
    """
    make_structure(name="A", departement_code="35", joined_on=date(2024, 1, 1), capacity=10)
    make_structure(name="B", departement_code="35", joined_on=date(2024, 1, 1), capacity=5)
    make_structure(name="C", departement_code="971", joined_on=date(2024, 1, 1), capacity=6)
    make_structure(
        name="D",
        departement_code="13",
        joined_on=date(2024, 1, 1),
        status="suspendu",
        status_changed_on=date(2025, 2, 1),
    )
    make_structure(
        name="E", departement_code="69", joined_on=date(2024, 1, 1), status="sorti", left_on=date(2025, 3, 15)
    )
    make_convention("35")
    make_convention("13")
    make_convention("69", status="denoncee", ends_on=date(2025, 1, 31))


def test_partners_and_coverage_at_the_end_of_the_period(network):
    coordinator = make_user(Role.COORDINATION)
    partners = ind.indicator_view(actor=coordinator, key="partners", period=MARCH)
    assert partners.headline.value.value == 3 and partners.headline.previous.value == 4
    secondary = dict(partners.headline.secondary)
    assert secondary["conseils départementaux engagés"].value == 2
    assert secondary["places d'accueil"].value == 21
    coverage = ind.indicator_view(actor=coordinator, key="coverage", period=MARCH)
    assert coverage.headline.value.value == 2 and coverage.headline.previous.value == 3
    assert dict(coverage.headline.secondary)["dont outre-mer"].value == 1
    overseas = ind.indicator_view(actor=coordinator, key="coverage", period=MARCH, scope=Scope(overseas_only=True))
    assert overseas.headline.value.value == 1


def test_partner_records_list_the_active_structures(network):
    page = ind.indicator_records(actor=make_user(Role.COORDINATION), key="partners", period=MARCH)
    assert page.total == 3 and [r[0] for r in page.rows] == ["A", "B", "C"]
    conventions = ind.indicator_records(
        actor=make_user(Role.COORDINATION), key="partners", period=MARCH, column="conseils"
    )
    assert conventions.total == 2


def test_funder_limited_to_a_departement_only_sees_it(network):
    funder = make_user(Role.FINANCEUR, departement_code="971")
    view = ind.indicator_view(actor=funder, key="partners", period=MARCH, scope=Scope())
    assert view.scope == Scope(departement_code="971")
    assert view.headline.value.value == 1
    rows = ind.indicator_coverage_map(actor=funder, period=MARCH)
    assert [r["code"] for r in rows] == ["971"]


# --- publication rules ---------------------------------------------------------------------------


def _raw_table(values, kind="counts", columns=(("n", "Effectif"),)):
    return pub.RawTable(
        "t", "T", "Ligne", tuple((str(i), f"L{i}") for i in range(len(values))), columns, tuple(values), kind=kind
    )


RULE = pub.ProtectionRule(5, 5, "")


def test_published_count_is_small_mark_or_rounded():
    assert pub._count_figure(0, RULE).text == "0"
    assert pub._count_figure(3, RULE).text == "< 5" and pub._count_figure(3, RULE).value is None
    assert pub._count_figure(12, RULE).value == 10 and pub._count_figure(13, RULE).value == 15
    assert pub._count_figure(3, None).value == 3


def test_published_share_uses_rounded_counts_and_hides_a_small_numerator():
    assert pub._share_figure(pub.Raw(pub.SHARE, numerator=12, denominator=38), RULE).value == pytest.approx(10 / 40)
    hidden = pub._share_figure(pub.Raw(pub.SHARE, numerator=2, denominator=38), RULE)
    assert hidden.value is None and hidden.detail.startswith("sur 40 : part non publiée")


def test_published_median_needs_enough_observations():
    assert pub._median_figure(pub.Raw(pub.MEDIAN, value=4, observations=3), RULE).value is None
    assert pub._median_figure(pub.Raw(pub.MEDIAN, value=4, observations=7), RULE).value == 4


def test_protected_table_suppresses_and_complements():
    table = pub.publish_table(_raw_table([(3,), (8,), (12,)]), True, RULE)
    assert table.cells[0] == (Mark.SMALL,)
    assert sum(isinstance(c[0], Mark) for c in table.cells) >= 2
    assert table.column_totals == (25,)
    assert not table.drill or table.protected


def test_fragile_table_is_merged_or_withheld():
    # Four rows "1 | 4" (total 5) under a first column "< 5": fragile as it is (services.indicators.disclosure).
    raw = _raw_table([(1, 4)] * 4, columns=(("a", "A"), ("b", "B")))
    table = pub.publish_table(raw, True, RULE)
    assert table.withheld or "Autres (regroupés)" in table.row_labels
    assert table.withheld or not table.drill


def test_unprotected_table_for_coordination_has_true_totals():
    table = pub.publish_table(_raw_table([(1, 4), (2, 0)], columns=(("a", "A"), ("b", "B"))), True, None)
    assert table.cells == ((1, 4), (2, 0)) and table.row_totals == (5, 2) and table.total == 7


def test_series_of_months_ends_with_the_period(trainings):
    points = ind.indicator_series(actor=make_user(Role.COORDINATION), key="trained", period=MARCH, length=3)
    assert [p.period.start for p in points] == [date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)]
    assert [p.figure.value for p in points] == [0, 4, 11]


def test_custom_period_previous_has_the_same_length():
    custom = period_of("personnalisee", date(2025, 3, 1), start=date(2025, 3, 1), end=date(2025, 3, 10))
    assert custom.previous() == Period("personnalisee", date(2025, 2, 19), date(2025, 3, 1))


# --- 1, 2, 3 and the derived ones: the children's path -----------------------------------------------


@pytest.fixture
def path(db):
    """Structures S35 (Ille-et-Vilaine, far from 93) and S77 (Seine-et-Marne, near 93). March 2025:

    P1  request 08/03 police,       exploited in 93, girl 15, placed S35 on 10/03
    P2  request 10/03 gendarmerie,  exploited in 93 (sexual + labour), boy 16, placed S35 on 12/03
    P3  request 18/03 police,       exploited in 93, girl 13, placed S77 on 20/03, ran away on 22/03
    R4  request 15/03 police,       exploited in 13, girl 17, never oriented
    February: P0 request 08/02, placed S35 on 10/02.
    March: 4 requests, 3 oriented, 3 placed; median 2 days; far: 2 of 3; runaways: 1 of 3 (7 and 30 days).
    """
    from services.path.placements import placement_runaway
    from tests.factories import make_placed, make_request

    s35 = make_structure(name="S35", departement_code="35", joined_on=date(2024, 1, 1), sexes=["F", "M"])
    s77 = make_structure(name="S77", departement_code="77", joined_on=date(2024, 1, 1), sexes=["F", "M"])
    make_placed(s35.id, arrival_date=date(2025, 2, 10))
    make_placed(s35.id, arrival_date=date(2025, 3, 10), child_age=15, sex="F")
    make_placed(
        s35.id,
        arrival_date=date(2025, 3, 12),
        child_age=16,
        sex="M",
        requester_kind="gendarmerie",
        exploitation_forms=["sexuelle", "travail"],
    )
    _, p3 = make_placed(s77.id, arrival_date=date(2025, 3, 20), child_age=13, sex="F")
    placement_runaway(
        actor=make_user(Role.COORDINATION),
        placement_id=p3.id,
        expected_version=p3.version,
        occurred_on=date(2025, 3, 22),
    )
    from datetime import datetime

    from core.formatting import PARIS

    make_request(received_at=datetime(2025, 3, 15, 10, tzinfo=PARIS), child_age=17, exploitation_departement_code="13")


def _headline(actor, key, **kwargs):
    return ind.indicator_view(actor=actor, key=key, period=MARCH, **kwargs).headline


def test_path_counts_with_the_previous_month(path):
    coordinator = make_user(Role.COORDINATION)
    assert (_headline(coordinator, "requests").value.value, _headline(coordinator, "requests").previous.value) == (4, 1)
    assert _headline(coordinator, "oriented").value.value == 3
    placed = _headline(coordinator, "placed")
    assert (placed.value.value, placed.previous.value, placed.change) == (3, 1, "+2")


def test_path_derived_indicators(path):
    coordinator = make_user(Role.COORDINATION)
    assert _headline(coordinator, "time_to_placement").value.text == "2 j"
    distance = _headline(coordinator, "distance").value
    assert distance.value == pytest.approx(2 / 3) and distance.detail == "2 sur 3"
    runaways = _headline(coordinator, "runaways")
    assert runaways.value.value == pytest.approx(1 / 3)
    assert dict(runaways.secondary)["dans les 7 jours"].value == pytest.approx(1 / 3)


def test_path_breakdowns(path):
    view = ind.indicator_view(actor=make_user(Role.COORDINATION), key="requests", period=MARCH)
    tables = {t.key: t for t in view.tables}
    kinds = dict(zip(tables["requester_kind"].row_labels, (r[0] for r in tables["requester_kind"].cells)))
    assert kinds == {"Police nationale": 3, "Gendarmerie nationale": 1}
    assert tables["requester_kind"].column_totals == (4,)
    forms = dict(zip(tables["exploitation_form"].row_labels, (r[0] for r in tables["exploitation_form"].cells)))
    assert forms == {"Exploitation sexuelle": 4, "Exploitation par le travail": 1}
    assert tables["exploitation_form"].column_totals is None  # a request may count in several forms
    ages = tables["age_sex"]
    assert ages.column_labels == ("Fille", "Garçon")
    assert dict(zip(ages.row_labels, ages.cells)) == {"13 – 14 ans": (1, 0), "15 – 16 ans": (1, 1), "17 ans": (1, 0)}
    assert ages.total == 4


def test_path_scope_follows_the_service_territories(path):
    coordinator = make_user(Role.COORDINATION)
    brittany = Scope(departement_code="35")
    assert _headline(coordinator, "placed", scope=brittany).value.value == 2  # the receiving structure's
    assert _headline(coordinator, "requests", scope=brittany).value.value == 0  # the exploitation's


def test_path_records_give_codes_to_the_coordination_only(path):
    coordinator = make_user(Role.COORDINATION)
    page = ind.indicator_records(
        actor=coordinator, key="requests", period=MARCH, table="requester_kind", row="gendarmerie"
    )
    assert page.total == 1 and page.rows[0][1:3] == (16, "M")
    placed = ind.indicator_records(actor=coordinator, key="placed", period=MARCH)
    assert placed.total == 3 and [r[4] for r in placed.rows] == ["S77", "S35", "S35"]
    assert ind.indicator_records(actor=coordinator, key="runaways", period=MARCH).total == 1
    with pytest.raises(AccessDenied):
        ind.indicator_records(actor=make_user(Role.FINANCEUR), key="placed", period=MARCH)


def test_funder_reads_path_counts_protected(path):
    funder = make_user(Role.FINANCEUR)
    requests = ind.indicator_view(actor=funder, key="requests", period=MARCH)
    assert requests.protected and requests.headline.value.text == "< 5" and requests.headline.value.value is None
    assert requests.headline.change is None  # nothing to subtract from a small count
    for table in requests.tables:
        assert all(isinstance(c, Mark) or c == 0 for row in table.cells for c in row), table.key
    distance = ind.indicator_view(actor=funder, key="distance", period=MARCH).headline.value
    assert distance.value is None and distance.text == "—"  # 2 of 3: not published
    assert ind.indicator_view(actor=funder, key="time_to_placement", period=MARCH).headline.value.value is None


# --- 8: signalements -------------------------------------------------------------------------------


@pytest.fixture
def signalements(db):
    """March 2025: structure A (35): 2 « fugue » (worrying, 24 h to acknowledge): one acknowledged after
    2 h, one after 30 h (late); structure B (13): 1 « violence » immediate danger, acknowledged after 30 min.
    February: one. March: 3 signalements; median time to acknowledge 2 h; within the deadline 2 of 3."""
    from datetime import datetime, timedelta

    from core.formatting import PARIS
    from services.signalements.declarations import signalement_acknowledge
    from tests.factories import as_system, make_signalement

    a = make_structure(name="A", departement_code="35")
    b = make_structure(name="B", departement_code="13")
    coordinator = as_system(make_user(Role.COORDINATION))
    day = datetime(2025, 3, 5, 9, tzinfo=PARIS)
    made = [
        (make_user(Role.PARTENAIRE, structure_id=a.id), day, {}, 2),
        (make_user(Role.PARTENAIRE, structure_id=a.id), day + timedelta(days=5), {}, 30),
        (
            make_user(Role.PARTENAIRE, structure_id=b.id),
            day + timedelta(days=10),
            {"category": "violence", "severity": "danger_immediat"},
            0.5,
        ),
        (make_user(Role.PARTENAIRE, structure_id=b.id), day - timedelta(days=20), {}, 1),
    ]
    for partner, at, values, hours in made:
        summary = make_signalement(partner, now=at, **values)
        signalement_acknowledge(actor=coordinator, signalement_id=summary.id, now=at + timedelta(hours=hours))


def test_signalements_count_delay_and_deadline_share(signalements):
    headline = _headline(make_user(Role.COORDINATION), "signalements")
    assert (headline.value.value, headline.previous.value) == (3, 1)
    secondary = dict(headline.secondary)
    assert secondary["délai médian de prise en compte"].text == "2 h"
    assert secondary["pris en compte dans le délai"].value == pytest.approx(2 / 3)


def test_signalement_breakdowns_scope_and_records(signalements):
    coordinator = make_user(Role.COORDINATION)
    view = ind.indicator_view(actor=coordinator, key="signalements", period=MARCH)
    category = next(t for t in view.tables if t.key == "category")
    assert dict(zip(category.row_labels, (r[0] for r in category.cells)))["Violence"] == 1
    assert _headline(coordinator, "signalements", scope=Scope(departement_code="35")).value.value == 2
    page = ind.indicator_records(actor=coordinator, key="signalements", period=MARCH, table="category", row="violence")
    assert page.total == 1 and page.rows[0][1] == "B"


def test_funder_limited_to_a_region_reads_its_signalements_protected(signalements):
    funder = make_user(Role.FINANCEUR, region_code="53")  # Bretagne: structure A only
    headline = _headline(funder, "signalements", scope=Scope(region_code="93"))
    assert headline.value.text == "< 5"
    assert dict(headline.secondary)["délai médian de prise en compte"].value is None


# --- weekly completeness ------------------------------------------------------------------------------


@pytest.fixture
def weekly_network(db):
    """February 2025 (weeks of 3, 10, 17 and 24/02), as in tests/services/test_weekly_board.py:
    A (35) sends all four weeks, the last one late; B (69) sends one; C (35) joined on 26/02 (expected
    the week of 24/02, sends nothing); E (69) left on 12/02 (expected the week of 3/02 only).
    Expected 10, received 5, on time 4; Bretagne: expected 5, received 4."""
    from datetime import timedelta

    from services.weekly import schedule
    from tests.factories import make_weekly_elements, make_weekly_report

    make_weekly_elements()
    joined = date(2024, 1, 8)
    a = make_structure(name="A", departement_code="35", joined_on=joined).id
    b = make_structure(name="B", departement_code="69", joined_on=joined).id
    make_structure(name="C", departement_code="35", joined_on=date(2025, 2, 26))
    make_structure(name="E", departement_code="69", status="sorti", joined_on=joined, left_on=date(2025, 2, 12))
    weeks = [date(2025, 2, 3), date(2025, 2, 10), date(2025, 2, 17), date(2025, 2, 24)]
    rule = schedule.deadline_rule()
    for week in weeks[:3]:
        make_weekly_report(a, week, now=rule.deadline(week) - timedelta(days=1), places_disponibles=1)
    make_weekly_report(a, weeks[3], now=rule.deadline(weeks[3]) + timedelta(hours=20), places_disponibles=1)
    make_weekly_report(b, weeks[0], now=rule.deadline(weeks[0]) - timedelta(days=1), places_disponibles=1)


FEBRUARY = period_of("mois", date(2025, 2, 1))


def test_weekly_completeness_over_the_weeks_of_the_period(weekly_network):
    coordinator = make_user(Role.COORDINATION)
    headline = ind.indicator_view(actor=coordinator, key="weekly_completeness", period=FEBRUARY).headline
    assert headline.value.value == pytest.approx(0.5) and headline.value.detail == "5 sur 10"
    assert dict(headline.secondary)["transmis à l'heure"].value == pytest.approx(0.4)
    bretagne = ind.indicator_view(
        actor=coordinator, key="weekly_completeness", period=FEBRUARY, scope=Scope(region_code="53")
    )
    assert bretagne.headline.value.detail == "4 sur 5"
    region = bretagne.tables[0]
    assert region.row_labels == ("Bretagne",) and region.cells[0][:2] == (5, 4)
    page = ind.indicator_records(actor=coordinator, key="weekly_completeness", period=FEBRUARY)
    assert page.total == 4 and page.rows[0][0] == "B" and page.rows[0][3] == 3
