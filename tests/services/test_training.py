from dataclasses import fields
from datetime import timedelta

import pytest

from core.access import SYSTEM
from core.clock import paris_today
from core.errors import AccessDenied, ConcurrentEdit, ValidationFailed
from models.user import Role
from services.home.items import home_items
from services.training import modules as catalogue
from services.training import plan, sessions, team
from services.training import session_listing as listing
from services.training.modules import ModuleData
from services.training.sessions import SessionData
from tests.factories import make_module, make_session, make_structure, make_user

TODAY = paris_today()
PAST = TODAY - timedelta(days=10)


def _session(module_id, **overrides) -> SessionData:
    values = dict(
        module_id=module_id,
        start_date=PAST,
        end_date=PAST,
        trainer_organisation="Institut de formation",
        departement_code="35",
        hours=7,
        status="realisee",
        participants={"educateur_specialise": 6, "psychologue": 2, "cadre_direction": 4},
    )
    values.update(overrides)
    return SessionData(**values)


def _module(**overrides) -> ModuleData:
    values = dict(
        title="Repérage des victimes",
        objectives="Repérer.",
        target_profiles=["educateur_specialise"],
        duration_min_hours=6,
        duration_max_hours=7,
        format="sur_site",
    )
    values.update(overrides)
    return ModuleData(**values)


# --- catalogue -----------------------------------------------------------------------------------


def test_module_created_with_prerequisites_and_listed_for_every_role(db):
    coordinator = make_user(Role.COORDINATION)
    basics = catalogue.training_module_create(actor=coordinator, data=_module(title="Repérage"))
    advanced = catalogue.training_module_create(
        actor=coordinator,
        data=_module(
            title="Psychotraumatisme",
            duration_min_hours=12,
            duration_max_hours=14,
            format="mixte",
            target_profiles=["psychologue", "educateur_specialise"],
            prerequisite_ids=[basics.id],
        ),
    )
    assert advanced.prerequisite_titles == ["Repérage"]
    assert advanced.duration_label == "12 à 14 h"
    for role in (Role.COORDINATION, Role.PARTENAIRE, Role.FINANCEUR):  # the staff roles; referrers have no catalogue
        titles = [m.title for m in catalogue.training_module_list(actor=make_user(role))]
        assert titles == ["Psychotraumatisme", "Repérage"]


def test_module_faults_all_listed_and_nothing_written(db):
    coordinator = make_user(Role.COORDINATION)
    with pytest.raises(ValidationFailed) as raised:
        catalogue.training_module_create(
            actor=coordinator,
            data=_module(
                title=" ", objectives="", target_profiles=[], duration_min_hours=8, duration_max_hours=4, format="cours"
            ),
        )
    assert {(e.field, e.message) for e in raised.value.errors} == {
        ("Intitulé", catalogue.TITLE_REQUIRED),
        ("Objectifs", catalogue.OBJECTIVES_REQUIRED),
        ("Profils visés", catalogue.PROFILES_REQUIRED),
        ("Durée", catalogue.DURATION_INVALID),
        ("Format", catalogue.UNKNOWN_FORMAT),
    }
    assert catalogue.training_module_list(actor=coordinator) == []


def test_module_title_unique_whatever_the_case(db):
    coordinator = make_user(Role.COORDINATION)
    catalogue.training_module_create(actor=coordinator, data=_module(title="Repérage"))
    with pytest.raises(ValidationFailed, match=catalogue.TITLE_TAKEN):
        catalogue.training_module_create(actor=coordinator, data=_module(title=" REPÉRAGE "))


def test_prerequisite_loop_and_self_refused(db):
    coordinator = make_user(Role.COORDINATION)
    a = make_module(title="A")
    b = make_module(title="B", prerequisite_ids=[a.id])
    c = make_module(title="C", prerequisite_ids=[b.id])
    with pytest.raises(ValidationFailed) as raised:
        catalogue.training_module_update(
            actor=coordinator,
            module_id=a.id,
            expected_version=a.version,
            data=_module(title="A", prerequisite_ids=[c.id]),
        )
    assert raised.value.errors[0].message == catalogue.PREREQUISITE_CYCLE.format(path="A → C → B → A")
    with pytest.raises(ValidationFailed, match=catalogue.SELF_PREREQUISITE):
        catalogue.training_module_update(
            actor=coordinator,
            module_id=a.id,
            expected_version=a.version,
            data=_module(title="A", prerequisite_ids=[a.id]),
        )
    with pytest.raises(ValidationFailed, match=catalogue.UNKNOWN_PREREQUISITE):
        catalogue.training_module_create(actor=coordinator, data=_module(title="D", prerequisite_ids=[999]))


def test_module_update_replaces_prerequisites_and_refuses_stale_version(db):
    coordinator = make_user(Role.COORDINATION)
    a, b = make_module(title="A"), make_module(title="B")
    c = make_module(title="C", prerequisite_ids=[a.id])
    updated = catalogue.training_module_update(
        actor=coordinator,
        module_id=c.id,
        expected_version=c.version,
        data=_module(title="C", prerequisite_ids=[b.id], active=False),
    )
    assert updated.prerequisite_titles == ["B"] and not updated.active
    assert [m.title for m in catalogue.training_module_list(actor=coordinator, active_only=True)] == ["A", "B"]
    with pytest.raises(ConcurrentEdit) as raised:
        catalogue.training_module_update(
            actor=coordinator,
            module_id=c.id,
            expected_version=c.version,
            data=_module(title="C bis"),
            seen={"title": "C", "active": True},
        )
    assert [change.field for change in raised.value.changes] == ["Au catalogue"]


@pytest.mark.parametrize("role", [Role.PARTENAIRE, Role.FINANCEUR])
def test_only_coordination_manages_catalogue_plan_and_sessions(db, role):
    module = make_module()
    actor = make_user(role)
    with pytest.raises(AccessDenied):
        catalogue.training_module_create(actor=actor, data=_module())
    with pytest.raises(AccessDenied):
        plan.training_plan_set(actor=actor, year=2025, changes={(module.id, "psychologue"): 3})
    with pytest.raises(AccessDenied):
        sessions.training_session_create(actor=actor, data=_session(module.id))
    with pytest.raises(AccessDenied):
        listing.training_session_list(actor=actor)
    with pytest.raises(AccessDenied):
        listing.training_pending_counts(actor=actor)


# --- plan --------------------------------------------------------------------------------------


def test_plan_set_get_clear_and_copy(db):
    coordinator = make_user(Role.COORDINATION)
    a, b = make_module(title="A"), make_module(title="B")
    written = plan.training_plan_set(
        actor=coordinator,
        year=2025,
        changes={(a.id, "educateur_specialise"): 20, (a.id, "psychologue"): 5, (b.id, "veilleur_nuit"): 0},
    )
    assert written == 2
    assert [(c.module_title, c.profile, c.planned) for c in plan.training_plan_get(actor=coordinator, year=2025)] == [
        ("A", "educateur_specialise", 20),
        ("A", "psychologue", 5),
    ]
    plan.training_plan_set(
        actor=coordinator, year=2025, changes={(a.id, "psychologue"): 0, (a.id, "educateur_specialise"): 25}
    )
    assert [(c.profile, c.planned) for c in plan.training_plan_get(actor=make_user(Role.FINANCEUR), year=2025)] == [
        ("educateur_specialise", 25)
    ]
    assert plan.training_plan_copy(actor=coordinator, from_year=2025, to_year=2026) == 1
    assert plan.training_plan_years(actor=coordinator) == [2026, 2025]
    with pytest.raises(ValidationFailed):
        plan.training_plan_copy(actor=coordinator, from_year=2025, to_year=2026)


def test_plan_refuses_negative_and_unknown_then_concurrent_change(db):
    coordinator = make_user(Role.COORDINATION)
    a = make_module(title="A")
    with pytest.raises(ValidationFailed) as raised:
        plan.training_plan_set(
            actor=coordinator,
            year=2025,
            changes={(a.id, "psychologue"): -2, (a.id, "astronaute"): 1, (999, "psychologue"): 1},
        )
    assert {e.message for e in raised.value.errors} == {
        plan.PLAN_NEGATIVE,
        catalogue.UNKNOWN_PROFILE.format(value="astronaute"),
        catalogue.UNKNOWN_MODULE,
    }
    assert plan.training_plan_get(actor=coordinator, year=2025) == []
    plan.training_plan_set(actor=coordinator, year=2025, changes={(a.id, "psychologue"): 4}, seen={})
    with pytest.raises(ConcurrentEdit) as raised:  # the editor still showed 0 there
        plan.training_plan_set(actor=coordinator, year=2025, changes={(a.id, "psychologue"): 6}, seen={})
    assert raised.value.changes[0].theirs == 4


# --- sessions ----------------------------------------------------------------------------------


def test_delivered_session_recorded_with_participants_and_structures(db):
    coordinator = make_user(Role.COORDINATION)
    module = make_module()
    s1, s2 = make_structure(), make_structure()
    detail = sessions.training_session_create(
        actor=coordinator,
        data=_session(module.id, structure_ids=[s1.id, s2.id], satisfaction=4, evaluation_comment="  Très utile. "),
    )
    assert detail.participant_total == 12
    assert detail.participants == {"educateur_specialise": 6, "psychologue": 2, "cadre_direction": 4}
    assert detail.structure_ids == sorted([s1.id, s2.id]) and detail.evaluation_comment == "Très utile."
    page = listing.training_session_list(actor=coordinator)
    assert page.total == 1
    row = page.rows[0]
    assert (row.participants, row.structures, row.place, row.status) == (12, 2, "35 — Ille-et-Vilaine", "realisee")


def test_session_faults_all_listed_in_french_and_nothing_written(db):
    coordinator = make_user(Role.COORDINATION)
    module = make_module(duration_min_hours=6, duration_max_hours=7)
    future = TODAY + timedelta(days=5)
    with pytest.raises(ValidationFailed) as raised:
        sessions.training_session_create(
            actor=coordinator,
            data=_session(
                module.id,
                start_date=future + timedelta(days=1),
                end_date=future,
                hours=12,
                trainer_organisation=" ",
                departement_code="00",
                participants={"psychologue": -1},
                structure_ids=[424242],
                satisfaction=9,
            ),
        )
    found = {(e.field, e.message) for e in raised.value.errors}
    assert found == {
        ("Organisme formateur", sessions.TRAINER_REQUIRED),
        ("Date de fin", sessions.END_BEFORE_START),
        ("Lieu", sessions.UNKNOWN_DEPARTEMENT),
        ("Heures", sessions.HOURS_OUT_OF_RANGE.format(hours="12", low="6", high="7")),
        ("Participants « Psychologue »", sessions.PARTICIPANTS_NEGATIVE),
        ("Participants", sessions.PARTICIPANTS_REQUIRED),
        ("Statut", sessions.DELIVERED_IN_FUTURE),
        ("Satisfaction", sessions.SATISFACTION_RANGE),
        ("Structures", sessions.UNKNOWN_STRUCTURE.format(value=424242)),
    }
    assert listing.training_session_list(actor=coordinator).total == 0


def test_planned_session_needs_no_participant_but_takes_no_evaluation(db):
    coordinator = make_user(Role.COORDINATION)
    module = make_module()
    later = TODAY + timedelta(days=40)
    planned = sessions.training_session_create(
        actor=coordinator,
        data=_session(
            module.id,
            start_date=later,
            end_date=later,
            status="prevue",
            participants={},
            remote=True,
            departement_code=None,
        ),
    )
    assert planned.remote and planned.departement_code is None and planned.participant_total == 0
    with pytest.raises(ValidationFailed, match=sessions.EVALUATION_BEFORE_DELIVERY):
        sessions.training_session_create(
            actor=coordinator,
            data=_session(module.id, start_date=later, end_date=later, status="prevue", satisfaction=5),
        )
    with pytest.raises(ValidationFailed, match=sessions.PLACE_REQUIRED):
        sessions.training_session_create(actor=coordinator, data=_session(module.id, departement_code=None))


def test_session_ending_today_may_be_delivered(db):
    coordinator = make_user(Role.COORDINATION)
    module = make_module()
    detail = sessions.training_session_create(
        actor=coordinator, data=_session(module.id, start_date=TODAY - timedelta(days=1), end_date=TODAY), today=TODAY
    )
    assert detail.status == "realisee"


def test_session_update_marks_delivered_then_stale_edit_refused(db):
    coordinator = make_user(Role.COORDINATION)
    module = make_module()
    structure = make_structure()
    planned = make_session(module.id, status="prevue", participants={})
    assert listing.training_pending_counts(actor=coordinator).overdue == 1
    delivered = sessions.training_session_update(
        actor=coordinator,
        session_id=planned.id,
        expected_version=planned.version,
        data=_session(
            module.id,
            start_date=planned.start_date,
            end_date=planned.end_date,
            participants={"moniteur_educateur": 3},
            structure_ids=[structure.id],
        ),
    )
    assert delivered.participants == {"moniteur_educateur": 3} and delivered.version == planned.version + 1
    assert listing.training_pending_counts(actor=coordinator).overdue == 0
    assert listing.training_pending_counts(actor=coordinator).unevaluated == 1
    with pytest.raises(ConcurrentEdit) as raised:
        sessions.training_session_update(
            actor=coordinator,
            session_id=planned.id,
            expected_version=planned.version,
            data=_session(module.id),
            seen={"status": "prevue"},
        )
    assert raised.value.changes[0].field == "Statut"
    sessions.training_session_delete(actor=coordinator, session_id=planned.id, expected_version=delivered.version)
    assert listing.training_session_list(actor=coordinator).total == 0


def test_session_list_filters_and_pages_in_sql(db):
    coordinator = make_user(Role.COORDINATION)
    a, b = make_module(title="A"), make_module(title="B")
    structure = make_structure()
    for days in range(1, 6):
        make_session(a.id, day=TODAY - timedelta(days=days * 7), satisfaction=4)
    make_session(b.id, day=TODAY - timedelta(days=3), structure_ids=[structure.id])
    page = listing.training_session_list(actor=coordinator, limit=2, offset=0)
    assert page.total == 6 and len(page.rows) == 2 and page.rows[0].module_title == "B"
    assert listing.training_session_list(actor=coordinator, module_id=a.id).total == 5
    assert listing.training_session_list(actor=coordinator, structure_id=structure.id).total == 1
    assert listing.training_session_list(actor=coordinator, pending_only=True).total == 1  # B: no evaluation
    assert listing.training_session_list(actor=coordinator, status="prevue").total == 0


# --- a structure's team --------------------------------------------------------------------------


def test_partner_sees_its_history_and_missing_modules_only(db):
    mine, other = make_structure(name="La nôtre"), make_structure(name="Une autre")
    partner = make_user(Role.PARTENAIRE, structure_id=mine.id)
    basics = make_module(title="Repérage")
    trauma = make_module(title="Psychotraumatisme", prerequisite_ids=[basics.id])
    make_module(title="Interprétariat", duration_min_hours=3, duration_max_hours=3.5)
    make_module(title="Ancien module", active=False)
    make_session(basics.id, structure_ids=[mine.id, other.id])
    make_session(trauma.id, structure_ids=[other.id])
    later = TODAY + timedelta(days=20)
    make_session(trauma.id, day=later, status="prevue", participants={}, remote=True, departement_code=None)

    history = team.training_team_history(actor=partner)
    assert [h.module_title for h in history] == ["Repérage"]
    assert not {f.name for f in fields(history[0])} & {"structure_ids", "structures", "participants"}

    modules = {m.title: m for m in team.training_team_modules(actor=partner)}
    assert set(modules) == {"Repérage", "Psychotraumatisme", "Interprétariat"}
    assert not modules["Repérage"].missing and modules["Repérage"].followed_sessions == 1
    assert modules["Psychotraumatisme"].missing and modules["Psychotraumatisme"].prerequisites_met
    assert (modules["Psychotraumatisme"].next_session_date, modules["Psychotraumatisme"].next_session_place) == (
        later,
        "À distance",
    )
    assert team.training_team_missing_count(actor=partner) == 2

    with pytest.raises(AccessDenied):
        team.training_team_history(actor=partner, structure_id=other.id)
    with pytest.raises(AccessDenied):
        team.training_team_modules(actor=make_user(Role.FINANCEUR), structure_id=mine.id)
    coordinator = make_user(Role.COORDINATION)
    assert len(team.training_team_history(actor=coordinator, structure_id=other.id)) == 2


def test_planned_session_does_not_count_as_followed(db):
    mine = make_structure()
    partner = make_user(Role.PARTENAIRE, structure_id=mine.id)
    module = make_module()
    later = TODAY + timedelta(days=20)
    make_session(module.id, day=later, status="prevue", participants={}, structure_ids=[mine.id])
    assert [h.status for h in team.training_team_history(actor=partner)] == ["prevue"]
    assert team.training_team_missing_count(actor=partner) == 1


def test_home_items_for_coordination_and_partner(db):
    mine = make_structure()
    module = make_module()
    make_session(module.id, status="prevue", participants={})
    make_session(module.id, day=TODAY - timedelta(days=60))  # delivered, no evaluation
    coordination_labels = " | ".join(i.label for i in home_items(actor=make_user(Role.COORDINATION)))
    assert "sessions passées encore « prévues »" in coordination_labels
    assert "sessions réalisées sans évaluation" in coordination_labels
    partner_items = home_items(actor=make_user(Role.PARTENAIRE, structure_id=mine.id))
    assert [(i.count, i.page) for i in partner_items if i.page == "team_trainings"] == [(1, "team_trainings")]
    assert not [i for i in home_items(actor=make_user(Role.FINANCEUR)) if i.page in ("trainings", "team_trainings")]
    assert SYSTEM.is_coordination
