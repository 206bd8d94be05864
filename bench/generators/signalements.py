"""Bulk signalements: 400 a year per scale unit over five years, each with its circuit of events
(declared, acknowledged, passed on, closed) and the header's derived columns replayed from them,
as the service would have written them. The last fortnight's stay open."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from types import SimpleNamespace

import sqlalchemy as sa

from core.formatting import PARIS
from demo.signalements import ACTIONS, CATEGORIES, FACTS, OUTCOMES, RECIPIENTS, _pick
from models.base import utcnow
from models.signalement import EventKind, Severity, Signalement, SignalementEvent
from services.admin.settings import SETTINGS
from services.signalements.circuit import DEADLINE_KEYS, derive_state

PER_YEAR = 400  # 20,000 signalements over five years at scale 10
YEARS = 5
D, W, I = Severity.IMMEDIATE_DANGER.value, Severity.WORRYING.value, Severity.INFORMATION.value  # noqa: E741
ACK_HOURS = {D: (0.1, 0.9), W: (0.5, 20), I: (1, 60)}


def _event(kind: EventKind, at: datetime, **values) -> dict:
    row = dict(
        kind=kind.value,
        at=at,
        recorded_at=at,
        author_user_id=None,
        author_name="Équipe" if kind == EventKind.DECLARED else "Coordination",
        author_role="partenaire" if kind == EventKind.DECLARED else "coordination",
        note=None,
        severity=None,
        category=None,
        ack_due_at=None,
        pass_due_at=None,
        recipient_kind=None,
        recipient_detail=None,
        channel=None,
        outcome=None,
        voids_event_id=None,
    )
    row.update(values)
    return row


def generate(ctx) -> None:
    rng, now = ctx.rng, utcnow()
    hours = {sev.value: tuple(float(SETTINGS[key].default) for key in keys) for sev, keys in DEADLINE_KEYS.items()}
    headers, histories = [], []
    for _ in range(PER_YEAR * YEARS * ctx.scale):
        day = ctx.today - timedelta(days=rng.randint(0, YEARS * 365))
        declared_at = datetime.combine(day, time(rng.randint(7, 22), rng.randint(0, 59)), PARIS).astimezone(UTC)
        if declared_at > now:
            declared_at = now - timedelta(hours=1)
        severity = _pick(rng, [(D, 20), (W, 55), (I, 25)])
        category = _pick(rng, CATEGORIES[severity])
        ack_h, pass_h = hours[severity]
        ack_due = declared_at + timedelta(hours=ack_h) if ack_h else None
        pass_due = declared_at + timedelta(hours=pass_h) if pass_h else None
        events = [
            _event(
                EventKind.DECLARED,
                declared_at,
                severity=severity,
                category=category,
                ack_due_at=ack_due,
                pass_due_at=pass_due,
            )
        ]
        low, high = ACK_HOURS[severity]
        at = declared_at + timedelta(hours=rng.uniform(low, high) * (1.6 if rng.random() < 0.08 else 1))
        if at < now:
            events.append(_event(EventKind.ACKNOWLEDGED, at))
            if severity != I and rng.random() < 0.85:
                at = at + timedelta(hours=rng.uniform(0.2, 3 if severity == D else 40))
                for kind in RECIPIENTS[category][: rng.randint(1, 2)]:
                    if at < now:
                        events.append(_event(EventKind.PASSED_ON, at, recipient_kind=kind, channel="telephone"))
            closed_at = at + timedelta(days=rng.uniform(2, 30))
            if closed_at < now - timedelta(days=14):
                outcome = rng.choice(OUTCOMES[category]) if len(events) > 2 else "information_seule"
                events.append(_event(EventKind.CLOSED, closed_at, outcome=outcome))
        state = derive_state([SimpleNamespace(id=None, **e) for e in events], declared_at)
        headers.append(
            dict(
                version=1,
                structure_id=rng.choice(ctx.structure_ids),
                child_id=None,
                occurred_at=declared_at - timedelta(minutes=rng.randint(10, 600)),
                declared_at=declared_at,
                declared_on=declared_at.astimezone(PARIS).date(),
                category=category,
                severity=severity,
                facts=rng.choice(FACTS[category]),
                actions_taken=ACTIONS[category][:1],
                actions_detail=None,
                declared_by_user_id=None,
                declared_by_name="Équipe",
                **state,
            )
        )
        histories.append(events)
    ctx.insert(Signalement.__table__, headers)
    table = Signalement.__table__
    ids = [row[0] for row in ctx.connection.execute(sa.select(table.c.id).order_by(table.c.id))][-len(headers) :]
    ctx.insert(
        SignalementEvent.__table__,
        [
            {**event, "signalement_id": signalement_id}
            for signalement_id, events in zip(ids, histories)
            for event in events
        ],
    )
