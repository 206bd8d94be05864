"""Outreach and prevention figures in the indicator catalogue: counted for the coordination, protected for funders."""

from datetime import date, datetime, time

import pytest

from core.errors import AccessDenied
from core.formatting import PARIS
from models.user import Role
from services.indicators import catalogue as ind
from services.outreach import sessions, staff
from services.outreach.indicators import outreach_totals, prevention_summary
from services.outreach.sessions import OutreachData
from services.path.orientation import consent_record, proposal_answer, proposal_create
from services.path.placements import placement_arrival
from services.periods import Scope, period_of
from tests.factories import make_request, make_structure, make_user

MARCH = period_of("mois", date(2025, 3, 1))


@pytest.fixture
def circuit(db):
    """Two digital sessions in Seine-Saint-Denis (2 and 1 presumed minors), one street session in Paris (3);
    the first session's contact becomes a request 2 days later, placed 5 days after the request."""
    coordinator = make_user(Role.COORDINATION)
    platform = sessions.platform_add(actor=coordinator, name="Site A")
    partner = make_user(Role.PARTENAIRE)

    def log(day, **values):
        base = dict(held_on=day, duration_minutes=120, team_size=2, counts={})
        base.update(values)
        return sessions.outreach_create(actor=partner, data=OutreachData(**base))

    first = log(
        date(2025, 3, 3),
        kind="numerique",
        departement_code="93",
        platform_ids=[platform.id],
        counts={"ads_spotted": 30, "ads_presumed_minors": 2, "messages_sent": 4, "reports_pharos": 1},
    )
    log(
        date(2025, 3, 10),
        kind="numerique",
        departement_code="93",
        platform_ids=[platform.id],
        counts={"ads_spotted": 10, "ads_presumed_minors": 1, "orientations_ase": 1},
    )
    log(
        date(2025, 3, 12),
        kind="rue",
        departement_code="75",
        place_kind="gare",
        counts={"persons_met": 7, "persons_presumed_minors": 3, "orientations_partner": 2},
    )
    log(date(2025, 4, 2), kind="rue", departement_code="75", place_kind="gare", counts={"persons_met": 9})
    request = make_request(
        coordinator, requester_kind="maraude", received_at=datetime.combine(date(2025, 3, 5), time(10), PARIS)
    )
    sessions.referral_link(actor=coordinator, session_id=first.id, child_code=request.code)
    structure = make_structure()
    at = datetime.combine(date(2025, 3, 8), time(12), PARIS)
    proposal = proposal_create(actor=coordinator, request_id=request.id, structure_id=structure.id, at=at)
    proposal = proposal_answer(
        actor=coordinator, proposal_id=proposal.id, expected_version=proposal.version, accepted=True, at=at
    )
    proposal = consent_record(
        actor=coordinator,
        proposal_id=proposal.id,
        expected_version=proposal.version,
        assent_obtained=True,
        authority_basis="decision_judiciaire",
        at=at,
    )
    placement_arrival(
        actor=coordinator, proposal_id=proposal.id, expected_version=proposal.version, arrival_date=date(2025, 3, 10)
    )
    staff.prevention_create(
        actor=partner, held_on=date(2025, 3, 20), kind="atelier", audience="jeunes", reached=40, departement_code="93"
    )
    staff.prevention_create(
        actor=partner,
        held_on=date(2025, 3, 21),
        kind="formation_professionnels",
        audience="professionnels",
        reached=15,
        departement_code="75",
    )
    staff.supervision_create(actor=partner, held_on=date(2025, 3, 25), kind="supervision", hours=2, participants=3)
    return coordinator


def test_outreach_totals_of_a_month(circuit):
    totals = outreach_totals(actor=circuit, first=MARCH.start, last=date(2025, 3, 31))
    assert totals.sessions == 3
    assert totals.by_kind == {"rue": 3, "numerique": 3}
    assert totals.counts["orientations_partner"] == 2 and totals.counts["reports_pharos"] == 1
    assert totals.linked_requests == 1 and totals.placed_after_outreach == 1
    assert totals.days_to_request == [2] and totals.days_to_arrival == [5]
    paris = outreach_totals(
        actor=circuit, first=MARCH.start, last=date(2025, 3, 31), scope=Scope(departement_code="75")
    )
    assert paris.sessions == 1 and paris.linked_requests == 0


def test_the_catalogue_counts_outreach_for_the_coordination(circuit):
    view = ind.indicator_view(actor=circuit, key="outreach", period=MARCH)
    assert view.info.definition.startswith("Personnes présumées mineures")
    assert view.headline.value.value == 6
    secondary = dict(view.headline.secondary)
    assert secondary["maraudes réalisées"].value == 3
    assert secondary["sollicitations issues d'une maraude"].value == 1
    assert secondary["délai médian repérage → sollicitation"].value == 2
    assert secondary["dont enfants accueillis dans une structure"].value == 1
    assert [t.key for t in view.tables] == ["assessment"]
    assert view.tables[0].cells == ((3,), (3,))
    activity = ind.indicator_view(actor=circuit, key="outreach_activity", period=MARCH)
    assert activity.headline.value.value == 3
    tables = {t.key: t for t in activity.tables}
    assert [t.title.split(" ")[0] for t in activity.tables] == ["1.", "3.", "4."]  # with axis 2: the call's four
    partnerships = dict(zip(tables["partnerships"].row_keys, tables["partnerships"].cells))
    assert partnerships["orientations_partner"] == (2,) and partnerships["reports_pharos"] == (1,)
    team = dict(zip(tables["team"].row_keys, tables["team"].cells))
    assert team["exposure"] == (8,) and team["supervision_hours"] == (2,)


def test_funders_read_outreach_protected(circuit):
    funder = make_user(Role.FINANCEUR)
    view = ind.indicator_view(actor=funder, key="outreach", period=MARCH)
    assert view.protected
    assert view.headline.value.value is None or view.headline.value.value % 5 == 0
    linked = dict(view.headline.secondary)["sollicitations issues d'une maraude"]
    assert linked.small and linked.value is None
    delay = dict(view.headline.secondary)["délai médian repérage → sollicitation"]
    assert delay.value is None  # a median of one child is not published
    assert all(t.drill is False and t.protected for t in view.tables)


def test_prevention_in_the_catalogue(circuit):
    summary = prevention_summary(actor=circuit, first=MARCH.start, last=date(2025, 3, 31))
    assert summary.by_audience == {"jeunes": (1, 40), "professionnels": (1, 15)}
    assert summary.supervision_hours == 2 and summary.digital_exposure_hours == 8
    view = ind.indicator_view(actor=circuit, key="prevention", period=MARCH)
    assert view.headline.value.value == 55
    in_93 = ind.indicator_view(actor=circuit, key="prevention", period=MARCH, scope=Scope(departement_code="93"))
    assert in_93.headline.value.value == 40


def test_partners_and_referrers_have_no_outreach_dashboard(circuit):
    for role in (Role.PARTENAIRE, Role.ORIENTEUR):
        with pytest.raises(AccessDenied):
            ind.indicator_view(actor=make_user(role), key="outreach", period=MARCH)


def test_the_annual_report_has_the_outreach_section_along_the_four_axes(circuit):
    from services.report.annual import annual_report_content, annual_report_html

    content = annual_report_content(actor=circuit, year=2025, protected=False)
    outreach = next(v for v in content.views if v.info.key == "outreach")
    assert outreach.headline.value.value == 6
    keys = [v.info.key for v in content.views]
    assert keys.index("outreach_activity") == keys.index("outreach") + 1
    html = annual_report_html(actor=circuit, year=2025, protected=False)
    for axis in ("1. Aller-vers", "2. Évaluation de la situation", "3. Partenariats pour l", "4. L"):
        assert axis in html
    assert "Repérage en maraude" in html or "Repérage des mineurs victimes" in html
