"""The demo logs a year of outreach, prevention and supervision, and has a referrer account."""

from datetime import timedelta

import pytest

from core.access import SYSTEM
from services.admin.users import actor_for_username
from services.outreach.indicators import outreach_totals, prevention_summary
from services.referrers.accounts import referrer_service_list
from services.referrers.requests import referral_list

pytestmark = pytest.mark.slow  # the demo or every funder page: tens of seconds, in the full suite


def test_demo_detection_circuit(demo_db):
    ctx = demo_db
    first = ctx.today - timedelta(days=365)
    totals = outreach_totals(actor=SYSTEM, first=first, last=ctx.today)
    assert totals.sessions > 60
    assert totals.by_kind["numerique"] > 0 and totals.by_kind["rue"] > 0
    assert totals.linked_requests > 0 and all(days >= 0 for days in totals.days_to_request)
    team = prevention_summary(actor=SYSTEM, first=first, last=ctx.today)
    assert team.actions > 0 and team.supervision_sessions > 0 and team.digital_exposure_hours > 0
    assert [s.accounts for s in referrer_service_list(actor=SYSTEM)] == [1, 0]
    assert referral_list(actor=actor_for_username(username="orienteur")) == []
