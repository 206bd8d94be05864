"""The weekly figures pages, driven like a user with AppTest: entry, refusal, confirmation, conflict, board."""

from datetime import timedelta

from core.access import SYSTEM
from core.clock import paris_today
from core.formatting import fr_date, fr_week
from models.base import utcnow
from models.user import Role
from services.weekly import reports as weekly
from services.weekly import schedule
from services.weekly import validation as rules
from services.weekly.elements import weekly_element_list
from services.weekly.schedule import WeekState
from services.weekly.weeks import current_week
from tests.factories import make_structure, make_user, make_weekly_elements, make_weekly_report, weekly_values
from tests.pages.helpers import open_page, texts

GOOD = {"Places disponibles": "2", "Enfants présents": "8", "Arrivées": "1", "Départs": "1", "Fugues": "0"}


def _fields(at) -> dict:
    """The grid's value fields by element label (comment fields left out)."""
    return {t.label: t for t in at.text_input if not t.label.startswith("Commentaire")}


def _fill(at, values: dict) -> None:
    by_label = _fields(at)
    for label, value in values.items():
        by_label[label].set_value(value)


def _click(at, label: str):
    next(b for b in at.button if b.label == label).click()
    return at.run()


def _entry(actor):
    return weekly.weekly_entry_get(actor=actor, structure_id=actor.structure_id, week_start=current_week(utcnow()))


def test_partner_fills_and_submits_the_week_in_one_screen(sqlite_db):
    make_weekly_elements()
    partner = make_user(Role.PARTENAIRE, display_name="Julien Moreau")
    at = open_page(partner, "weekly_entry")
    assert not at.exception
    assert {"Places disponibles", "Enfants présents", "ETP éducatifs"} <= set(_fields(at))
    week = current_week(utcnow())
    assert at.subheader[0].value.endswith(f" — {fr_week(week)}") and "-W" not in at.subheader[0].value
    assert any(c.value.startswith(f"Du lundi {fr_date(week)} au dimanche") for c in at.caption)
    _fill(at, GOOD)
    at = _click(at, "Envoyer à la coordination")
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "Chiffres envoyés à la coordination." in texts(at)
    assert "dernière mise à jour par Julien Moreau le" in " ".join(s.value for s in at.success)
    entry = _entry(partner)
    assert entry.state == WeekState.SUBMITTED
    assert {r.code: r.value for r in entry.rows}["enfants_presents"] == 8


def test_impossible_value_refused_in_french_and_nothing_written(sqlite_db):
    make_weekly_elements()
    partner = make_user(Role.PARTENAIRE)
    at = open_page(partner, "weekly_entry")
    _fill(at, {**GOOD, "Places disponibles": "20", "Arrivées": "-1"})
    at = _click(at, "Envoyer à la coordination")
    shown = texts(at).replace("\\", "")  # Markdown escapes
    assert "Rien n'a été enregistré" in shown
    assert rules.ABOVE_CAPACITY.format(capacity=10) in shown and rules.NEGATIVE in shown
    assert _entry(partner).version == 0
    assert _fields(at)["Places disponibles"].value == "20"  # what was typed stays
    # Each fault is shown next to its field as well as in the list at the top.
    beside = [m.value for m in at.markdown if m.value.startswith(":red[")]
    assert any("Places disponibles" in m and "capacité" in m for m in beside), beside
    assert any("Arrivées" in m and rules.NEGATIVE in m for m in beside), beside


def test_unusual_value_needs_ticking_the_confirmation(sqlite_db):
    make_weekly_elements()
    partner = make_user(Role.PARTENAIRE)
    this_week = current_week(utcnow())
    for n in range(1, 7):
        week = this_week - timedelta(weeks=n)
        make_weekly_report(
            partner.structure_id,
            week,
            now=schedule.deadline_rule().deadline(week) - timedelta(hours=1),
            sollicitations_directes=2,
        )
    at = open_page(partner, "weekly_entry")
    _fill(at, {**GOOD, "Sollicitations reçues directement": "45"})
    at = _click(at, "Envoyer à la coordination")
    assert rules.UNUSUAL_INTRO in texts(at) and _entry(partner).version == 0
    next(c for c in at.checkbox if c.label == "Je confirme ces valeurs inhabituelles").check()
    at = _click(at, "Envoyer à la coordination")
    assert "Chiffres envoyés à la coordination." in texts(at)
    assert _entry(partner).state == WeekState.SUBMITTED


def test_second_save_on_screen_refused_with_what_changed(sqlite_db):
    make_weekly_elements()
    partner = make_user(Role.PARTENAIRE)
    at = open_page(partner, "weekly_entry")  # the page opens the empty week
    weekly.weekly_save(
        actor=SYSTEM,
        structure_id=partner.structure_id,
        week_start=current_week(utcnow()),
        values=weekly_values(enfants_presents=5, places_disponibles=3),
        expected_version=0,
    )
    _fill(at, GOOD)
    at = _click(at, "Enregistrer le brouillon")
    shown = texts(at)
    assert "quelqu'un d'autre a modifié" in shown and "Enfants présents" in shown and "« 5 »" in shown
    assert {r.code: r.value for r in _entry(partner).rows}["enfants_presents"] == 5
    assert any(b.label.startswith("Recharger") for b in at.button)


def test_new_element_added_by_coordination_appears_in_partner_grid(sqlite_db):
    make_weekly_elements()
    coordinator, partner = make_user(Role.COORDINATION), make_user(Role.PARTENAIRE)
    at = open_page(coordinator, "weekly_elements")
    next(t for t in at.text_input if t.label == "Libellé").set_value("Signalements au procureur")
    at = _click(at, "Ajouter l'élément")
    assert not at.error, [e.value for e in at.error]
    grid = open_page(partner, "weekly_entry")
    assert "Signalements au procureur" in _fields(grid)


def test_element_order_is_a_whole_number_typed_the_french_way(sqlite_db):
    make_weekly_elements()
    coordinator = make_user(Role.COORDINATION)
    at = open_page(coordinator, "weekly_elements")
    next(t for t in at.text_input if t.label == "Libellé").set_value("Mises à l'abri")
    at.text_input(key="weekly_elements_new_position").set_value("12,5")
    at = _click(at, "Ajouter l'élément")
    assert "Ordre dans la grille : nombre entier attendu" in texts(at)
    assert "Mises à l'abri" not in [e.label for e in weekly_element_list(actor=coordinator)]
    at.text_input(key="weekly_elements_new_position").set_value("1 005")
    at = _click(at, "Ajouter l'élément")
    assert not at.error, [e.value for e in at.error]
    added = next(e for e in weekly_element_list(actor=coordinator) if e.label == "Mises à l'abri")
    assert added.position == 1005


def test_french_typing_saved_as_typed_and_shown_the_french_way(sqlite_db):
    make_weekly_elements()
    partner = make_user(Role.PARTENAIRE)
    at = open_page(partner, "weekly_entry")
    _fill(at, {**GOOD, "ETP éducatifs": "8,5"})
    at = _click(at, "Enregistrer le brouillon")
    assert not at.error, [e.value for e in at.error]
    assert {r.code: r.value for r in _entry(partner).rows}["etp_educatifs"] == 8.5
    assert _fields(at)["ETP éducatifs"].value == "8,5"
    _fill(at, {"Places disponibles": "2,5"})
    at = _click(at, "Enregistrer le brouillon")
    assert "Places disponibles : nombre entier attendu" in texts(at)


def test_stock_flow_gap_asks_for_a_comment(sqlite_db):
    make_weekly_elements()
    partner = make_user(Role.PARTENAIRE)
    last_week = current_week(utcnow()) - timedelta(weeks=1)
    make_weekly_report(
        partner.structure_id, last_week, now=weekly.deadline_rule().deadline(last_week) - timedelta(hours=1)
    )  # 8 present
    at = open_page(partner, "weekly_entry")
    assert any("Semaine précédente : 8" in c.value for c in at.caption)
    _fill(at, {**GOOD, "Enfants présents": "6", "Places disponibles": "4"})
    at = _click(at, "Envoyer à la coordination")
    assert "expliquez l'écart en commentaire" in texts(at).replace("\\", "") and _entry(partner).version == 0
    next(t for t in at.text_input if t.label == "Commentaire (Enfants présents)").set_value("Deux transferts")
    at = _click(at, "Envoyer à la coordination")
    assert "Chiffres envoyés à la coordination." in texts(at)


def test_board_lists_missing_structures_to_remind(sqlite_db):
    make_weekly_elements()
    coordinator = make_user(Role.COORDINATION)
    joined = paris_today() - timedelta(days=365)
    sent = make_structure(name="Maison qui répond", joined_on=joined)
    make_structure(name="Maison silencieuse", joined_on=joined)
    last_week = current_week(utcnow()) - timedelta(weeks=1)
    make_weekly_report(sent.id, last_week, now=utcnow())
    at = open_page(coordinator, "weekly_board")
    assert not at.exception and not at.error
    reminders = at.dataframe[0].value
    assert list(reminders["Structure"]) == ["Maison silencieuse"]
    assert "Complétude" in [m.label for m in at.metric]


def test_home_pages_say_what_is_due(sqlite_db):
    make_weekly_elements()
    structure = make_structure(joined_on=paris_today() - timedelta(days=365))
    partner = make_user(Role.PARTENAIRE, structure_id=structure.id)
    this_week = fr_week(current_week(utcnow()))
    assert f"Chiffres de cette semaine ({this_week})" in texts(open_page(partner, "home"))
    coordinator = make_user(Role.COORDINATION)
    assert "leurs chiffres de la semaine " in texts(open_page(coordinator, "home"))


def test_import_page_imports_a_csv(sqlite_db):
    make_weekly_elements()
    partner = make_user(Role.PARTENAIRE)
    week = current_week(utcnow()) - timedelta(weeks=1)
    csv = f"semaine;places_disponibles;enfants_presents;arrivees;departs;fugues\n{week.isoformat()};2;8;1;1;0\n"
    at = open_page(partner, "weekly_import")
    at.file_uploader[0].upload("chiffres.csv", csv.encode(), "text/csv")
    at = _click(at, "Importer")
    assert "1 semaine(s) importée(s)" in texts(at), texts(at)


def test_charts_page_draws_the_network_and_the_structure(sqlite_db):
    make_weekly_elements()
    partner = make_user(Role.PARTENAIRE)
    make_weekly_report(partner.structure_id, current_week(utcnow()) - timedelta(weeks=1), now=utcnow())
    at = open_page(partner, "weekly_charts")
    assert not at.exception and not at.error
    assert "Aucun chiffre envoyé" not in texts(at)
    at.radio[0].set_value("structure")
    at = at.run()
    assert not at.exception and not at.error


def test_charts_page_says_why_a_lone_structures_region_is_not_shown(sqlite_db):
    from services.weekly.contributors import WITHHELD_FEW

    make_weekly_elements()
    partner = make_user(Role.PARTENAIRE)
    week = current_week(utcnow()) - timedelta(weeks=10)  # locked: only the rule on contributors applies
    lone = make_structure(name="Seule en Corse", departement_code="2A", joined_on=week - timedelta(weeks=4)).id
    make_weekly_report(lone, week, now=schedule.deadline_rule().deadline(week) - timedelta(days=1), enfants_presents=7)
    at = open_page(partner, "weekly_charts")
    at.selectbox(key="weekly_charts_region").set_value("94")
    at = at.run()
    assert not at.exception and not at.error
    assert WITHHELD_FEW in texts(at) and not at.get("vega_lite_chart")
    coordination = open_page(make_user(Role.COORDINATION), "weekly_charts")
    coordination.selectbox(key="weekly_charts_region").set_value("94")
    coordination = coordination.run()
    assert coordination.get("vega_lite_chart")
    assert WITHHELD_FEW not in texts(coordination)


def test_an_element_minimum_and_maximum_are_typed_the_french_way(sqlite_db):
    from services.weekly.elements import weekly_element_list

    coordinator = make_user(Role.COORDINATION)
    at = open_page(coordinator, "weekly_elements")
    at.text_input(key="weekly_elements_new_label").input("Heures de veille")
    at.selectbox(key="weekly_elements_new_kind").set_value("decimal")
    at.text_input(key="weekly_elements_new_min").input("0,5")
    at.text_input(key="weekly_elements_new_max").input("1 000")
    next(b for b in at.button if b.label == "Ajouter l'élément").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    [added] = [e for e in weekly_element_list(actor=coordinator) if e.label == "Heures de veille"]
    assert (added.minimum, added.maximum) == (0.5, 1000)
