"""The database itself keeps signalement history append-only, whatever SQL the app's session sends."""

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from core.access import SYSTEM
from core.db import engine, session_scope
from models.signalement import DERIVED_COLUMNS, Signalement
from models.signalement_guard import FACT_COLUMNS, MESSAGE
from models.user import Role
from services.signalements import declarations as svc
from services.signalements import reads
from tests.factories import make_signalement, make_user

PLAIN_SQL = {
    "rewrite_event": "UPDATE signalement_events SET note = 'réécrit'",
    "delete_events": "DELETE FROM signalement_events",
    "delete_signalement": "DELETE FROM signalements",
    "rewrite_facts": "UPDATE signalements SET facts = 'Autres faits'",
    "move_structure": "UPDATE signalements SET structure_id = structure_id + 0, declared_by_name = 'x'",
    "redate": "UPDATE signalements SET occurred_at = declared_at",
}


def test_fact_columns_are_every_column_but_the_derived_ones():
    assert set(FACT_COLUMNS) == {c.name for c in Signalement.__table__.columns} - DERIVED_COLUMNS


def _history(signalement_id: int):
    with engine().connect() as connection:
        events = connection.execute(
            sa.text("SELECT id, kind, note FROM signalement_events WHERE signalement_id = :i ORDER BY id"),
            {"i": signalement_id},
        ).all()
        facts = connection.execute(
            sa.text("SELECT facts, occurred_at, declared_by_name FROM signalements WHERE id = :i"),
            {"i": signalement_id},
        ).one()
    return events, facts


@pytest.mark.parametrize("statement", list(PLAIN_SQL))
@pytest.mark.parametrize("route", ["session_execute", "connection_execute"])
def test_plain_sql_cannot_rewrite_or_remove_history(db, statement, route):
    partner = make_user(Role.PARTENAIRE)
    made = make_signalement(partner)
    before = _history(made.id)
    with pytest.raises(IntegrityError, match=MESSAGE):
        with session_scope(SYSTEM) as session:
            if route == "session_execute":
                session.execute(sa.text(PLAIN_SQL[statement]))
            else:
                session.connection().execute(sa.text(PLAIN_SQL[statement]))
    assert _history(made.id) == before


def test_the_circuit_still_moves_forward(db):
    partner = make_user(Role.PARTENAIRE)
    made = make_signalement(partner)
    coordination = make_user(Role.COORDINATION)
    svc.signalement_acknowledge(actor=coordination, signalement_id=made.id)
    svc.signalement_correct(actor=coordination, signalement_id=made.id, note="Gravité revue", severity="information")
    detail = reads.signalement_get(actor=coordination, signalement_id=made.id)
    assert detail.summary.status == "pris_en_compte" and detail.summary.severity == "information"
    assert detail.declared_severity == "preoccupant"
