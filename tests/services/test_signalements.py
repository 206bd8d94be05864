import re
import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlmodel import select

from core.access import SYSTEM
from core.clock import paris_today
from core.db import engine, session_scope
from core.errors import AccessDenied, ConcurrentEdit, NotFound, ValidationFailed
from models.base import utcnow
from models.signalement import AppendOnlyViolation, Signalement, SignalementEvent
from models.user import Role
from services.signalements import circuit, reads
from services.signalements import declarations as svc
from services.signalements.declarations import SignalementDeclaration, Transmission
from tests.factories import (
    as_system,
    make_child,
    make_placement,
    make_signalement,
    make_structure,
    make_user,
)

T0 = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def coordinator():
    return as_system(make_user(Role.COORDINATION))


def partner_of(structure_id=None):
    return make_user(Role.PARTENAIRE, structure_id=structure_id)


def pass_on(actor, signalement_id, at, *kinds, channel="telephone"):
    return svc.signalement_pass_on(
        actor=actor,
        signalement_id=signalement_id,
        now=at,
        data=Transmission(recipient_kinds=list(kinds), channel=channel, at=at),
    )


def stored_events() -> dict[int, tuple]:
    with session_scope(SYSTEM) as session:
        rows = session.exec(select(SignalementEvent).order_by(SignalementEvent.id)).all()
        return {e.id: tuple(e.model_dump().values()) for e in rows}


# --- declaration ----------------------------------------------------------------------------------


def test_declaring_starts_the_circuit_with_the_severity_deadlines(db):
    partner = partner_of()
    s = make_signalement(partner, now=T0, severity="danger_immediat")
    assert (s.status, s.severity, s.reference) == ("declare", "danger_immediat", f"SIG-2025-{s.id:04d}")
    assert (s.ack_due_at, s.pass_due_at) == (T0 + HOUR, T0 + 4 * HOUR)
    detail = reads.signalement_get(actor=partner, signalement_id=s.id)
    [declared] = detail.events
    assert (declared.kind, declared.author_name, declared.author_role, declared.at) == (
        "declaration",
        partner.display_name,
        "partenaire",
        T0,
    )
    worrying = make_signalement(partner, now=T0)
    assert (worrying.ack_due_at, worrying.pass_due_at) == (T0 + 24 * HOUR, T0 + 72 * HOUR)
    info = make_signalement(partner, now=T0, severity="information")
    assert (info.ack_due_at, info.pass_due_at) == (T0 + 72 * HOUR, None)


def test_declaration_lists_every_fault_in_french_and_writes_nothing(db):
    partner = partner_of()
    with pytest.raises(ValidationFailed) as raised:
        svc.signalement_declare(
            actor=partner,
            data=SignalementDeclaration(
                occurred_at=utcnow() + timedelta(hours=2),
                facts="  trop court ",
                child_code="E-99999",
                actions_taken=["autre"],
            ),
        )
    assert {e.field: e.message for e in raised.value.errors} == {
        "Date et heure des faits": svc.OCCURRED_IN_FUTURE,
        "Catégorie": svc.CATEGORY_REQUIRED,
        "Gravité": svc.SEVERITY_REQUIRED,
        "Faits": svc.FACTS_REQUIRED,
        "Précisions sur les mesures": svc.OTHER_ACTION_DETAIL,
        "Code de l'enfant": svc.CHILD_NOT_IN_STRUCTURE,
    }
    with pytest.raises(ValidationFailed) as raised:
        svc.signalement_declare(
            actor=partner, data=SignalementDeclaration(category="fugue", severity="grave", facts="x" * 30)
        )
    assert {e.field: e.message for e in raised.value.errors} == {
        "Date et heure des faits": svc.OCCURRED_REQUIRED,
        "Gravité": svc.UNKNOWN_VALUE,
    }
    assert reads.signalement_list(actor=partner).total == 0
    assert stored_events() == {}


@pytest.mark.parametrize("ended_days_ago,accepted", [(None, True), (10, True), (40, False)])
def test_child_code_of_own_structure_open_or_recently_ended(db, ended_days_ago, accepted):
    partner = partner_of()
    child = make_child(code="E-00042")
    end = None if ended_days_ago is None else paris_today() - timedelta(days=ended_days_ago)
    make_placement(
        child_id=child.id,
        structure_id=partner.structure_id,
        arrival_date=paris_today() - timedelta(days=90),
        end_date=end,
    )
    if accepted:
        s = make_signalement(partner, child_code="e-00042")
        assert s.child_code == "E-00042"
        assert reads.signalement_child_codes(actor=partner) == ["E-00042"]
    else:
        with pytest.raises(ValidationFailed, match=re.escape(svc.CHILD_NOT_IN_STRUCTURE)):
            make_signalement(partner, child_code="E-00042")
        assert reads.signalement_child_codes(actor=partner) == []


def test_child_of_another_structure_refused(db):
    partner = partner_of()
    other = make_structure()
    child = make_child(code="E-00007")
    make_placement(child_id=child.id, structure_id=other.id)
    with pytest.raises(ValidationFailed, match=re.escape(svc.CHILD_NOT_IN_STRUCTURE)):
        make_signalement(partner, child_code="E-00007")


@pytest.mark.parametrize("role", [Role.COORDINATION, Role.FINANCEUR])
def test_only_partner_staff_declare(db, role):
    with pytest.raises(AccessDenied):
        make_signalement(make_user(role))


def test_only_the_system_dates_a_step_itself(db):
    partner = partner_of()
    with pytest.raises(AccessDenied, match="système"):
        svc.signalement_declare(
            actor=partner,
            now=T0,
            data=SignalementDeclaration(
                occurred_at=T0 - HOUR, category="fugue", severity="preoccupant", facts="x" * 30
            ),
        )


# --- circuit --------------------------------------------------------------------------------------


def test_acknowledge_and_pass_on_are_events_with_their_authors(db):
    partner = partner_of()
    coordination = coordinator()
    s = make_signalement(partner, now=T0, severity="danger_immediat")
    svc.signalement_acknowledge(actor=coordination, signalement_id=s.id, now=T0 + timedelta(minutes=20))
    after = pass_on(coordination, s.id, T0 + 2 * HOUR, "parquet", "police")
    assert after.status == "transmis"
    assert (after.acknowledged_at, after.passed_on_at) == (T0 + timedelta(minutes=20), T0 + 2 * HOUR)
    events = reads.signalement_get(actor=partner, signalement_id=s.id).events
    assert [(e.kind, e.recipient_kind, e.author_name) for e in events] == [
        ("declaration", None, partner.display_name),
        ("prise_en_compte", None, coordination.display_name),
        ("transmission", "parquet", coordination.display_name),
        ("transmission", "police", coordination.display_name),
    ]
    with pytest.raises(ValidationFailed, match=re.escape(svc.ALREADY_ACKNOWLEDGED)):
        svc.signalement_acknowledge(actor=coordination, signalement_id=s.id, now=T0 + 3 * HOUR)


def test_passing_on_unacknowledged_acknowledges_first(db):
    s = make_signalement(partner_of(), now=T0)
    coordination = coordinator()
    after = pass_on(coordination, s.id, T0 + 2 * HOUR, "crip")
    assert after.acknowledged_at == T0 + 2 * HOUR
    kinds = [e.kind for e in reads.signalement_get(actor=coordination, signalement_id=s.id).events]
    assert kinds == ["declaration", "prise_en_compte", "transmission"]


def test_pass_on_validation(db):
    s = make_signalement(partner_of(), now=T0)
    coordination = coordinator()
    with pytest.raises(ValidationFailed) as raised:
        svc.signalement_pass_on(
            actor=coordination, signalement_id=s.id, now=T0 + HOUR, data=Transmission(at=T0 + 2 * HOUR)
        )
    assert {e.field: e.message for e in raised.value.errors} == {
        "Destinataires": svc.RECIPIENT_REQUIRED,
        "Moyen": svc.CHANNEL_REQUIRED,
        "Transmis le": svc.PASSED_AT_IN_FUTURE,
    }
    with pytest.raises(ValidationFailed, match=re.escape(svc.PASSED_AT_BEFORE_FACTS)):
        pass_on(coordination, s.id, T0 - 5 * HOUR, "crip")
    assert len(stored_events()) == 1


@pytest.mark.parametrize("role", [Role.PARTENAIRE, Role.FINANCEUR])
def test_only_the_coordination_acknowledges_passes_on_and_closes(db, role):
    partner = partner_of()
    s = make_signalement(partner, now=T0)
    actor = partner if role == Role.PARTENAIRE else make_user(role)
    with pytest.raises(AccessDenied):
        svc.signalement_acknowledge(actor=actor, signalement_id=s.id)
    with pytest.raises(AccessDenied):
        svc.signalement_pass_on(
            actor=actor,
            signalement_id=s.id,
            data=Transmission(recipient_kinds=["crip"], channel="telephone", at=utcnow()),
        )
    with pytest.raises(AccessDenied):
        svc.signalement_close(actor=actor, signalement_id=s.id, outcome="sans_suite")
    with pytest.raises(AccessDenied):
        reads.signalement_board(actor=actor)


def test_full_circuit_follow_up_close_and_reopen_by_correction(db):
    partner = as_system(partner_of())
    coordination = coordinator()
    s = make_signalement(partner, now=T0)
    with pytest.raises(ValidationFailed, match=re.escape(svc.NOT_ACKNOWLEDGED)):
        svc.signalement_close(actor=coordination, signalement_id=s.id, outcome="sans_suite", now=T0 + HOUR)
    svc.signalement_acknowledge(actor=coordination, signalement_id=s.id, now=T0 + HOUR)
    pass_on(coordination, s.id, T0 + 5 * HOUR, "crip", channel="courriel")
    after = svc.signalement_follow_up(
        actor=partner, signalement_id=s.id, note="L'enfant est revenu à 22 h.", now=T0 + 13 * HOUR
    )
    assert after.status == "en_suivi"
    closed = svc.signalement_close(
        actor=coordination, signalement_id=s.id, outcome="enfant_retrouve", now=T0 + 48 * HOUR
    )
    assert (closed.status, closed.outcome, closed.closed_at) == ("cloture", "enfant_retrouve", T0 + 48 * HOUR)
    with pytest.raises(ValidationFailed, match=re.escape(svc.ALREADY_CLOSED)):
        svc.signalement_follow_up(actor=partner, signalement_id=s.id, note="Autre chose", now=T0 + 50 * HOUR)
    closing = reads.signalement_get(actor=coordination, signalement_id=s.id).events[-1]
    reopened = svc.signalement_correct(
        actor=coordination,
        signalement_id=s.id,
        voids_event_id=closing.id,
        note="Clôture prématurée : audition prévue.",
        now=T0 + 50 * HOUR,
    )
    assert (reopened.status, reopened.closed_at, reopened.outcome) == ("en_suivi", None, None)
    detail = reads.signalement_get(actor=partner, signalement_id=s.id)
    assert detail.events[-2].voided_by == detail.events[-1].id
    svc.signalement_close(actor=coordination, signalement_id=s.id, outcome="enquete", now=T0 + 60 * HOUR)
    _assert_cache_matches_replay(s.id)


def test_correction_reclassifies_and_recomputes_deadlines_from_the_declaration(db):
    partner = as_system(partner_of())
    s = make_signalement(partner, now=T0, severity="information", category="autre")
    corrected = svc.signalement_correct(
        actor=partner,
        signalement_id=s.id,
        severity="danger_immediat",
        category="approche",
        note="Un homme attendait l'enfant devant le foyer.",
        now=T0 + 2 * HOUR,
    )
    assert (corrected.severity, corrected.category) == ("danger_immediat", "approche")
    assert (corrected.ack_due_at, corrected.pass_due_at) == (T0 + HOUR, T0 + 4 * HOUR)
    assert corrected.is_overdue(T0 + 2 * HOUR)
    detail = reads.signalement_get(actor=partner, signalement_id=s.id)
    assert (detail.declared_severity, detail.declared_category) == ("information", "autre")
    assert [e.kind for e in detail.events] == ["declaration", "correction"]
    with pytest.raises(ValidationFailed, match=re.escape(svc.CORRECTION_NOTE_REQUIRED)):
        svc.signalement_correct(actor=partner, signalement_id=s.id, note=" ", now=T0 + 3 * HOUR)


def test_voiding_rules(db):
    partner = as_system(partner_of())
    coordination = coordinator()
    s = make_signalement(partner, now=T0)
    pass_on(coordination, s.id, T0 + HOUR, "crip", "plateforme")
    events = reads.signalement_get(actor=coordination, signalement_id=s.id).events
    declared, ack, crip, platform = events
    with pytest.raises(AccessDenied):
        svc.signalement_correct(actor=partner, signalement_id=s.id, voids_event_id=platform.id, note="erreur")
    with pytest.raises(ValidationFailed, match=re.escape(svc.CANNOT_VOID_KIND)):
        svc.signalement_correct(actor=coordination, signalement_id=s.id, voids_event_id=declared.id, note="x")
    with pytest.raises(ValidationFailed, match=re.escape(svc.VOID_ACK_FIRST)):
        svc.signalement_correct(actor=coordination, signalement_id=s.id, voids_event_id=ack.id, note="x")
    svc.signalement_correct(
        actor=coordination,
        signalement_id=s.id,
        voids_event_id=platform.id,
        note="Rien n'a été envoyé à PHAROS.",
        now=T0 + 2 * HOUR,
    )
    with pytest.raises(ValidationFailed, match=re.escape(svc.ALREADY_VOIDED)):
        svc.signalement_correct(actor=coordination, signalement_id=s.id, voids_event_id=platform.id, note="x")
    svc.signalement_correct(
        actor=coordination, signalement_id=s.id, voids_event_id=crip.id, note="Pas envoyé", now=T0 + 3 * HOUR
    )
    after = svc.signalement_correct(
        actor=coordination,
        signalement_id=s.id,
        voids_event_id=ack.id,
        note="Prise en compte enregistrée par erreur.",
        now=T0 + 3 * HOUR,
    )
    assert (after.status, after.acknowledged_at, after.passed_on_at) == ("declare", None, None)
    _assert_cache_matches_replay(s.id)


def _assert_cache_matches_replay(signalement_id: int) -> None:
    with session_scope(SYSTEM) as session:
        header = session.get(Signalement, signalement_id)
        events = session.exec(
            select(SignalementEvent)
            .where(SignalementEvent.signalement_id == signalement_id)
            .order_by(SignalementEvent.id)
        ).all()
        for key, value in circuit.derive_state(list(events), header.declared_at).items():
            assert getattr(header, key) == value, key


def test_durations_count_real_hours_across_summer_time(db):
    """Paris times given across the switch to summer time (30/03/2025): 23 real hours, not 24."""
    from core.formatting import PARIS

    declared = datetime(2025, 3, 29, 23, 30, tzinfo=PARIS)
    s = make_signalement(partner_of(), now=declared)
    assert s.ack_due_at == datetime(2025, 3, 30, 22, 30, tzinfo=UTC)
    after = svc.signalement_acknowledge(
        actor=coordinator(), signalement_id=s.id, now=datetime(2025, 3, 30, 23, 30, tzinfo=PARIS)
    )
    assert after.acknowledged_at == datetime(2025, 3, 30, 21, 30, tzinfo=UTC)
    with session_scope(SYSTEM) as session:
        assert session.get(Signalement, s.id).ack_seconds == 23 * 3600
    _assert_cache_matches_replay(s.id)


def test_simultaneous_acknowledgements_refused_not_doubled(db):
    s = make_signalement(partner_of(), now=T0)
    first, second = coordinator(), coordinator()
    with pytest.raises(ConcurrentEdit):
        with session_scope(second) as session:
            seen = session.exec(select(Signalement).where(Signalement.id == s.id)).one()  # read before the other
            other = threading.Thread(
                target=svc.signalement_acknowledge, kwargs=dict(actor=first, signalement_id=s.id, now=T0 + HOUR)
            )
            other.start()
            other.join()
            assert seen.acknowledged_at is None  # what this session still believes
            svc.signalement_acknowledge(actor=second, signalement_id=s.id, now=T0 + HOUR)
    kinds = [e.kind for e in reads.signalement_get(actor=first, signalement_id=s.id).events]
    assert kinds == ["declaration", "prise_en_compte"]


# --- board, counts, home --------------------------------------------------------------------------


def test_board_puts_overdue_first_then_urgency_then_deadline(db):
    partner = partner_of()
    coordination = coordinator()
    now = T0 + 100 * HOUR

    def declare(hours_ago, severity):
        return make_signalement(partner, now=now - timedelta(hours=hours_ago), severity=severity).id

    late_worrying = declare(30, "preoccupant")
    fresh_danger = declare(0.2, "danger_immediat")
    worrying = declare(1, "preoccupant")
    info = declare(1, "information")
    handled = declare(3, "danger_immediat")
    pass_on(coordination, handled, now - 2 * HOUR, "parquet")
    closed = declare(50, "information")
    svc.signalement_acknowledge(actor=coordination, signalement_id=closed, now=now - 49 * HOUR)
    svc.signalement_close(actor=coordination, signalement_id=closed, outcome="information_seule", now=now - 48 * HOUR)
    board = reads.signalement_board(actor=coordination, now=now)
    assert [r.id for r in board.rows] == [late_worrying, fresh_danger, worrying, info, handled]
    assert board.total == 5
    late_danger = declare(2, "danger_immediat")
    board = reads.signalement_board(actor=coordination, now=now)
    assert [r.id for r in board.rows][:3] == [late_danger, late_worrying, fresh_danger]
    due = board.rows[2].due(now)
    assert (due.step, due.overdue) == ("prise en compte", False)
    assert board.rows[0].due(now).overdue
    counts = reads.signalement_open_counts(actor=coordination, now=now)
    assert (counts.open, counts.overdue, counts.awaiting_ack, counts.awaiting_pass) == (6, 2, 5, 0)


def test_home_items_by_role(db):
    partner = partner_of()
    coordination = make_user(Role.COORDINATION)
    make_signalement(as_system(partner), now=utcnow() - 30 * HOUR)
    make_signalement(partner, severity="danger_immediat")
    from services.home.items import home_items

    items = home_items(actor=coordination)
    # One red line each, first: the immediate danger awaiting its acknowledgement, then the overdue one.
    urgent = [(i.label.split(" — ")[1], i.level) for i in items if i.due_at is not None]
    assert urgent == [("Danger immédiat", "error"), ("Préoccupant", "error")]
    assert all(i.due_at is not None for i in items[:2])
    coordination_items = [(i.label, i.count, i.level, i.page) for i in items if i.due_at is None]
    assert coordination_items[:2] == [
        ("signalement en retard sur son délai", 1, "error", "signalements"),
        ("nouveaux signalements à prendre en compte", 2, "warning", "signalements"),
    ]
    partner_items = [(i.count, i.page) for i in home_items(actor=partner) if i.page == "signalements"]
    assert partner_items == [(2, "signalements")]
    assert [i for i in home_items(actor=partner_of()) if i.page == "signalements"] == []
    assert [i for i in home_items(actor=make_user(Role.FINANCEUR)) if i.page == "signalements"] == []


def test_deadlines_configurable_for_new_signalements_only(db):
    partner = partner_of()
    before = make_signalement(partner, now=T0, severity="danger_immediat")
    coordination = make_user(Role.COORDINATION)
    hours = circuit.signalement_deadline_hours()
    assert hours == {"danger_immediat": (1.0, 4.0), "preoccupant": (24.0, 72.0), "information": (72.0, 0.0)}
    circuit.signalement_deadlines_set(actor=coordination, hours={**hours, "danger_immediat": (0.5, 2.0)})
    after = make_signalement(partner, now=T0, severity="danger_immediat")
    assert (after.ack_due_at, after.pass_due_at) == (T0 + timedelta(minutes=30), T0 + 2 * HOUR)
    assert reads.signalement_get(actor=partner, signalement_id=before.id).summary.ack_due_at == T0 + HOUR
    with pytest.raises(ValidationFailed):
        circuit.signalement_deadlines_set(actor=coordination, hours={"preoccupant": (-1, 72.0)})
    with pytest.raises(AccessDenied):
        circuit.signalement_deadlines_set(actor=partner, hours=hours)


# --- another structure's signalements -----------------------------------------------------------

OPERATIONS = {
    "get": lambda a, sid: reads.signalement_get(actor=a, signalement_id=sid),
    "follow_up": lambda a, sid: svc.signalement_follow_up(actor=a, signalement_id=sid, note="Complément"),
    "correct": lambda a, sid: svc.signalement_correct(
        actor=a, signalement_id=sid, note="Correction", severity="danger_immediat"
    ),
}


@pytest.mark.parametrize("operation", list(OPERATIONS))
def test_partner_cannot_read_or_touch_another_structures_signalement(db, operation):
    mine, theirs = partner_of(), partner_of()
    s = make_signalement(theirs)
    before = stored_events()
    with pytest.raises(NotFound):
        OPERATIONS[operation](mine, s.id)
    assert stored_events() == before
    OPERATIONS[operation](theirs, s.id)  # the owner may


def test_partner_lists_and_counts_only_its_own(db):
    mine, theirs = partner_of(), partner_of()
    own = make_signalement(mine)
    make_signalement(theirs)
    make_signalement(theirs)
    page = reads.signalement_list(actor=mine)
    assert (page.total, [r.id for r in page.rows]) == (1, [own.id])
    assert reads.signalement_open_counts(actor=mine).open == 1
    assert reads.signalement_list(actor=make_user(Role.COORDINATION)).total == 3


def test_funder_reads_no_signalement(db):
    s = make_signalement(partner_of())
    funder = make_user(Role.FINANCEUR)
    for call in (
        lambda: reads.signalement_get(actor=funder, signalement_id=s.id),
        lambda: reads.signalement_list(actor=funder),
        lambda: reads.signalement_open_counts(actor=funder),
        lambda: svc.signalement_follow_up(actor=funder, signalement_id=s.id, note="x"),
    ):
        with pytest.raises(AccessDenied):
            call()


# --- append-only ----------------------------------------------------------------------------------

WRITE_ON_EVENTS = re.compile(
    r'^\s*(UPDATE\s+"?signalement_events|DELETE\s+FROM\s+"?signalement(s|_events))\b', re.IGNORECASE
)
ALLOWED_VERBS = {
    "declare",
    "acknowledge",
    "pass_on",
    "follow_up",
    "close",
    "correct",
    "get",
    "list",
    "board",
    "open_counts",
    "child_codes",
    "home_items",
    "deadline_hours",
    "deadlines_set",
}


def test_no_service_path_updates_or_deletes_an_event(db):
    """Drive every public write of the service; the SQL sent never updates or deletes an event,
    and every event row written stays exactly as it was."""
    statements = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine(), "before_cursor_execute", record)
    try:
        partner = as_system(partner_of())
        coordination = coordinator()
        snapshots = []
        s = make_signalement(partner, now=T0)
        steps = [
            lambda: svc.signalement_follow_up(actor=partner, signalement_id=s.id, note="Complément", now=T0 + HOUR),
            lambda: svc.signalement_acknowledge(actor=coordination, signalement_id=s.id, now=T0 + HOUR),
            lambda: pass_on(coordination, s.id, T0 + 2 * HOUR, "crip", "police"),
            lambda: svc.signalement_correct(
                actor=partner,
                signalement_id=s.id,
                note="Plutôt une approche",
                severity="danger_immediat",
                category="approche",
                now=T0 + 3 * HOUR,
            ),
            lambda: svc.signalement_close(
                actor=coordination, signalement_id=s.id, outcome="enquete", now=T0 + 4 * HOUR
            ),
            lambda: svc.signalement_correct(
                actor=coordination,
                signalement_id=s.id,
                note="Rouvert",
                voids_event_id=reads.signalement_get(actor=coordination, signalement_id=s.id).events[-1].id,
                now=T0 + 5 * HOUR,
            ),
            lambda: svc.signalement_close(
                actor=coordination, signalement_id=s.id, outcome="mesure_protection", now=T0 + 6 * HOUR
            ),
        ]
        snapshots.append(stored_events())
        for step in steps:
            step()
            snapshots.append(stored_events())
    finally:
        event.remove(engine(), "before_cursor_execute", record)
    assert [s for s in statements if WRITE_ON_EVENTS.match(s)] == []
    assert any(s.lstrip().upper().startswith("UPDATE SIGNALEMENTS") for s in statements)  # the derived cache
    for earlier, later in zip(snapshots, snapshots[1:]):
        assert len(later) > len(earlier)
        assert {k: later[k] for k in earlier} == earlier
    public = {
        name.removeprefix("signalement_")
        for name in dir(svc)
        if name.startswith("signalement_") and callable(getattr(svc, name))
    }
    assert public <= ALLOWED_VERBS, public - ALLOWED_VERBS


def _first_event_id(session):
    return session.exec(select(SignalementEvent.id).order_by(SignalementEvent.id)).first()


@pytest.mark.parametrize(
    "attempt",
    [
        "edit_event",
        "delete_event",
        "delete_signalement",
        "edit_declaration",
        "edit_derived",
        "bulk_update_events",
        "bulk_delete_events",
        "core_update_events",
        "bulk_update_signalements",
    ],
)
def test_the_orm_refuses_to_edit_or_delete(db, attempt):
    s = make_signalement(partner_of(), now=T0)
    before = stored_events()
    with pytest.raises(AppendOnlyViolation):
        with session_scope(SYSTEM) as session:
            e = session.get(SignalementEvent, _first_event_id(session))
            header = session.get(Signalement, s.id)
            if attempt == "edit_event":
                e.note = "réécrit"
                session.add(e)
            elif attempt == "delete_event":
                session.delete(e)
            elif attempt == "delete_signalement":
                session.delete(header)
            elif attempt == "edit_declaration":
                header.facts = "Autres faits"
                session.add(header)
            elif attempt == "edit_derived":
                header.status = "cloture"
                session.add(header)
            elif attempt == "bulk_update_events":
                session.exec(sa.update(SignalementEvent).values(note="x"))
            elif attempt == "bulk_delete_events":
                session.exec(sa.delete(SignalementEvent))
            elif attempt == "core_update_events":
                session.exec(sa.update(SignalementEvent.__table__).values(note="x"))
            elif attempt == "bulk_update_signalements":
                session.exec(sa.update(Signalement).values(status="cloture"))
            session.flush()
    assert stored_events() == before
    assert reads.signalement_get(actor=make_user(Role.COORDINATION), signalement_id=s.id).summary.status == "declare"
