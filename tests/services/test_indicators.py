"""The indicator catalogue on small networks whose figures were computed by hand (see each fixture)."""

from datetime import date

import pytest

from core.errors import AccessDenied
from models.user import Role
from services import indicators as ind
from services.disclosure import Mark
from services.periods import Period, Scope, period_of
from services.training import training_plan_set
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
    assert derived == {"time_to_placement", "distance", "runaways", "weekly_completeness"}
    assert all(i.definition and i.unit for i in infos)
    children = {i.key for i in infos if i.counts_children}
    assert children == {"requests", "oriented", "placed", "signalements", "time_to_placement", "distance", "runaways"}


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
    make_session(m1.id, day=date(2025, 3, 10), departement_code="35",
                 participants={"educateur_specialise": 6, "psychologue": 2}, structure_ids=[s1.id])
    make_session(m2.id, day=date(2025, 3, 20), departement_code="13", participants={"educateur_specialise": 3},
                 structure_ids=[s3.id])
    make_session(m1.id, day=date(2025, 2, 12), departement_code="35", participants={"cadre_direction": 4},
                 structure_ids=[s1.id])
    make_session(m1.id, day=date(2025, 4, 1), status="prevue", participants={"educateur_specialise": 7})
    training_plan_set(actor=make_user(Role.COORDINATION), year=2025, changes={
        (m1.id, "educateur_specialise"): 10, (m2.id, "educateur_specialise"): 10})
    return {"m1": m1, "m2": m2}


def test_trained_headline_previous_period_and_change(trainings):
    view = ind.indicator_view(actor=make_user(Role.COORDINATION), key="trained", period=MARCH)
    assert view.headline.value.value == 11 and view.headline.value.text == "11"
    assert view.headline.previous.value == 4
    assert view.headline.change == "+7"
    assert dict(view.headline.secondary)["sessions réalisées"].value == 2
    profile = next(t for t in view.tables if t.key == "profile")
    assert dict(zip(profile.row_labels, (row[0] for row in profile.cells))) == {
        "Éducateur spécialisé": 9, "Psychologue": 2}


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
    page = ind.indicator_records(actor=make_user(Role.COORDINATION), key="trained", period=MARCH, table="profile",
                                 row="psychologue")
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
    make_structure(name="D", departement_code="13", joined_on=date(2024, 1, 1), status="suspendu",
                   status_changed_on=date(2025, 2, 1))
    make_structure(name="E", departement_code="69", joined_on=date(2024, 1, 1), status="sorti",
                   left_on=date(2025, 3, 15))
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
    conventions = ind.indicator_records(actor=make_user(Role.COORDINATION), key="partners", period=MARCH,
                                        column="conseils")
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
    return ind.RawTable("t", "T", "Ligne", tuple((str(i), f"L{i}") for i in range(len(values))), columns,
                        tuple(values), kind=kind)


RULE = ind.ProtectionRule(5, 5, "")


def test_published_count_is_small_mark_or_rounded():
    assert ind._count_figure(0, RULE).text == "0"
    assert ind._count_figure(3, RULE).text == "< 5" and ind._count_figure(3, RULE).value is None
    assert ind._count_figure(12, RULE).value == 10 and ind._count_figure(13, RULE).value == 15
    assert ind._count_figure(3, None).value == 3


def test_published_share_uses_rounded_counts_and_hides_a_small_numerator():
    assert ind._share_figure(ind.Raw(ind.SHARE, numerator=12, denominator=38), RULE).value == pytest.approx(10 / 40)
    hidden = ind._share_figure(ind.Raw(ind.SHARE, numerator=2, denominator=38), RULE)
    assert hidden.value is None and "< 5 sur 40" in hidden.detail


def test_published_median_needs_enough_observations():
    assert ind._median_figure(ind.Raw(ind.MEDIAN, value=4, observations=3), RULE).value is None
    assert ind._median_figure(ind.Raw(ind.MEDIAN, value=4, observations=7), RULE).value == 4


def test_protected_table_suppresses_and_complements():
    table = ind._publish_table(_raw_table([(3,), (8,), (12,)]), True, RULE)
    assert table.cells[0] == (Mark.SMALL,)
    assert sum(isinstance(c[0], Mark) for c in table.cells) >= 2
    assert table.column_totals == (25,)
    assert not table.drill or table.protected


def test_fragile_table_is_merged_or_withheld():
    # Four rows "1 | 4" (total 5) under a first column "< 5": fragile as it is (services.disclosure).
    raw = _raw_table([(1, 4)] * 4, columns=(("a", "A"), ("b", "B")))
    table = ind._publish_table(raw, True, RULE)
    assert table.withheld or "Autres (regroupés)" in table.row_labels
    assert table.withheld or not table.drill


def test_unprotected_table_for_coordination_has_true_totals():
    table = ind._publish_table(_raw_table([(1, 4), (2, 0)], columns=(("a", "A"), ("b", "B"))), True, None)
    assert table.cells == ((1, 4), (2, 0)) and table.row_totals == (5, 2) and table.total == 7


def test_series_of_months_ends_with_the_period(trainings):
    points = ind.indicator_series(actor=make_user(Role.COORDINATION), key="trained", period=MARCH, length=3)
    assert [p.period.start for p in points] == [date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)]
    assert [p.figure.value for p in points] == [0, 4, 11]


def test_custom_period_previous_has_the_same_length():
    custom = period_of("personnalisee", date(2025, 3, 1), start=date(2025, 3, 1), end=date(2025, 3, 10))
    assert custom.previous() == Period("personnalisee", date(2025, 2, 19), date(2025, 3, 1))
