from datetime import timedelta

from core.clock import paris_today
from models.user import Role
from services.directory.standards import AssessmentInput, assessments_save, months_before
from services.directory.structures import structure_confirm_contact
from services.home.items import home_items
from tests.factories import make_convention, make_criterion, make_structure, make_user

TODAY = paris_today()


def test_coordination_sees_stale_assessments_and_conventions_ending(db):
    coordinator = make_user(Role.COORDINATION)
    s = make_structure()
    c = make_criterion()
    assessments_save(
        actor=coordinator,
        structure_id=s.id,
        items=[AssessmentInput(criterion_id=c.id, level="atteint", assessed_on=months_before(TODAY, 14))],
    )
    make_convention("33", signed_on=TODAY - timedelta(days=700), ends_on=TODAY + timedelta(days=20))
    items = {i.page: i for i in home_items(actor=coordinator)}
    assert items["standards"].count == 1 and "12 mois" in items["standards"].label
    assert items["conventions"].count == 1


def test_partner_asked_to_check_contact_until_confirmed(db):
    own = make_structure()
    partner = make_user(Role.PARTENAIRE, structure_id=own.id)
    assert [i.page for i in home_items(actor=partner) if i.page == "structure"] == ["structure"]
    structure_confirm_contact(actor=partner, structure_id=own.id)
    assert [i.page for i in home_items(actor=partner) if i.page == "structure"] == []
    assert home_items(actor=make_user(Role.FINANCEUR)) == []
