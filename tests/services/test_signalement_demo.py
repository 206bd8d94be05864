"""The demo's signalements: two believable years, mostly on time, two still open."""

import pytest
from sqlmodel import select

from core.access import SYSTEM
from core.db import session_scope
from models.signalement import Signalement, SignalementEvent
from services.signalements import circuit, reads
from services.signalements.indicators import signalement_indicators

pytestmark = pytest.mark.slow  # the demo or every funder page: tens of seconds, in the full suite


def test_demo_signalements(demo_db):
    page = reads.signalement_list(actor=SYSTEM, limit=200)
    assert 60 <= page.total <= 120
    open_ = [r for r in page.rows if r.is_open]
    assert 1 <= len(open_) <= 2 and any(r.severity == "danger_immediat" for r in open_)
    result = signalement_indicators(actor=SYSTEM)
    assert 0.8 <= result.acknowledged_within.share < 1
    assert 0.8 <= result.passed_on_within.share < 1
    with session_scope(SYSTEM) as session:
        for header in session.exec(select(Signalement)):
            events = session.exec(
                select(SignalementEvent)
                .where(SignalementEvent.signalement_id == header.id)
                .order_by(SignalementEvent.id)
            ).all()
            for key, value in circuit.derive_state(list(events), header.declared_at).items():
                assert getattr(header, key) == value, (header.id, key)
