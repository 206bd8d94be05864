"""The child-path pages with data: board, new request, record with finder, partner quick actions, logs."""

from datetime import timedelta

from core.clock import paris_date
from models.base import utcnow
from models.user import Role
from services.path.child_access import child_access_list
from services.path.indicators import path_runaway_rate
from services.path.requests import request_board, request_get
from tests.factories import make_oriented, make_placed, make_request, make_structure, make_user
from tests.pages.helpers import open_page, texts


def _button(at, label):
    return next(b for b in at.button if b.label == label)


def test_board_lists_open_requests_with_their_age(sqlite_db):
    coordinator = make_user(Role.COORDINATION)
    request = make_request(coordinator, received_at=utcnow() - timedelta(hours=30))
    at = open_page(coordinator, "requests")
    assert not at.exception and not at.error
    frame = at.dataframe[0].value
    assert list(frame["Code"]) == [request.code]
    assert list(frame["Attente (h)"]) == [30]


def test_new_request_gives_a_code_then_the_finder_ranks_far_structures_first(sqlite_db):
    coordinator = make_user(Role.COORDINATION)
    make_structure(name="Près de Paris", departement_code="94")
    make_structure(name="Nice", departement_code="06")
    make_structure(name="Lyon", departement_code="69")
    at = open_page(coordinator, "requests")
    at.segmented_control(key="sollicitations_view").set_value("Nouvelle sollicitation").run()
    at.selectbox(key="sollicitations_new_requester").set_value("police")
    at.selectbox(key="sollicitations_new_requester_dep").set_value("93")
    at.text_input(key="sollicitations_new_age").input("15")
    at.selectbox(key="sollicitations_new_sex").set_value("F")
    at.multiselect(key="sollicitations_new_forms").set_value(["sexuelle"])
    at.selectbox(key="sollicitations_new_exploitation_dep").set_value("93")
    _button(at, "Enregistrer la sollicitation").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    code = request_board(actor=coordinator).rows[0].code
    assert f"l'enfant porte le code {code}" in texts(at)
    finder = next(m.value for m in at.markdown if m.value.startswith("1. **"))
    lines = finder.split("\n")
    assert [line.split("**")[1] for line in lines] == ["Nice", "Lyon", "Près de Paris"]
    assert lines[0].startswith("1. **Nice** (06 — Alpes-Maritimes) — Recommandée : 10 places libres (capacité")
    assert lines[2].startswith("3. **Près de Paris** (94 — Val-de-Marne) — Trop proche")
    assert child_access_list(actor=coordinator).rows[0].child_code == code


def test_adult_request_is_refused_in_french_and_the_form_keeps_what_was_typed(sqlite_db):
    coordinator = make_user(Role.COORDINATION)
    at = open_page(coordinator, "requests")
    at.segmented_control(key="sollicitations_view").set_value("Nouvelle sollicitation").run()
    at.text_input(key="sollicitations_new_age").input("19")
    at.selectbox(key="sollicitations_new_sex").set_value("M")
    _button(at, "Enregistrer la sollicitation").click().run()
    assert "moins de 18 ans" in texts(at)
    assert at.text_input(key="sollicitations_new_age").value == "19"
    assert request_board(actor=coordinator).total == 0


def test_record_proposes_orients_and_places(sqlite_db):
    coordinator = make_user(Role.COORDINATION)
    structure = make_structure(name="Nice", departement_code="06")
    request = make_request(coordinator)
    at = open_page(coordinator, "requests")
    at.session_state["sollicitations_open_id"] = request.id
    at.run()
    at.multiselect(key=f"sollicitations_propose_choice_{request.id}").set_value([structure.id])
    _button(at, "Envoyer la proposition d'orientation").click().run()
    assert "1 proposition(s) envoyée(s)." in texts(at)
    proposal = request_get(actor=coordinator, request_id=request.id).proposals[0]
    at.radio(key=f"sollicitations_decision_{proposal.id}").set_value("accept")
    _button(at, "Enregistrer la réponse").click().run()
    assert request_get(actor=coordinator, request_id=request.id).status == "orientee"
    at.radio(key=f"sollicitations_assent_{proposal.id}").set_value(True)
    at.selectbox(key=f"sollicitations_authority_{proposal.id}").set_value("decision_judiciaire")
    _button(at, "Enregistrer les consentements").click().run()
    assert not at.error, [e.value for e in at.error]
    _button(at, "Confirmer l'arrivée").click().run()
    detail = request_get(actor=coordinator, request_id=request.id)
    assert detail.status == "placee" and detail.placement.structure_name == "Nice"
    assert "Arrivée à Nice le " in texts(at)


def test_partner_sees_only_its_children_and_records_a_runaway(sqlite_db):
    coordinator = make_user(Role.COORDINATION)
    mine, theirs = make_structure(name="Chez nous"), make_structure(name="Ailleurs")
    partner = make_user(Role.PARTENAIRE, structure_id=mine.id)
    arrival = paris_date(utcnow()) - timedelta(days=3)
    own, placement = make_placed(mine.id, coordinator, arrival_date=arrival)
    other, _ = make_placed(theirs.id, coordinator)
    at = open_page(partner, "children")
    assert not at.exception and not at.error
    frame = at.dataframe[0].value
    assert list(frame["Code"]) == [own.code] and other.code not in texts(at)
    at.selectbox(key="children_chosen").set_value(own.child_id).run()
    _button(at, "Signaler la fugue").click().run()
    assert "Fugue enregistrée" in texts(at)
    rate = path_runaway_rate(actor=coordinator, days=7)
    assert (rate.numerator, rate.denominator) == (1, 1)
    assert child_access_list(actor=coordinator, staff_login=partner.username).total == 1


def test_partner_answers_a_proposal(sqlite_db):
    coordinator = make_user(Role.COORDINATION)
    mine = make_structure(name="Chez nous")
    partner = make_user(Role.PARTENAIRE, structure_id=mine.id)
    request = make_request(coordinator)
    from services.path.orientation import proposal_create

    proposal = proposal_create(actor=coordinator, request_id=request.id, structure_id=mine.id)
    at = open_page(partner, "children")
    at.radio(key=f"children_decision_{proposal.id}").set_value("refuse")
    at.selectbox(key=f"children_refusal_{proposal.id}").set_value("pas_de_place")
    _button(at, "Enregistrer la réponse").click().run()
    assert "Réponse enregistrée." in texts(at)
    assert request_get(actor=coordinator, request_id=request.id).proposals[0].status == "refusee"


def test_access_log_page_shows_who_opened_which_record(sqlite_db):
    coordinator = make_user(Role.COORDINATION, username="claire", display_name="Claire Martin")
    request = make_request(coordinator)
    request_get(actor=coordinator, request_id=request.id)
    at = open_page(coordinator, "access_log")
    frame = at.dataframe[0].value
    assert list(frame["Qui"]) == ["Claire Martin"] and list(frame["Identifiant"]) == ["claire"]
    assert list(frame["Enfant"]) == [request.code]


def test_indicators_page_for_coordination_and_funder(sqlite_db):
    coordinator = make_user(Role.COORDINATION)
    structure = make_structure(departement_code="06")
    make_placed(structure.id, coordinator)
    make_oriented(structure.id, coordinator)
    at = open_page(coordinator, "path_indicators")
    assert not at.exception and not at.error
    values = {m.label: m.value for m in at.metric}
    assert values["1. Sollicitations reçues"] == "2" and values["3. Enfants accueillis"] == "1"
    assert values["Délai médian jusqu'à l'arrivée"] == "2,0 j"
    last_month = (paris_date(utcnow()).replace(day=1) - timedelta(days=1)).replace(day=3)
    make_placed(structure.id, coordinator, arrival_date=last_month)
    funder = open_page(make_user(Role.FINANCEUR), "path_indicators")
    assert not funder.exception and not funder.error
    assert not funder.date_input  # whole months that are over, picked as months
    assert [s.label for s in funder.selectbox][:2] == ["Du mois", "Au mois"]
    assert {m.label: m.value for m in funder.metric}["1. Sollicitations reçues"] == "< 5"
    assert "Répartition non publiée" in texts(funder)  # a single child: no breakdown


def test_home_tells_each_role_what_waits(sqlite_db):
    coordinator = make_user(Role.COORDINATION)
    structure = make_structure()
    partner = make_user(Role.PARTENAIRE, structure_id=structure.id)
    make_request(coordinator, received_at=utcnow() - timedelta(hours=5))
    make_oriented(structure.id, coordinator)
    home = open_page(coordinator, "home")
    assert "sollicitation(s) pas encore orientée(s) — la plus ancienne attend depuis 5 h" in texts(home)
    home = open_page(partner, "home")
    assert "arrivée(s) attendue(s) après votre accord" in texts(home)


def test_audit_log_page_names_the_author_and_keeps_the_log_in_to_filter_on(sqlite_db):
    coordinator = make_user(Role.COORDINATION, username="claire", display_name="Claire Martin")
    make_request(coordinator)
    at = open_page(coordinator, "audit")
    frame = at.dataframe[0].value
    assert "Claire Martin" in set(frame["Auteur"]) and "claire" not in set(frame["Auteur"])
    assert "claire" in set(frame["Identifiant"])


def test_minimum_distance_setting_is_typed_the_french_way_and_bounded(sqlite_db):
    from services.admin.settings import setting_get

    coordinator = make_user(Role.COORDINATION)
    at = open_page(coordinator, "path_indicators")
    field = at.text_input(key="path_indicators_distance_value")
    assert field.value == "200"
    field.set_value("1 500")
    _button(at, "Enregistrer").click().run()
    assert "Distance minimale (km) : 1000 au plus" in texts(at)
    assert setting_get(key="path_min_distance_km") == 200
    at.text_input(key="path_indicators_distance_value").set_value("250")
    _button(at, "Enregistrer").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert setting_get(key="path_min_distance_km") == 250
