"""The per-day summary tables follow every write: after any sequence of writes they equal a full recount."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.access import SYSTEM
from core.db import session_scope
from core.formatting import PARIS
from core.summaries import SUMMARIES, Summary, summaries_rebuild
from models.child import ChildRequest, RequesterKind
from models.signalement import Category, Severity, Signalement
from models.user import Role
from services.path.indicators import path_indicator_counts, path_summary
from services.signalements.declarations import signalement_correct
from services.signalements.indicators import signalement_indicator_counts
from tests.conftest import _empty_tables
from tests.factories import make_request, make_signalement, make_structure, make_user

TODAY = datetime.now(PARIS).date()
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
        rows = session.execute(sa.select(*(target.c[n] for n in (*summary.watched, summary.count)))).all()
    return {(_day(row[0]), *row[1:-1]): row[-1] for row in rows}


def _recounted(summary: Summary) -> dict:
    with session_scope(SYSTEM) as session:
        rows = session.execute(summary.counts(None)).all()
    return {(_day(row[0]), *row[1:-1]): row[-1] for row in rows}


def _assert_equal_to_recount() -> None:
    for summary in SUMMARIES:
        assert _kept(summary) == _recounted(summary), summary.target.__name__


days_ago = st.integers(min_value=1, max_value=40)
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
    assert sum(before.values()) == 1


def test_rebuild_counts_rows_written_without_the_orm(db):
    make_request(received_at=_noon(5))
    with session_scope(SYSTEM) as session:
        session.connection().execute(sa.delete(SUMMARIES[0].target_table()))
    assert _kept(SUMMARIES[0]) == {}
    with session_scope(SYSTEM) as session:
        summaries_rebuild(session.connection())
    _assert_equal_to_recount()
    assert sum(_kept(SUMMARIES[0]).values()) == 1


def test_indicators_read_the_same_counts_as_the_rows(db):
    structure = make_structure(departement_code="35").id
    partner = make_user(Role.PARTENAIRE, structure_id=structure)
    for ago, dep, kind in ((3, "93", "police"), (3, "93", "pjj"), (4, "35", "police"), (40, "35", "police")):
        make_request(received_at=_noon(ago), exploitation_departement_code=dep, requester_kind=kind)
    for ago, category in ((2, "fugue"), (2, "violence"), (35, "fugue")):
        make_signalement(partner, now=_noon(ago).astimezone(PARIS), category=category)
    start, end = TODAY - timedelta(days=10), TODAY
    coordination = make_user(Role.COORDINATION)

    by_departement = path_indicator_counts(
        actor=coordination, measure="requests", group_by="exploitation_departement", start=start, end=end
    )
    assert {r.key: r.count for r in by_departement.rows} == {"93": 2, "35": 1} and by_departement.total == 3
    by_kind = path_indicator_counts(actor=coordination, measure="requests", group_by="requester_kind")
    assert {r.key: r.count for r in by_kind.rows} == {"police": 3, "pjj": 1}
    assert path_summary(actor=coordination, start=start, end=end).requests == 3
    with session_scope(SYSTEM) as session:
        rows = session.execute(sa.select(sa.func.count()).select_from(ChildRequest)).one()[0]
        signalements = session.execute(sa.select(sa.func.count()).select_from(Signalement)).one()[0]
    assert rows == 4 and signalements == 3

    by_category = signalement_indicator_counts(actor=coordination, by="category", start=start, end=end)
    assert {r.key: r.count for r in by_category} == {"fugue": 1, "violence": 1}
    own = signalement_indicator_counts(actor=partner, by="month")
    assert sum(r.count for r in own) == 3
