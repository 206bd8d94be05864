"""What an `orienteur` account does: send a request in a short form, get a receipt, follow its service's requests.

A referrer sees only the requests its own service sent, by request number, with a status in four
steps (reçue, en cours d'orientation, prise en charge, close). It never sees the child's code, the
structure that took the child in, nor where it is.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel
from sqlmodel import select

from core.access import Action, Actor, require
from core.db import session_scope
from core.errors import FieldError, ValidationFailed
from models.base import utcnow
from models.child import ChildRequest, RequestStatus
from models.outreach import ReferrerKind, ReferrerRequest
from models.setting import AppSetting
from services.path.requests import RequestCreate, request_create
from services.referrers.accounts import service_of

ON_CALL_KEY = "referrer_on_call_phone"
ON_CALL_MAX = 40
ON_CALL_INVALID = "indiquez un numéro de téléphone (chiffres, espaces, + et points)"
ON_CALL_MISSING = "numéro d'astreinte non renseigné : appelez la coordination nationale"
PHONE_RE = re.compile(r"^\+?[0-9 .]{6,40}$")


class ReferrerStatus:
    """The four steps a referrer sees, from the request's status."""

    RECEIVED = "Reçue"
    ORIENTING = "En cours d'orientation"
    TAKEN_IN = "Prise en charge"
    CLOSED = "Close"

    BY_STATUS = {
        RequestStatus.NEW.value: RECEIVED,
        RequestStatus.IN_PROGRESS.value: ORIENTING,
        RequestStatus.ORIENTED.value: ORIENTING,
        RequestStatus.PLACED.value: TAKEN_IN,
        RequestStatus.CLOSED.value: CLOSED,
    }


class ReferralForm(BaseModel):
    """The short intake form: the request's own fields, nothing more (never a name, never a birth date)."""

    child_age: int | None = None
    sex: str | None = None
    nationality_group: str | None = None
    exploitation_forms: list[str] = []
    exploitation_departement_code: str | None = None
    risk_flags: list[str] = []


@dataclass(frozen=True)
class Receipt:
    request_number: int
    received_at: object
    on_call_phone: str | None


@dataclass(frozen=True)
class SentRequest:
    request_number: int
    received_on: date
    child_age: int
    sex: str
    status: str


def referral_send(*, actor: Actor, form: ReferralForm) -> Receipt:
    """Referrer only: send a request for the actor's service, through the request service; returns a receipt."""
    require(actor, Action.REFERRER_SEND)
    with session_scope(actor) as session:
        service = service_of(session, actor)
        kind = service.kind if service.kind in {k.value for k in ReferrerKind} else "autre"
        detail = request_create(
            actor=actor,
            data=RequestCreate(
                child_age=form.child_age,
                sex=form.sex,
                nationality_group=form.nationality_group or None,
                requester_kind=kind,
                requester_departement_code=service.departement_code,
                exploitation_forms=form.exploitation_forms,
                exploitation_departement_code=form.exploitation_departement_code,
                risk_flags=form.risk_flags,
            ),
        )
        session.add(ReferrerRequest(request_id=detail.id, service_id=service.id))
        session.flush()
        return Receipt(request_number=detail.id, received_at=detail.received_at, on_call_phone=_on_call(session))


def referral_list(*, actor: Actor) -> list[SentRequest]:
    """Referrer only: the requests its own service sent, newest first, with the four-step status."""
    require(actor, Action.REFERRER_SEND)
    with session_scope(actor) as session:
        service = service_of(session, actor)
        rows = session.exec(
            select(ChildRequest)
            .join(ReferrerRequest, ReferrerRequest.request_id == ChildRequest.id)
            .where(ReferrerRequest.service_id == service.id)
            .order_by(ChildRequest.received_at.desc(), ChildRequest.id.desc())
        ).all()
        from models.child import Child

        sexes = dict(session.exec(select(Child.id, Child.sex).where(Child.id.in_([r.child_id for r in rows]))).all())
        return [
            SentRequest(
                request_number=r.id,
                received_on=r.received_on,
                child_age=r.child_age,
                sex=sexes[r.child_id],
                status=ReferrerStatus.BY_STATUS[r.status],
            )
            for r in rows
        ]


def _on_call(session) -> str | None:
    row = session.get(AppSetting, ON_CALL_KEY)
    return None if row is None else json.loads(row.value)


def on_call_phone(*, actor: Actor) -> str | None:
    """The coordination's on-call phone, printed on every receipt (referrers and coordination)."""
    if not actor.is_coordination:
        require(actor, Action.REFERRER_SEND)
    with session_scope(actor) as session:
        return _on_call(session)


def on_call_phone_set(*, actor: Actor, phone: str) -> None:
    """Coordination only: the on-call phone printed on the referrers' receipts."""
    require(actor, Action.REFERRER_MANAGE)
    phone = " ".join((phone or "").split())
    if not PHONE_RE.match(phone) or len(phone) > ON_CALL_MAX:
        raise ValidationFailed(FieldError("Téléphone d'astreinte", ON_CALL_INVALID))
    with session_scope(actor) as session:
        row = session.get(AppSetting, ON_CALL_KEY) or AppSetting(key=ON_CALL_KEY, value="null")
        row.value = json.dumps(phone)
        row.updated_at = utcnow()
        session.add(row)
