"""Directory pages with data: the list, a structure's record and forms, the coverage map, conventions, référentiel."""

import json
from datetime import date

from models.user import Role
from services.directory.structures import structure_get
from tests.factories import make_convention, make_criterion, make_structure, make_user
from tests.pages.helpers import open_page, texts


def _seed():
    a = make_structure(name="MECS Les Tilleuls", departement_code="29", commune="Quimper", capacity=8)
    b = make_structure(name="Foyer Outre-mer", departement_code="974", commune="Saint-Denis", capacity=5)
    make_structure(name="Lieu de vie suspendu", departement_code="13", commune="Aix", status="suspendu")
    make_convention("29", signed_on=date(2024, 1, 1))
    make_criterion("Référent éducatif désigné")
    return a, b


def test_directory_lists_filters_and_counts(sqlite_db):
    _seed()
    at = open_page(make_user(Role.COORDINATION), "directory")
    assert not at.exception
    assert "**3** structures — **23** places" in texts(at)
    table = at.dataframe[0].value
    assert list(table["Nom"]) == ["Foyer Outre-mer", "Lieu de vie suspendu", "MECS Les Tilleuls"]
    assert "Référentiel" in table.columns
    at.checkbox(key="directory_filter_overseas").check().run()
    assert list(at.dataframe[0].value["Nom"]) == ["Foyer Outre-mer"]
    assert "**1** structure — **5** places" in texts(at)


def test_coordination_creates_a_structure_with_french_errors_first(sqlite_db):
    at = open_page(make_user(Role.COORDINATION), "directory")
    at.text_input(key="directory_new_name").input("Nouvelle MECS")
    at.button(key="FormSubmitter:directory_create-Créer la structure").click().run()
    assert "Rien n'a été enregistré" in texts(at)
    assert "Département : obligatoire" in texts(at)  # refused by the input's validation
    assert at.text_input(key="directory_new_name").value == "Nouvelle MECS"  # what was typed is kept
    at.selectbox(key="directory_new_departement").select("48")
    at.button(key="FormSubmitter:directory_create-Créer la structure").click().run()
    assert "Commune : la commune est obligatoire" in texts(at)  # then by the service's rules
    assert at.selectbox(key="directory_new_departement").value == "48"
    at.text_input(key="directory_new_commune").input("Mende")
    at.multiselect(key="directory_new_sexes").select("F")
    at.multiselect(key="directory_new_forms").select("sexuelle")
    at.button(key="FormSubmitter:directory_create-Créer la structure").click().run()
    assert "Structure « Nouvelle MECS » créée." in texts(at)


def test_partner_sees_contact_form_on_own_structure_only(sqlite_db):
    own, other = _seed()
    partner = make_user(Role.PARTENAIRE, structure_id=own.id)
    at = open_page(partner, "structure")
    assert not at.exception
    assert at.text_input(key=f"structure_contact_{own.id}_capacity").value == "8"
    assert not [w for w in at.text_input if w.key and w.key.endswith("_name")]  # no full form
    at.text_input(key=f"structure_contact_{own.id}_capacity").input("11")
    at.text_input(key=f"structure_contact_{own.id}_phone").input("02 98 11 22 33")
    at.button(key=f"FormSubmitter:structure_contact_{own.id}-Enregistrer").click().run()
    assert "Contact et capacité enregistrés." in texts(at)
    assert structure_get(actor=partner, structure_id=own.id).capacity == 11
    at.selectbox(key="structure_choice").select(other.id).run()
    assert "lecture seule" in texts(at)
    assert not [w for w in at.text_input if w.key and "contact" in w.key]


def test_a_decimal_capacity_is_refused_in_french_next_to_the_field(sqlite_db):
    own, _ = _seed()
    partner = make_user(Role.PARTENAIRE, structure_id=own.id)
    at = open_page(partner, "structure")
    at.text_input(key=f"structure_contact_{own.id}_capacity").input("2,5")
    at.button(key=f"FormSubmitter:structure_contact_{own.id}-Enregistrer").click().run()
    assert not at.exception
    assert any(m.value.startswith(":red[") and "Places : nombre entier attendu" in m.value for m in at.markdown)
    assert any("Rien n'a été enregistré" in e.value and "Places : nombre entier attendu" in e.value for e in at.error)
    assert at.text_input(key=f"structure_contact_{own.id}_capacity").value == "2,5"  # what was typed is kept
    assert structure_get(actor=partner, structure_id=own.id).capacity == 8


def test_coverage_page_shows_the_map_and_uncovered_list(sqlite_db):
    _seed()
    at = open_page(make_user(Role.COORDINATION), "coverage")
    assert not at.exception and not at.error
    assert "Non couverts (99)" in texts(at)
    assert "974 La Réunion" not in texts(at) and "976 Mayotte" in texts(at)
    assert "**Bretagne** : 22 Côtes-d'Armor, 35 Ille-et-Vilaine, 56 Morbihan" in texts(at)
    assert any(m.label == "Départements couverts" and m.value == "2 / 101" for m in at.metric)
    measure = at.radio(key="coverage_measure")
    assert "Département couvert" in measure.options and not [o for o in measure.options if "1 = oui" in o]
    at = measure.set_value("covered").run()
    assert not at.exception
    colour = json.loads(at.get("vega_lite_chart")[0].proto.spec)["layer"][1]["encoding"]["color"]
    assert colour["scale"]["domain"] == ["oui", "non"]


def test_conventions_and_standards_pages_render_data(sqlite_db):
    _seed()
    coordinator = make_user(Role.COORDINATION)
    at = open_page(coordinator, "conventions")
    assert not at.exception and "Finistère" in " ".join(at.dataframe[0].value["Département"])
    at = open_page(coordinator, "standards")
    assert not at.exception
    assert "Référent éducatif désigné" in list(at.dataframe[-1].value["Critère"])


def test_coordination_changes_a_status_from_the_record(sqlite_db):
    a, _ = _seed()
    coordinator = make_user(Role.COORDINATION)
    at = open_page(coordinator, "structure")
    at.selectbox(key="structure_choice").select(a.id).run()
    prefix = f"structure_edit_{a.id}"
    at.selectbox(key=f"{prefix}_status").select("suspendu")
    at.button(key=f"FormSubmitter:{prefix}-Enregistrer").click().run()
    assert not at.exception
    assert "Fiche « MECS Les Tilleuls » enregistrée." in texts(at)
    assert structure_get(actor=coordinator, structure_id=a.id).status == "suspendu"
