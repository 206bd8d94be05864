import json
import threading
from datetime import UTC, date, datetime, timedelta

import pytest

from core.access import SYSTEM
from core.db import session_scope
from core.errors import AccessDenied, ConcurrentEdit, ValidationFailed
from models.user import Role
from models.weekly import ReportStatus
from services.admin import audit
from services.weekly import reports as weekly
from services.weekly import schedule
from services.weekly import validation as rules
from services.weekly.schedule import WeekState
from tests.factories import make_structure, make_user, make_weekly_elements, make_weekly_report, weekly_values

# Wednesday 5 March 2025, 11:00 in Paris: the current week starts on 3 March; last week's figures
# were due on Tuesday 4 March at 12:00 (Paris), that is 11:00 UTC.
NOW = datetime(2025, 3, 5, 10, 0, tzinfo=UTC)
THIS_WEEK = date(2025, 3, 3)
LAST_WEEK = date(2025, 2, 24)


@pytest.fixture
def setup(db):
    elements = make_weekly_elements()
    structure = make_structure(joined_on=date(2024, 1, 8))
    partner = make_user(Role.PARTENAIRE, structure_id=structure.id)
    return elements, partner, partner.structure_id


def _save(actor, structure_id, week=THIS_WEEK, *, now=NOW, submit=False, version=None, **values):
    if version is None:
        version = weekly.weekly_entry_get(actor=actor, structure_id=structure_id, week_start=week, now=now).version
    return weekly.weekly_save(
        actor=actor,
        structure_id=structure_id,
        week_start=week,
        values=weekly_values(**values),
        expected_version=version,
        submit=submit,
        now=now,
    )


def test_deadline_is_following_tuesday_noon_paris(setup):
    rule = schedule.deadline_rule()
    assert rule.deadline(LAST_WEEK) == datetime(2025, 3, 4, 11, 0, tzinfo=UTC)
    assert rule.deadline(date(2025, 6, 2)) == datetime(2025, 6, 10, 10, 0, tzinfo=UTC)  # summer time
    assert rule.lock_at(LAST_WEEK) == datetime(2025, 4, 1, 11, 0, tzinfo=UTC)


def test_partner_saves_draft_then_submits_on_time(setup):
    elements, partner, structure_id = setup
    entry = weekly.weekly_entry_get(actor=partner, structure_id=structure_id, week_start=THIS_WEEK, now=NOW)
    assert entry.state == WeekState.DUE and entry.version == 0
    assert [row.code for row in entry.rows][:3] == ["places_disponibles", "enfants_presents", "arrivees"]

    draft = _save(partner, structure_id, enfants_presents=7, places_disponibles=3)
    assert draft.state == WeekState.DRAFT and draft.status == ReportStatus.DRAFT.value
    submitted = _save(
        partner, structure_id, version=draft.version, submit=True, enfants_presents=7, places_disponibles=3
    )
    assert submitted.state == WeekState.SUBMITTED and submitted.submitted_late is False
    assert {row.code: row.value for row in submitted.rows}["enfants_presents"] == 7


def test_previous_week_values_shown_beside(setup):
    _, partner, structure_id = setup
    _save(
        partner,
        structure_id,
        LAST_WEEK,
        now=NOW - timedelta(days=2),
        submit=True,
        enfants_presents=6,
        places_disponibles=4,
    )
    entry = weekly.weekly_entry_get(actor=partner, structure_id=structure_id, week_start=THIS_WEEK, now=NOW)
    previous = {row.code: row.previous_value for row in entry.rows}
    assert previous["enfants_presents"] == 6 and previous["places_disponibles"] == 4


def test_submission_after_deadline_is_late_and_stays_late(setup):
    _, partner, structure_id = setup
    late = _save(partner, structure_id, LAST_WEEK, submit=True)  # Wednesday: deadline was Tuesday noon
    assert late.submitted_late is True
    weekly.weekly_send_back(
        actor=SYSTEM,
        structure_id=structure_id,
        week_start=LAST_WEEK,
        reason="Arrivées à vérifier",
        expected_version=late.version,
        now=NOW,
    )
    again = _save(partner, structure_id, LAST_WEEK, submit=True, arrivees=2, departs=2)
    assert again.submitted_late is True and again.first_submitted_at == late.first_submitted_at


def test_overdue_when_deadline_passed_without_submission(setup):
    _, partner, structure_id = setup
    weeks = {
        w.week_start: w.state
        for w in schedule.weekly_week_list(actor=partner, structure_id=structure_id, count=3, now=NOW)
    }
    assert weeks[THIS_WEEK] == WeekState.DUE and weeks[LAST_WEEK] == WeekState.OVERDUE


IMPOSSIBLE = [
    (dict(arrivees=-1), "Arrivées", rules.NEGATIVE),
    (dict(places_disponibles=11, enfants_presents=0), "Places disponibles", rules.ABOVE_CAPACITY.format(capacity=10)),
    (dict(arrivees=1.5), "Arrivées", rules.NOT_AN_INTEGER),
    (dict(arrivees="trois"), "Arrivées", rules.NOT_A_NUMBER),
    (dict(enfants_presents=9, places_disponibles=3), "Enfants présents", "dépassent ensemble la capacité"),
    (dict(fugues=2, departs=1), "Fugues", "ne peuvent pas être plus nombreuses"),
    (dict(etp_educatifs=250), "ETP éducatifs", rules.ABOVE_MAX.format(maximum="200")),
]


@pytest.mark.parametrize("values,field,message", IMPOSSIBLE, ids=[i[1] + str(n) for n, i in enumerate(IMPOSSIBLE)])
def test_impossible_values_refused_in_french_and_nothing_written(setup, values, field, message):
    _, partner, structure_id = setup
    with pytest.raises(ValidationFailed) as raised:
        _save(partner, structure_id, submit=True, **values)
    assert any(e.field == field and message in e.message for e in raised.value.errors), raised.value.errors
    entry = weekly.weekly_entry_get(actor=partner, structure_id=structure_id, week_start=THIS_WEEK, now=NOW)
    assert entry.version == 0 and all(row.value is None for row in entry.rows)


def test_every_fault_listed_at_once(setup):
    _, partner, structure_id = setup
    with pytest.raises(ValidationFailed) as raised:
        _save(partner, structure_id, submit=True, arrivees=-2, departs=-1, places_disponibles=40)
    assert {e.field for e in raised.value.errors} >= {"Arrivées", "Départs", "Places disponibles"}


def test_required_value_left_empty_needs_a_comment(setup):
    _, partner, structure_id = setup
    draft = _save(partner, structure_id, arrivees=None)  # a draft may be incomplete
    with pytest.raises(ValidationFailed, match=rules.REQUIRED_MISSING):
        _save(partner, structure_id, version=draft.version, submit=True, arrivees=None)
    done = weekly.weekly_save(
        actor=partner,
        structure_id=structure_id,
        week_start=THIS_WEEK,
        values=weekly_values(arrivees=None),
        comments={"arrivees": "Logiciel en panne"},
        expected_version=draft.version,
        submit=True,
        now=NOW,
    )
    row = next(r for r in done.rows if r.code == "arrivees")
    assert row.value is None and row.comment == "Logiciel en panne" and done.state == WeekState.SUBMITTED
    # an optional element may stay empty without comment
    assert next(r for r in done.rows if r.code == "sollicitations_directes").required is False


def test_unusual_value_needs_confirmation(setup):
    _, partner, structure_id = setup
    for n in range(1, 7):
        week = THIS_WEEK - timedelta(weeks=n)
        make_weekly_report(
            structure_id,
            week,
            now=schedule.deadline_rule().deadline(week) - timedelta(hours=2),
            sollicitations_directes=2 + n % 2,
        )
    with pytest.raises(rules.UnusualValues) as raised:
        _save(partner, structure_id, submit=True, sollicitations_directes=40)
    assert [u.code for u in raised.value.items] == ["sollicitations_directes"]
    assert "habituellement entre" in raised.value.message
    assert weekly.weekly_entry_get(actor=partner, structure_id=structure_id, week_start=THIS_WEEK, now=NOW).version == 0
    confirmed = weekly.weekly_save(
        actor=partner,
        structure_id=structure_id,
        week_start=THIS_WEEK,
        values=weekly_values(sollicitations_directes=40),
        expected_version=0,
        submit=True,
        confirm_unusual=True,
        now=NOW,
    )
    assert confirmed.state == WeekState.SUBMITTED


def test_second_concurrent_save_refused_with_what_changed(setup):
    """No lost update: both people opened version N; the second save is refused, naming the changes."""
    _, partner, structure_id = setup
    colleague = make_user(Role.PARTENAIRE, structure_id=structure_id)
    first = _save(partner, structure_id, enfants_presents=6, places_disponibles=4)
    opened_by_partner = weekly.weekly_entry_get(actor=partner, structure_id=structure_id, week_start=THIS_WEEK, now=NOW)
    opened_by_colleague = weekly.weekly_entry_get(
        actor=colleague, structure_id=structure_id, week_start=THIS_WEEK, now=NOW
    )
    assert opened_by_partner.version == opened_by_colleague.version == first.version

    weekly.weekly_save(
        actor=colleague,
        structure_id=structure_id,
        week_start=THIS_WEEK,
        values=weekly_values(enfants_presents=8, places_disponibles=2),
        expected_version=opened_by_colleague.version,
        seen=opened_by_colleague.seen(),
        now=NOW,
    )
    with pytest.raises(ConcurrentEdit) as raised:
        weekly.weekly_save(
            actor=partner,
            structure_id=structure_id,
            week_start=THIS_WEEK,
            values=weekly_values(enfants_presents=5, places_disponibles=5),
            expected_version=opened_by_partner.version,
            seen=opened_by_partner.seen(),
            now=NOW,
        )
    changes = {c.field: (c.mine, c.theirs) for c in raised.value.changes}
    assert changes == {"Enfants présents": ("6", "8"), "Places disponibles": ("4", "2")}
    assert "Enfants présents" in raised.value.message
    kept = weekly.weekly_entry_get(actor=partner, structure_id=structure_id, week_start=THIS_WEEK, now=NOW)
    assert {r.code: r.value for r in kept.rows}["enfants_presents"] == 8


def test_two_first_saves_of_an_empty_week_conflict(setup):
    _, partner, structure_id = setup
    _save(partner, structure_id, version=0)
    with pytest.raises(ConcurrentEdit) as raised:
        weekly.weekly_save(
            actor=partner,
            structure_id=structure_id,
            week_start=THIS_WEEK,
            values=weekly_values(arrivees=3, departs=3),
            expected_version=0,
            seen={weekly.SEEN_STATUS: None, "arrivees": None},
            now=NOW,
        )
    assert {c.field for c in raised.value.changes} == {"Statut", "Arrivées"}


def test_race_between_check_and_write_refused_by_the_database(setup, monkeypatch):
    """Another save commits after this one checked the version but before it writes: the UPDATE itself refuses."""
    _, partner, structure_id = setup
    opened = _save(partner, structure_id)
    real_check = weekly._check_seen_version

    def check_then_someone_saves(session, report, expected_version, seen):
        real_check(session, report, expected_version, seen)
        failures = []

        def someone_saves():
            try:
                weekly.weekly_save(
                    actor=SYSTEM,
                    structure_id=structure_id,
                    week_start=THIS_WEEK,
                    values=weekly_values(arrivees=4, departs=4),
                    expected_version=opened.version,
                    confirm_unusual=True,
                    now=NOW,
                )
            except Exception as error:  # noqa: BLE001 - reported below
                failures.append(error)

        monkeypatch.setattr(weekly, "_check_seen_version", real_check)
        other = threading.Thread(target=someone_saves)
        other.start()
        other.join()
        assert not failures, failures

    monkeypatch.setattr(weekly, "_check_seen_version", check_then_someone_saves)
    with pytest.raises(ConcurrentEdit):
        _save(partner, structure_id, version=opened.version, arrivees=2, departs=2)
    kept = weekly.weekly_entry_get(actor=partner, structure_id=structure_id, week_start=THIS_WEEK, now=NOW)
    assert {r.code: r.value for r in kept.rows}["arrivees"] == 4


@pytest.mark.parametrize("role", [Role.PARTENAIRE, Role.FINANCEUR])
def test_other_structure_and_funder_refused(setup, role):
    _, _, structure_id = setup
    other = make_user(role)
    with pytest.raises(AccessDenied):
        weekly.weekly_entry_get(actor=other, structure_id=structure_id, week_start=THIS_WEEK, now=NOW)
    with pytest.raises(AccessDenied):
        _save(other, structure_id, version=0)


@pytest.mark.parametrize("action", ["approve", "send_back", "unlock"])
def test_only_coordination_reviews(setup, action):
    _, partner, structure_id = setup
    entry = _save(partner, structure_id, submit=True)
    call = {
        "approve": lambda: weekly.weekly_approve(
            actor=partner, structure_id=structure_id, week_start=THIS_WEEK, expected_version=entry.version, now=NOW
        ),
        "send_back": lambda: weekly.weekly_send_back(
            actor=partner,
            structure_id=structure_id,
            week_start=THIS_WEEK,
            reason="x",
            expected_version=entry.version,
            now=NOW,
        ),
        "unlock": lambda: weekly.weekly_unlock(
            actor=partner,
            structure_id=structure_id,
            week_start=THIS_WEEK,
            reason="x",
            expected_version=entry.version,
            now=NOW,
        ),
    }[action]
    with pytest.raises(AccessDenied):
        call()


def test_week_locks_after_delay_and_coordination_unlocks_with_audit(setup):
    _, partner, structure_id = setup
    coordinator = make_user(Role.COORDINATION, username="claire")
    old_week = THIS_WEEK - timedelta(weeks=6)
    entry = weekly.weekly_entry_get(actor=partner, structure_id=structure_id, week_start=old_week, now=NOW)
    assert entry.locked and not entry.editable and entry.state == WeekState.OVERDUE
    with pytest.raises(AccessDenied, match="verrouillée"):
        _save(partner, structure_id, old_week, version=0, submit=True)
    with pytest.raises(ValidationFailed, match=weekly.REASON_REQUIRED):
        weekly.weekly_unlock(
            actor=coordinator, structure_id=structure_id, week_start=old_week, reason=" ", expected_version=0, now=NOW
        )
    unlocked = weekly.weekly_unlock(
        actor=coordinator,
        structure_id=structure_id,
        week_start=old_week,
        reason="Chiffres retrouvés",
        expected_version=0,
        now=NOW,
    )
    assert unlocked.editable and unlocked.unlock_reason == "Chiffres retrouvés"
    done = _save(partner, structure_id, old_week, version=unlocked.version, submit=True)
    assert done.submitted_late is True and done.locked  # submitted again: locked again
    log = audit.audit_list(actor=coordinator, entity="weekly_reports", username="claire").rows
    assert any(json.loads(e.after).get("unlock_reason") == "Chiffres retrouvés" for e in log if e.after)


def test_approval_locks_and_send_back_reopens(setup):
    _, partner, structure_id = setup
    submitted = _save(partner, structure_id, LAST_WEEK, submit=True)
    approved = weekly.weekly_approve(
        actor=SYSTEM, structure_id=structure_id, week_start=LAST_WEEK, expected_version=submitted.version, now=NOW
    )
    assert approved.state == WeekState.APPROVED and approved.locked
    with pytest.raises(AccessDenied):
        _save(partner, structure_id, LAST_WEEK, version=approved.version, submit=True)
    with pytest.raises(ValidationFailed, match=weekly.REASON_REQUIRED):
        weekly.weekly_send_back(
            actor=SYSTEM,
            structure_id=structure_id,
            week_start=LAST_WEEK,
            reason="",
            expected_version=approved.version,
            now=NOW,
        )
    sent_back = weekly.weekly_send_back(
        actor=SYSTEM,
        structure_id=structure_id,
        week_start=LAST_WEEK,
        reason="Capacité à vérifier",
        expected_version=approved.version,
        now=NOW,
    )
    assert sent_back.state == WeekState.SENT_BACK and sent_back.editable
    assert sent_back.sent_back_reason == "Capacité à vérifier"
    assert _save(partner, structure_id, LAST_WEEK, version=sent_back.version, submit=True).state == WeekState.SUBMITTED


def test_submitted_week_corrected_only_by_submitting_again(setup):
    _, partner, structure_id = setup
    submitted = _save(partner, structure_id, submit=True)
    with pytest.raises(ValidationFailed, match="Envoyer"):
        _save(partner, structure_id, version=submitted.version)


def test_future_week_and_non_monday_refused(setup):
    _, partner, structure_id = setup
    with pytest.raises(ValidationFailed, match=weekly.FUTURE_WEEK):
        _save(partner, structure_id, THIS_WEEK + timedelta(weeks=1), version=0)
    with pytest.raises(ValidationFailed, match=weekly.NOT_A_MONDAY):
        _save(partner, structure_id, THIS_WEEK + timedelta(days=1), version=0)


def test_value_changes_are_audited_per_report(setup):
    _, partner, structure_id = setup
    first = _save(partner, structure_id, arrivees=1)
    _save(partner, structure_id, version=first.version, arrivees=2, departs=1)
    entries = audit.audit_list(actor=SYSTEM, entity="weekly_values").rows
    assert json.loads(entries[0].before) == {"arrivees": 1}
    assert json.loads(entries[0].after) == {"arrivees": 2}
    assert entries[0].username == partner.username


def test_new_element_appears_and_retired_element_leaves_the_grid(setup):
    from models.weekly import WeeklyElementCreate, WeeklyElementUpdate
    from services.weekly.elements import weekly_element_create, weekly_element_update

    elements, partner, structure_id = setup
    _save(partner, structure_id, LAST_WEEK, now=NOW - timedelta(days=2), submit=True)
    created = weekly_element_create(
        actor=SYSTEM, data=WeeklyElementCreate(label="Signalements au parquet", required=False)
    )
    weekly_element_update(
        actor=SYSTEM,
        element_id=elements["etp_educatifs"].id,
        expected_version=elements["etp_educatifs"].version,
        data=WeeklyElementUpdate(active=False),
    )
    codes = [
        r.code
        for r in weekly.weekly_entry_get(actor=partner, structure_id=structure_id, week_start=THIS_WEEK, now=NOW).rows
    ]
    assert created.code == "signalements_au_parquet" and "signalements_au_parquet" in codes
    assert "etp_educatifs" not in codes
    with session_scope(SYSTEM) as session:  # history kept
        assert weekly._history(session, [structure_id], THIS_WEEK, 4)[structure_id][elements["etp_educatifs"].id] == [
            7.5
        ]


def test_latest_free_places_for_the_placement_finder(setup):
    _, partner, structure_id = setup
    other = make_structure(capacity=6).id
    stale = make_structure(capacity=6).id
    sent_back = make_structure(capacity=6).id
    make_weekly_report(structure_id, LAST_WEEK - timedelta(weeks=1), now=NOW, places_disponibles=1)
    make_weekly_report(structure_id, LAST_WEEK, now=NOW, places_disponibles=2)
    make_weekly_report(
        structure_id, THIS_WEEK, now=NOW, submit=False, places_disponibles=5, enfants_presents=5
    )  # a draft does not count
    make_weekly_report(other, LAST_WEEK, now=NOW, places_disponibles=0, enfants_presents=6)
    make_weekly_report(
        stale, THIS_WEEK - timedelta(weeks=6), now=NOW - timedelta(weeks=5), places_disponibles=3, enfants_presents=3
    )
    report = make_weekly_report(sent_back, LAST_WEEK, now=NOW, places_disponibles=4, enfants_presents=2)
    weekly.weekly_send_back(
        actor=SYSTEM,
        structure_id=sent_back,
        week_start=LAST_WEEK,
        reason="À revoir",
        expected_version=report.version,
        now=NOW,
    )
    with session_scope(SYSTEM) as session:
        found = schedule.weekly_latest_free_places(session=session, today=NOW.date())
        assert found == {structure_id: 2, other: 0}
        assert schedule.weekly_latest_free_places(session=session, structure_ids=[other], today=NOW.date()) == {
            other: 0
        }
        assert schedule.weekly_latest_free_places(session=session, structure_ids=[], today=NOW.date()) == {}
        assert schedule.weekly_latest_free_places(session=session, max_age_weeks=8, today=NOW.date())[stale] == 3


def test_partner_todo_lists_due_overdue_and_sent_back(setup):
    _, partner, structure_id = setup
    report = _save(partner, structure_id, LAST_WEEK - timedelta(weeks=1), now=NOW - timedelta(weeks=1), submit=True)
    weekly.weekly_send_back(
        actor=SYSTEM,
        structure_id=structure_id,
        week_start=report.week_start,
        reason="Fugues ?",
        expected_version=report.version,
        now=NOW,
    )
    todo = schedule.weekly_partner_todo(actor=partner, now=NOW)
    assert todo.current_state == WeekState.DUE
    assert todo.previous_state == WeekState.OVERDUE
    assert LAST_WEEK in todo.overdue_weeks and report.week_start in todo.sent_back_weeks


def test_entry_names_the_person_who_saved_and_reviewed(setup):
    _, partner, structure_id = setup
    coordinator = make_user(Role.COORDINATION, display_name="Julien Moreau")
    sent = _save(partner, structure_id, submit=True)
    assert sent.updated_by == partner.display_name and sent.updated_by != partner.username
    approved = weekly.weekly_approve(
        actor=coordinator, structure_id=structure_id, week_start=THIS_WEEK, expected_version=sent.version, now=NOW
    )
    assert approved.reviewed_by == "Julien Moreau"
