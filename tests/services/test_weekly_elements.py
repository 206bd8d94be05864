import pytest

from core.access import SYSTEM
from core.errors import AccessDenied, ConcurrentEdit, ValidationFailed
from models.user import Role
from models.weekly import Aggregation, ValueKind, WeeklyElementCreate, WeeklyElementUpdate
from services.weekly import elements
from tests.factories import make_user, make_weekly_elements


def test_default_set_seeded_once(db):
    assert elements.weekly_element_seed_defaults(actor=SYSTEM) == len(elements.DEFAULT_ELEMENTS)
    assert elements.weekly_element_seed_defaults(actor=SYSTEM) == 0
    seeded = {e.code: e for e in elements.weekly_element_list(actor=SYSTEM)}
    assert {
        "places_disponibles",
        "enfants_presents",
        "arrivees",
        "departs",
        "fugues",
        "sollicitations_directes",
        "professionnels_en_poste",
        "etp_educatifs",
    } == set(seeded)
    assert seeded["arrivees"].aggregation == Aggregation.SUM.value
    assert seeded["enfants_presents"].aggregation == Aggregation.LAST.value
    assert seeded["etp_educatifs"].value_kind == ValueKind.DECIMAL.value


def test_coordination_adds_an_element_with_a_generated_code(db):
    coordinator = make_user(Role.COORDINATION)
    make_weekly_elements()
    created = elements.weekly_element_create(
        actor=coordinator,
        data=WeeklyElementCreate(
            label="  Entretiens avec la police ",
            help_text="Auditions et dépôts de plainte accompagnés.",
            aggregation=Aggregation.SUM.value,
            required=False,
            position=90,
        ),
    )
    assert created.code == "entretiens_avec_la_police" and created.label == "Entretiens avec la police"
    again = elements.weekly_element_create(
        actor=coordinator,
        data=WeeklyElementCreate(label="Entretiens avec la police (gendarmerie)", code="entretiens_avec_la_police"),
    )
    assert again.code == "entretiens_avec_la_police_2"


def test_element_faults_listed_in_french(db):
    coordinator = make_user(Role.COORDINATION)
    make_weekly_elements()
    with pytest.raises(ValidationFailed) as raised:
        elements.weekly_element_create(
            actor=coordinator,
            data=WeeklyElementCreate(label="Arrivées", value_kind="texte", aggregation="max", minimum=5, maximum=2.5),
        )
    assert {(e.field, e.message) for e in raised.value.errors} == {
        ("Libellé", elements.LABEL_TAKEN),
        ("Type de valeur", elements.UNKNOWN_KIND),
        ("Agrégation", elements.UNKNOWN_AGGREGATION),
        ("Maximum", elements.BOUNDS_ORDER),
    }


def test_retire_keeps_the_element_and_concurrent_edit_refused(db):
    coordinator = make_user(Role.COORDINATION)
    seeded = make_weekly_elements()
    etp = seeded["etp_educatifs"]
    retired = elements.weekly_element_update(
        actor=coordinator, element_id=etp.id, expected_version=etp.version, data=WeeklyElementUpdate(active=False)
    )
    assert not retired.active and retired.version == etp.version + 1
    assert "etp_educatifs" not in {
        e.code for e in elements.weekly_element_list(actor=coordinator, include_retired=False)
    }
    assert "etp_educatifs" in {e.code for e in elements.weekly_element_list(actor=coordinator)}
    with pytest.raises(ConcurrentEdit):
        elements.weekly_element_update(
            actor=coordinator, element_id=etp.id, expected_version=etp.version, data=WeeklyElementUpdate(label="ETP")
        )


@pytest.mark.parametrize("role", [Role.PARTENAIRE, Role.FINANCEUR])
def test_only_coordination_defines_elements(db, role):
    actor = make_user(role)
    with pytest.raises(AccessDenied):
        elements.weekly_element_create(actor=actor, data=WeeklyElementCreate(label="X"))
    with pytest.raises(AccessDenied):
        elements.weekly_element_seed_defaults(actor=actor)
