"""Training pages with data: recording a session, the indicators, the partner's view."""

from datetime import date, timedelta

from core.clock import paris_today
from models.user import Role
from services.training.plan import training_plan_set
from services.training.session_listing import training_session_list
from tests.factories import make_module, make_session, make_structure, make_user
from tests.pages.helpers import open_page, texts

YEAR = paris_today().year


def _metric(at, label_start: str) -> str:
    return next(m.value for m in at.metric if m.label.startswith(label_start))


def _fill_new_session(at, **participants):
    next(t for t in at.text_input if t.label == "Organisme formateur").input("Institut régional du travail social")
    next(r for r in at.radio if r.label == "Statut").set_value("realisee")
    for label, count in participants.items():
        next(n for n in at.text_input if n.label == label).input(str(count))


def test_recording_a_session_updates_indicator_six_by_profile_at_once(sqlite_db):
    coordinator = make_user(Role.COORDINATION)
    module = make_module(title="Repérage des victimes", target_profiles=["educateur_specialise", "psychologue"])
    make_session(
        module.id,
        day=date(YEAR, 1, 2) if paris_today() > date(YEAR, 1, 2) else paris_today(),
        participants={"educateur_specialise": 3},
    )
    at = open_page(coordinator, "trainings")
    assert _metric(at, "Professionnels formés") == "3"
    _fill_new_session(at, **{"Éducateur spécialisé": 6, "Psychologue": 2, "Cadre ou direction": 4})
    next(b for b in at.button if b.label == "Enregistrer la session").click()
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "12 participants" in at.success[0].value
    assert _metric(at, "Professionnels formés") == "15"
    assert "Éducateur spécialisé 9" in texts(at) and "Cadre ou direction 4" in texts(at)
    assert training_session_list(actor=coordinator).total == 2


def test_refused_session_keeps_what_was_typed(sqlite_db):
    coordinator = make_user(Role.COORDINATION)
    make_module(title="Repérage des victimes")
    at = open_page(coordinator, "trainings")
    _fill_new_session(at)  # delivered, but nobody counted
    next(n for n in at.text_input if n.label.startswith("Heures")).input("12")
    next(b for b in at.button if b.label == "Enregistrer la session").click()
    at.run()
    message = at.error[0].value
    assert "Rien n'a été enregistré" in message and "au moins un participant" in message and "12 h hors" in message
    assert (
        next(t for t in at.text_input if t.label == "Organisme formateur").value
        == "Institut régional du travail social"
    )
    assert training_session_list(actor=coordinator).total == 0


def test_indicators_page_shows_plan_gap_per_module(sqlite_db):
    coordinator = make_user(Role.COORDINATION)
    module = make_module(title="Cadre juridique", duration_min_hours=3, duration_max_hours=3.5)
    make_session(
        module.id,
        day=paris_today() - timedelta(days=1) if paris_today().day > 1 else paris_today(),
        hours=3,
        participants={"cadre_direction": 4},
    )
    training_plan_set(actor=coordinator, year=YEAR, changes={(module.id, "cadre_direction"): 10})
    for role in (Role.COORDINATION, Role.FINANCEUR):
        at = open_page(make_user(role), "training_indicators")
        assert not at.exception and not at.error
        frames = [d.value for d in at.dataframe]
        plan = next(f for f in frames if "Reste à former" in f.columns)
        assert plan.iloc[0].to_dict() == {
            "Module": "Cadre juridique",
            "Prévus": 10,
            "Formés": 4,
            "Reste à former": 6,
            "Réalisation": "40 %",
        }
        assert _metric(at, "Professionnels formés") == "4"


def test_partner_sees_own_history_missing_modules_and_no_other_structure(sqlite_db):
    mine, other = make_structure(name="Lieu de vie La Clairière"), make_structure(name="MECS Les Tilleuls — Nice")
    partner = make_user(Role.PARTENAIRE, structure_id=mine.id)
    basics = make_module(title="Repérage des victimes")
    make_module(title="Mise en sécurité et fugues", prerequisite_ids=[basics.id])
    make_session(basics.id, structure_ids=[mine.id, other.id], trainer_organisation="Institut régional")
    at = open_page(partner, "team_trainings")
    assert not at.exception and not at.error
    page = texts(at)
    assert "Mise en sécurité et fugues" in page and "Lieu de vie La Clairière" in page
    history = at.dataframe[0].value
    assert history["Module"].tolist() == ["Repérage des victimes"]
    everything = page + "".join(d.value.to_csv() for d in at.dataframe)
    assert "MECS Les Tilleuls" not in everything
    assert _metric(at, "Modules à suivre") == "1"


def test_indicator_six_by_profile_fits_beside_its_chart(sqlite_db):
    # At 1280 px the figures were drawn beyond the table's right edge: only the profiles showed.
    module = make_module(title="Repérage des victimes", target_profiles=["educateur_specialise", "psychologue"])
    make_session(
        module.id,
        day=date(YEAR, 1, 2) if paris_today() > date(YEAR, 1, 2) else paris_today(),
        participants={"educateur_specialise": 3, "psychologue": 2},
    )
    at = open_page(make_user(Role.COORDINATION), "training_indicators")
    assert not at.exception and not at.error
    column = next(c for c in at.columns if any("Profil" in d.value.columns for d in c.dataframe))
    assert column.weight >= 0.4
    assert column.dataframe[0].value.to_dict("records") == [
        {"Profil": "Éducateur spécialisé", "Formés": 3, "Sessions": 1},
        {"Profil": "Psychologue", "Formés": 2, "Sessions": 1},
    ]


def test_hours_typed_with_a_decimal_comma_are_saved_as_such(sqlite_db):
    coordinator = make_user(Role.COORDINATION)
    make_module(title="Repérage des victimes")  # 6 to 7 hours
    at = open_page(coordinator, "trainings")
    _fill_new_session(at, **{"Éducateur spécialisé": 3})
    next(n for n in at.text_input if n.label.startswith("Heures")).input("6,5")
    next(b for b in at.button if b.label == "Enregistrer la session").click()
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    [saved] = training_session_list(actor=coordinator).rows
    assert saved.hours == 6.5


def test_a_decimal_participant_count_is_refused_next_to_its_field(sqlite_db):
    coordinator = make_user(Role.COORDINATION)
    make_module(title="Repérage des victimes")
    at = open_page(coordinator, "trainings")
    _fill_new_session(at)
    next(n for n in at.text_input if n.label == "Psychologue").input("2,5")
    next(b for b in at.button if b.label == "Enregistrer la session").click()
    at.run()
    assert any(m.value.startswith(":red[") and "Psychologue : nombre entier attendu" in m.value for m in at.markdown)
    assert "Psychologue : nombre entier attendu" in at.error[0].value
    assert next(n for n in at.text_input if n.label == "Psychologue").value == "2,5"
    assert training_session_list(actor=coordinator).total == 0
