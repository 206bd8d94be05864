"""The demo tells two believable years of children's paths, through the services."""

import pytest

from core.access import SYSTEM
from models.user import Role
from services.path.indicators import path_summary
from services.path.placements import structure_children
from services.path.requests import request_board
from tests.factories import make_user

pytestmark = pytest.mark.slow  # the demo or every funder page: tens of seconds, in the full suite


def test_demo_paths(demo_db):
    ctx = demo_db
    board = request_board(actor=SYSTEM, limit=1)
    assert 150 <= board.total <= 250
    assert all(board.counts[s] for s in ("nouvelle", "orientation_en_cours", "orientee", "placee", "close"))
    partner = make_user(Role.PARTENAIRE, structure_id=ctx.partner_structure_id)
    mine = structure_children(actor=partner)
    assert len(mine.present) >= 2 and mine.expected and mine.pending
    summary = path_summary(actor=SYSTEM)
    assert summary.placed > 100 and 0.8 <= summary.distance_share.rate < 1
    assert 0 < summary.runaway_30.rate < 0.4
