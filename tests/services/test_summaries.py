"""The per-day summary tables follow every write: after any sequence of writes they equal a full recount."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.access import SYSTEM
from core.clock import paris_today
from core.db import session_scope
from core.formatting import PARIS
from core.summaries import SUMMARIES, Summary, summaries_rebuild
from models.child import ChildRequest, RequesterKind
from models.signalement import Category, Severity
from models.user import Role
from services.path.indicators import path_indicator_counts, path_summary
from services.signalements.declarations import signalement_correct
from services.signalements.indicators import signalement_indicator_counts
from tests.conftest import _empty_tables
from tests.factories import make_request, make_signalement, make_structure, make_user

TODAY = paris_today()
DEPARTEMENTS = ("35", "93", "69", "971")
KINDS = [k.value for k in RequesterKind][:4]
CATEGORIES = [c.value for c in Category][:3]
SEVERITIES = [s.value for s in Severity]


def _noon(days_ago: int) -> datetime:
    day = TODAY - timedelta(days=days_ago)
    return datetime(day.year, day.month, day.day, 12, tzinfo=PARIS)


def _day(value) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _kept(summary: Summary) -> dict:
    target = summary.target_table()
    with session_scope(SYSTEM) as session:
        rows = session.execute(sa.select(target.c.month, target.c.dimension, target.c.key, target.c[summary.count]))
    return {(_day(month), dimension, key): n for month, dimension, key, n in rows}


def _recounted(summary: Summary) -> dict:
    """Straight from the source rows, in Python: per month, the total and each dimension's values."""
    source = summary.source_table()
    with session_scope(SYSTEM) as session:
        rows = session.execute(sa.select(*(source.c[name] for name in summary.watched))).all()
    counts: dict = {}
    for day, *values in rows:
        month = _day(day).replace(day=1)
        for dimension, key in (("", ""), *zip(summary.dimensions, (str(v) for v in values))):
            counts[(month, dimension, key)] = counts.get((month, dimension, key), 0) + 1
    return counts


def _assert_equal_to_recount() -> None:
    for summary in SUMMARIES:
        assert _kept(summary) == _recounted(summary), summary.target.__name__


days_ago = st.integers(min_value=1, max_value=100)  # three or four months
request_op = st.tuples(
    st.just("request"), days_ago, st.sampled_from(KINDS), st.sampled_from(DEPARTEMENTS), st.sampled_from(DEPARTEMENTS)
)
move_op = st.tuples(st.just("move"), st.integers(0, 50), days_ago, st.sampled_from(DEPARTEMENTS))
untouched_op = st.tuples(st.just("untouched"), st.integers(0, 50))
delete_op = st.tuples(st.just("delete"), st.integers(0, 50))
signalement_op = st.tuples(
    st.just("signalement"), st.integers(0, 1), days_ago, st.sampled_from(CATEGORIES), st.sampled_from(SEVERITIES)
)
correct_op = st.tuples(st.just("correct"), st.integers(0, 50), st.sampled_from(CATEGORIES), st.sampled_from(SEVERITIES))
single_op = st.one_of(request_op, move_op, untouched_op, delete_op, signalement_op, correct_op)
# A batch: several writes in one transaction (nested scopes join it), hence several flushes.
operation = st.one_of(single_op, st.tuples(st.just("batch"), st.lists(single_op, min_size=2, max_size=4)))


class World:
    def __init__(self) -> None:
        self.structures = [make_structure(departement_code=d).id for d in ("35", "971")]
        self.partners = [make_user(Role.PARTENAIRE, structure_id=s) for s in self.structures]
        self.coordination = make_user(Role.COORDINATION)
        self.requests: list[int] = []
        self.signalements: list[int] = []

    def apply(self, op: tuple) -> None:
        kind = op[0]
        if kind == "batch":
            with session_scope(SYSTEM):
                for inner in op[1]:
                    self.apply(inner)
        elif kind == "request":
            _, ago, requester, requester_dep, exploitation_dep = op
            detail = make_request(
                received_at=_noon(ago),
                requester_kind=requester,
                requester_departement_code=requester_dep,
                exploitation_departement_code=exploitation_dep,
            )
            self.requests.append(detail.id)
        elif kind in ("move", "untouched", "delete") and self.requests:
            request_id = self.requests[op[1] % len(self.requests)]
            with session_scope(SYSTEM) as session:
                request = session.get(ChildRequest, request_id)
                if kind == "move":  # a correction of the day and place, as an import of history would write
                    request.received_at = _noon(op[2])
                    request.received_on = _noon(op[2]).date()
                    request.exploitation_departement_code = op[3]
                elif kind == "untouched":  # a write that changes none of the counted columns
                    request.risk_flags = ["exploiteur_contact", "fugue_anterieure"]
                else:
                    session.delete(request)
                    self.requests.remove(request_id)
        elif kind == "signalement":
            _, which, ago, category, severity = op
            detail = make_signalement(
                self.partners[which], now=_noon(ago).astimezone(PARIS), category=category, severity=severity
            )
            self.signalements.append(detail.id)
        elif kind == "correct" and self.signalements:
            _, index, category, severity = op
            signalement_correct(
                actor=self.coordination,
                signalement_id=self.signalements[index % len(self.signalements)],
                note="Reclassement après échange avec l'équipe.",
                category=category,
                severity=severity,
            )


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(operations=st.lists(operation, min_size=1, max_size=12))
def test_summaries_equal_a_full_recount_after_any_writes(db, operations):
    _empty_tables()
    world = World()
    for op in operations:
        world.apply(op)
    _assert_equal_to_recount()


def test_a_failed_transaction_leaves_the_summaries_as_they_were(db):
    make_request(received_at=_noon(3))
    before = _kept(SUMMARIES[0])
    try:
        with session_scope(SYSTEM):
            make_request(received_at=_noon(3))
            raise RuntimeError("interrupted")
    except RuntimeError:
        pass
    assert _kept(SUMMARIES[0]) == before == _recounted(SUMMARIES[0])
    assert before[(_noon(3).date().replace(day=1), "", "")] == 1


def test_rebuild_counts_rows_written_without_the_orm(db):
    make_request(received_at=_noon(5))
    with session_scope(SYSTEM) as session:
        session.connection().execute(sa.delete(SUMMARIES[0].target_table()))
    assert _kept(SUMMARIES[0]) == {}
    with session_scope(SYSTEM) as session:
        summaries_rebuild(session.connection())
    _assert_equal_to_recount()
    assert _kept(SUMMARIES[0])[(_noon(5).date().replace(day=1), "", "")] == 1


def _at_noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=PARIS)


def test_whole_month_national_readings_come_from_the_summaries_and_agree_with_the_rows(db):
    year = TODAY.year - 1
    structure = make_structure(departement_code="35").id
    partner = make_user(Role.PARTENAIRE, structure_id=structure)
    coordination = make_user(Role.COORDINATION)
    for day, dep, kind in (
        (date(year, 3, 10), "93", "police"),
        (date(year, 3, 20), "93", "pjj"),
        (date(year, 4, 5), "35", "police"),
        (date(year, 6, 1), "35", "police"),
    ):
        make_request(received_at=_at_noon(day), exploitation_departement_code=dep, requester_kind=kind)
    for day, category in ((date(year, 3, 2), "fugue"), (date(year, 4, 30), "violence"), (date(year, 5, 1), "fugue")):
        make_signalement(partner, now=_at_noon(day), category=category)
    march, april_end = date(year, 3, 1), date(year, 4, 30)

    def readings(start: date) -> tuple:
        by_departement = path_indicator_counts(
            actor=coordination, measure="requests", group_by="exploitation_departement", start=start, end=april_end
        )
        by_month = path_indicator_counts(
            actor=coordination, measure="requests", group_by="period", start=start, end=april_end
        )
        by_category = signalement_indicator_counts(actor=coordination, by="category", start=start, end=april_end)
        return (
            {r.key: r.count for r in by_departement.rows},
            by_departement.total,
            {r.key: r.count for r in by_month.rows},
            path_summary(actor=coordination, start=start, end=april_end).requests,
            {r.key: r.count for r in by_category},
        )

    whole = readings(march)
    assert whole == (
        {"93": 2, "35": 1},
        3,
        {f"{year}-03": 2, f"{year}-04": 1},
        3,
        {"fugue": 1, "violence": 1},
    )
    partial = readings(date(year, 3, 15))  # April from the summaries, 15 to 31 March from the rows
    assert partial == ({"93": 1, "35": 1}, 2, {f"{year}-03": 1, f"{year}-04": 1}, 2, {"violence": 1})
    own = signalement_indicator_counts(actor=partner, by="month", start=march, end=april_end)  # a partner: rows
    assert [(r.key, r.count) for r in own] == [(f"{year}-03", 1), (f"{year}-04", 1)]

    # Emptied summaries leave only what is read from the rows: the edge days.
    with session_scope(SYSTEM) as session:
        for summary in SUMMARIES:
            session.connection().execute(sa.delete(summary.target_table()))
    assert readings(march) == ({}, 0, {}, 0, {})
    assert readings(date(year, 3, 15)) == ({"93": 1}, 1, {f"{year}-03": 1}, 1, {})


def test_two_writers_of_the_same_month_are_both_counted(db):
    """The second writer's recount waits for the first one's transaction (advisory lock on PostgreSQL,
    the write lock on SQLite) and then counts its request too."""
    first_flushed, release_first = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def first_writer() -> None:
        try:
            with session_scope(SYSTEM):
                make_request(received_at=_noon(2))  # flushed: the month's summary rows are written
                first_flushed.set()
                release_first.wait(timeout=30)
        except BaseException as error:  # reported by the main thread
            failures.append(error)
            first_flushed.set()

    def second_writer() -> None:
        try:
            make_request(received_at=_noon(2))
        except BaseException as error:
            failures.append(error)

    first = threading.Thread(target=first_writer)
    first.start()
    assert first_flushed.wait(timeout=30)
    second = threading.Thread(target=second_writer)
    second.start()
    second.join(timeout=1)  # it waits for the first writer's transaction
    release_first.set()
    first.join(timeout=30)
    second.join(timeout=30)
    assert not failures, failures
    month = _noon(2).date().replace(day=1)
    assert _kept(SUMMARIES[0])[(month, "", "")] == 2
    _assert_equal_to_recount()
