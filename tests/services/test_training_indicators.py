"""Training indicators on a small network whose figures were computed by hand (see each test)."""

from datetime import date, timedelta

import pytest

from core.clock import paris_today
from core.errors import AccessDenied
from models.user import Role
from services.training import indicators as ind
from services.training.plan import training_plan_set
from tests.factories import make_module, make_session, make_structure, make_user

YEAR = date(2025, 1, 1), date(2025, 12, 31)
AS_OF = date(2025, 6, 30)


@pytest.fixture
def network(db):
    """Four active structures (35, 29, 13, 69) and one that left (35); two modules; sessions:

    A  M1  10/03/2025        Ille-et-Vilaine  7 h   éduc 6, psy 2, cadre 4 (12)  S1, S2   note 4
    B  M1  20–21/03/2025     Bouches-du-Rhône 7 h   éduc 5, veilleur 3 (8)       S3       note 2
    C  M2  05/05/2025        à distance       3,5 h éduc 2, magistrat 1 (3)      S2, S5
    D  M2  15/05/2024        Ille-et-Vilaine  3 h   cadre 10                     S1
    E  M1  30/12/2024–02/01/2025 Finistère    7 h   police 4                     —
    F  M2  01/04/2025 still planned (7 éduc expected): never counted; G  M1 planned in the future.
    Plan 2025: M1 éduc 20, M1 psy 5, M2 cadre 6.
    """
    s1 = make_structure(name="S1", departement_code="35")
    s2 = make_structure(name="S2", departement_code="29")
    s3 = make_structure(name="S3", departement_code="13")
    s4 = make_structure(name="S4", departement_code="69")
    s5 = make_structure(name="S5", departement_code="35", status="sorti")
    m1 = make_module(title="Repérage", duration_min_hours=6, duration_max_hours=7)
    m2 = make_module(title="Cadre juridique", duration_min_hours=3, duration_max_hours=3.5)
    make_session(
        m1.id,
        day=date(2025, 3, 10),
        departement_code="35",
        hours=7,
        satisfaction=4,
        participants={"educateur_specialise": 6, "psychologue": 2, "cadre_direction": 4},
        structure_ids=[s1.id, s2.id],
    )
    make_session(
        m1.id,
        start_date=date(2025, 3, 20),
        end_date=date(2025, 3, 21),
        departement_code="13",
        hours=7,
        satisfaction=2,
        participants={"educateur_specialise": 5, "veilleur_nuit": 3},
        structure_ids=[s3.id],
    )
    make_session(
        m2.id,
        day=date(2025, 5, 5),
        remote=True,
        departement_code=None,
        hours=3.5,
        participants={"educateur_specialise": 2, "magistrat_pjj": 1},
        structure_ids=[s2.id, s5.id],
    )
    make_session(
        m2.id,
        day=date(2024, 5, 15),
        departement_code="35",
        hours=3,
        participants={"cadre_direction": 10},
        structure_ids=[s1.id],
    )
    make_session(
        m1.id,
        start_date=date(2024, 12, 30),
        end_date=date(2025, 1, 2),
        departement_code="29",
        hours=7,
        participants={"police_gendarmerie": 4},
    )
    make_session(
        m2.id,
        day=date(2025, 4, 1),
        status="prevue",
        hours=3,
        participants={"educateur_specialise": 7},
        structure_ids=[s4.id],
    )
    make_session(m1.id, day=paris_today() + timedelta(days=10), status="prevue", participants={}, structure_ids=[s4.id])
    training_plan_set(
        actor=make_user(Role.COORDINATION),
        year=2025,
        changes={(m1.id, "educateur_specialise"): 20, (m1.id, "psychologue"): 5, (m2.id, "cadre_direction"): 6},
    )
    return {"m1": m1, "m2": m2, "s2": s2}


def _by(rows, attr):
    return {getattr(r, attr): r.participants for r in rows}


def test_trained_by_profile_over_the_year(network):
    rows = ind.training_trained(actor=make_user(Role.COORDINATION), start=YEAR[0], end=YEAR[1], group_by=("profile",))
    assert _by(rows, "profile") == {
        "educateur_specialise": 13,
        "psychologue": 2,
        "cadre_direction": 4,
        "veilleur_nuit": 3,
        "magistrat_pjj": 1,
        "police_gendarmerie": 4,
    }
    assert {r.profile: r.sessions for r in rows}["educateur_specialise"] == 3


def test_trained_by_module_region_and_period(network):
    coordinator = make_user(Role.COORDINATION)
    by_module = ind.training_trained(actor=coordinator, start=YEAR[0], end=YEAR[1], group_by=("module",))
    assert {(r.module_title, r.participants, r.sessions) for r in by_module} == {
        ("Repérage", 24, 3),
        ("Cadre juridique", 3, 1),
    }
    by_region = ind.training_trained(actor=coordinator, start=YEAR[0], end=YEAR[1], group_by=("region",))
    assert _by(by_region, "region_name") == {"Bretagne": 16, "Provence-Alpes-Côte d'Azur": 8, ind.REMOTE_REGION: 3}
    by_month = ind.training_trained(actor=coordinator, start=YEAR[0], end=YEAR[1], group_by=("period",))
    assert _by(by_month, "period") == {date(2025, 1, 1): 4, date(2025, 3, 1): 20, date(2025, 5, 1): 3}
    by_quarter = ind.training_trained(
        actor=coordinator, start=YEAR[0], end=YEAR[1], group_by=("period",), period="quarter"
    )
    assert _by(by_quarter, "period") == {date(2025, 1, 1): 24, date(2025, 4, 1): 3}
    by_year = ind.training_trained(actor=coordinator, group_by=("period",), period="year")
    assert _by(by_year, "period") == {date(2024, 1, 1): 10, date(2025, 1, 1): 27}
    over_time = ind.training_trained(actor=coordinator, start=YEAR[0], end=YEAR[1], group_by=("period", "profile"))
    assert {(r.period, r.profile): r.participants for r in over_time}[(date(2025, 3, 1), "educateur_specialise")] == 11
    total = ind.training_trained(actor=coordinator, start=YEAR[0], end=YEAR[1], group_by=())
    assert [(r.participants, r.sessions) for r in total] == [(27, 4)]


def test_plan_versus_delivered_per_module_and_profile(network):
    coordinator = make_user(Role.COORDINATION)
    gaps = {
        (g.module_title, g.profile): (g.planned, g.delivered, g.gap)
        for g in ind.training_plan_vs_delivered(actor=coordinator, year=2025)
    }
    assert gaps == {
        ("Repérage", "educateur_specialise"): (20, 11, 9),
        ("Repérage", "psychologue"): (5, 2, 3),
        ("Repérage", "cadre_direction"): (0, 4, -4),
        ("Repérage", "veilleur_nuit"): (0, 3, -3),
        ("Repérage", "police_gendarmerie"): (0, 4, -4),
        ("Cadre juridique", "cadre_direction"): (6, 0, 6),
        ("Cadre juridique", "educateur_specialise"): (0, 2, -2),
        ("Cadre juridique", "magistrat_pjj"): (0, 1, -1),
    }
    per_module = {
        g.module_title: (g.planned, g.delivered, g.gap, g.rate)
        for g in ind.training_plan_vs_delivered(actor=coordinator, year=2025, by=("module",))
    }
    assert per_module == {"Repérage": (25, 24, 1, 24 / 25), "Cadre juridique": (6, 3, 3, 0.5)}
    per_profile = {
        g.profile: (g.planned, g.delivered)
        for g in ind.training_plan_vs_delivered(actor=coordinator, year=2025, by=("profile",))
    }
    assert per_profile["educateur_specialise"] == (20, 13)


def test_share_of_active_structures_trained_in_twelve_months(network):
    coordinator = make_user(Role.COORDINATION)
    coverage = ind.training_structure_coverage(actor=coordinator, as_of=AS_OF)
    assert (coverage.active_structures, coverage.trained_structures, coverage.share) == (4, 3, 0.75)
    earlier = ind.training_structure_coverage(actor=coordinator, as_of=date(2025, 3, 15))
    assert (earlier.trained_structures, earlier.share) == (2, 0.5)  # B ended on the 21st
    later = ind.training_structure_coverage(actor=coordinator, as_of=date(2026, 5, 4))
    assert later.trained_structures == 1  # only C (05/05/2025) is still within the window; S5 has left


def test_hours_and_totals(network):
    totals = ind.training_totals(actor=make_user(Role.COORDINATION), start=YEAR[0], end=YEAR[1])
    assert (totals.sessions, totals.participants, totals.session_hours, totals.person_hours) == (4, 27, 24.5, 178.5)
    assert (totals.evaluated_sessions, totals.mean_satisfaction) == (2, 3.0)
    everything = ind.training_totals(actor=make_user(Role.COORDINATION))
    assert (everything.sessions, everything.participants, everything.person_hours) == (5, 37, 208.5)


def test_funder_limited_to_a_territory(network):
    bretagne = make_user(Role.FINANCEUR, region_code="53")
    rows = ind.training_trained(actor=bretagne, start=YEAR[0], end=YEAR[1], group_by=())
    assert rows[0].participants == 19  # A (12) + C remote with S2 from Finistère (3) + E (4)
    coverage = ind.training_structure_coverage(actor=bretagne, as_of=AS_OF)
    assert (coverage.active_structures, coverage.trained_structures) == (2, 2)
    bouches = make_user(Role.FINANCEUR, departement_code="13")
    assert ind.training_totals(actor=bouches, start=YEAR[0], end=YEAR[1]).participants == 8
    rhone = make_user(Role.FINANCEUR, departement_code="69")
    assert ind.training_trained(actor=rhone, start=YEAR[0], end=YEAR[1]) == []
    assert ind.training_structure_coverage(actor=rhone, as_of=AS_OF).share == 0
    national = make_user(Role.FINANCEUR)
    assert ind.training_totals(actor=national, start=YEAR[0], end=YEAR[1]).participants == 27


def test_partner_reads_network_wide_totals(network):
    partner = make_user(Role.PARTENAIRE, structure_id=network["s2"].id)
    assert ind.training_totals(actor=partner, start=YEAR[0], end=YEAR[1]).participants == 27


def test_recording_a_session_updates_the_indicator_at_once(network):
    coordinator = make_user(Role.COORDINATION)
    make_session(
        network["m1"].id,
        day=date(2025, 6, 1),
        hours=6,
        participants={"educateur_specialise": 5, "assistant_familial": 4, "infirmier_medecin": 3},
    )
    rows = _by(ind.training_trained(actor=coordinator, start=YEAR[0], end=YEAR[1]), "profile")
    assert (rows["educateur_specialise"], rows["assistant_familial"], rows["infirmier_medecin"]) == (18, 4, 3)
    gap = {g.module_title: g.gap for g in ind.training_plan_vs_delivered(actor=coordinator, year=2025, by=("module",))}
    assert gap["Repérage"] == 25 - 36


def test_empty_network_gives_zeros(db):
    coordinator = make_user(Role.COORDINATION)
    assert ind.training_trained(actor=coordinator) == []
    assert ind.training_totals(actor=coordinator).participants == 0
    assert ind.training_structure_coverage(actor=coordinator).share is None
    assert ind.training_plan_vs_delivered(actor=coordinator, year=2025) == []


def test_indicators_need_a_logged_in_actor(db):
    with pytest.raises(AccessDenied):
        ind.training_trained(actor=None)
    with pytest.raises(ValueError):
        ind.training_trained(actor=make_user(Role.COORDINATION), group_by=("structure",))


def test_requested_scope_and_period_object(network):
    from services.periods import Scope, period_of

    coordinator = make_user(Role.COORDINATION)
    march = period_of("mois", date(2025, 3, 15))
    assert ind.training_totals(actor=coordinator, within=march).participants == 20
    assert ind.training_totals(actor=coordinator, within=march, scope=Scope(region_code="93")).participants == 8
    first_quarter = period_of("trimestre", date(2025, 2, 1))
    rows = ind.training_trained(
        actor=coordinator, within=first_quarter, scope=Scope(departement_code="29"), group_by=()
    )
    assert rows[0].participants == 4  # E, held in Finistère (A was in Ille-et-Vilaine, attended by S2 but on site)
    overseas = ind.training_structure_coverage(actor=coordinator, as_of=AS_OF, scope=Scope(overseas_only=True))
    assert overseas.active_structures == 0
    bretagne = make_user(Role.FINANCEUR, region_code="53")
    widened = ind.training_totals(actor=bretagne, start=YEAR[0], end=YEAR[1], scope=Scope(region_code="93"))
    assert widened.participants == 19  # a funder limited to a région cannot read another one
