from datetime import date, timedelta

import pytest

from core.clock import paris_today
from core.errors import AccessDenied, ConcurrentEdit, ValidationFailed
from models.standard import CriterionCreate
from models.user import Role
from services.directory import standards
from services.directory.standards import AssessmentInput, months_before
from services.directory.structure_rules import FUTURE_DATE
from tests.factories import make_criterion, make_structure, make_user

TODAY = paris_today()


def test_months_before():
    assert months_before(date(2025, 3, 31), 1) == date(2025, 2, 28)
    assert months_before(date(2025, 1, 15), 12) == date(2024, 1, 15)
    assert months_before(date(2024, 2, 29), 12) == date(2023, 2, 28)


def test_criteria_ordered_unique_and_retired(db):
    coordinator = make_user(Role.COORDINATION)
    a = make_criterion("Taux d'encadrement")
    b = make_criterion("Référent éducatif désigné")
    assert [c.label for c in standards.criterion_list(actor=coordinator)] == [
        "Taux d'encadrement",
        "Référent éducatif désigné",
    ]
    with pytest.raises(ValidationFailed, match=standards.LABEL_TAKEN):
        standards.criterion_create(actor=coordinator, data=CriterionCreate(label="taux d'encadrement"))
    with pytest.raises(ValidationFailed) as raised:
        standards.criterion_create(actor=coordinator, data=CriterionCreate(label=" ", category="x"))
    assert {e.message for e in raised.value.errors} == {standards.LABEL_REQUIRED, standards.UNKNOWN_CATEGORY}
    standards.criterion_update(
        actor=coordinator,
        criterion_id=a.id,
        expected_version=a.version,
        data=CriterionCreate(**{**a.model_dump(), "active": False}),
    )
    assert [c.id for c in standards.criterion_list(actor=coordinator)] == [b.id]
    assert len(standards.criterion_list(actor=coordinator, include_inactive=True)) == 2


def test_assessments_compliance_and_staleness(db):
    coordinator = make_user(Role.COORDINATION)
    s = make_structure(name="A")
    fresh = make_structure(name="B")
    make_structure(name="Jamais")
    make_structure(name="Partie", status="sorti")
    c1, c2, c3 = make_criterion(), make_criterion(), make_criterion()
    old = months_before(TODAY, 13)
    standards.assessments_save(
        actor=coordinator,
        structure_id=s.id,
        items=[
            AssessmentInput(criterion_id=c1.id, level="atteint", assessed_on=old),
            AssessmentInput(criterion_id=c2.id, level="partiel", assessed_on=TODAY, comment="à revoir"),
        ],
    )
    standards.assessments_save(
        actor=coordinator,
        structure_id=fresh.id,
        items=[AssessmentInput(criterion_id=c3.id, level="non_atteint", assessed_on=TODAY)],
    )
    grid = standards.assessment_grid(actor=coordinator, structure_id=s.id)
    assert [(g.level, g.stale) for g in grid] == [("atteint", True), ("partiel", False), (None, False)]
    compliance = standards.compliance_for(actor=coordinator, structure_ids=[s.id])[s.id]
    assert (compliance.met, compliance.partly, compliance.missing, compliance.stale) == (1, 1, 1, 1)
    assert compliance.rate == pytest.approx(0.5)
    assert standards.stale_structure_count(actor=coordinator) == 1
    assert standards.never_assessed_count(actor=coordinator) == 1  # the structure that left is not counted
    # Saving the same values changes nothing; a new date refreshes.
    items = [AssessmentInput(criterion_id=c1.id, level="atteint", assessed_on=TODAY, expected_version=grid[0].version)]
    assert standards.assessments_save(actor=coordinator, structure_id=s.id, items=items) == 1
    assert standards.stale_structure_count(actor=coordinator) == 0
    with pytest.raises(ConcurrentEdit):
        standards.assessments_save(actor=coordinator, structure_id=s.id, items=items)


def test_assessment_faults_listed_and_nothing_written(db):
    coordinator = make_user(Role.COORDINATION)
    s = make_structure()
    c1, c2 = make_criterion(), make_criterion()
    with pytest.raises(ValidationFailed) as raised:
        standards.assessments_save(
            actor=coordinator,
            structure_id=s.id,
            items=[
                AssessmentInput(criterion_id=c1.id, level="atteint", assessed_on=TODAY),
                AssessmentInput(criterion_id=c2.id, level="bof", assessed_on=TODAY + timedelta(days=2)),
            ],
        )
    assert {(e.row, e.message) for e in raised.value.errors} == {(2, standards.UNKNOWN_LEVEL), (2, FUTURE_DATE)}
    assert all(g.level is None for g in standards.assessment_grid(actor=coordinator, structure_id=s.id))


def test_partner_reads_own_assessments_only_and_cannot_write(db):
    own, other = make_structure(), make_structure()
    partner = make_user(Role.PARTENAIRE, structure_id=own.id)
    c = make_criterion()
    assert len(standards.assessment_grid(actor=partner, structure_id=own.id)) == 1
    with pytest.raises(AccessDenied):
        standards.assessment_grid(actor=partner, structure_id=other.id)
    with pytest.raises(AccessDenied):
        standards.assessments_save(
            actor=partner,
            structure_id=own.id,
            items=[AssessmentInput(criterion_id=c.id, level="atteint", assessed_on=TODAY)],
        )
    with pytest.raises(AccessDenied):
        standards.criterion_create(actor=partner, data=CriterionCreate(label="X"))
    assert set(standards.compliance_for(actor=partner, structure_ids=[own.id, other.id])) == {own.id}


def test_funder_has_no_access(db):
    funder = make_user(Role.FINANCEUR)
    with pytest.raises(AccessDenied):
        standards.criterion_list(actor=funder)
