"""Referrer services and their accounts, kept by the coordination."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import func, select

from core.access import Action, Actor, require
from core.db import session_scope
from core.errors import AccessDenied, FieldError, NotFound, ValidationFailed
from models.outreach import ReferrerAccount, ReferrerKind, ReferrerRequest, ReferrerService
from models.referential import Departement
from models.user import Role
from services.admin.users import UserCreate, UserPublic, user_create

NAME_MAX = 120
NAME_REQUIRED = "indiquez le nom du service"
NAME_TAKEN = "un service porte déjà ce nom"
KIND_INVALID = "choisissez le type de service"
DEPARTEMENT_INVALID = "département inconnu"
NO_SERVICE = "Accès refusé : ce compte n'est rattaché à aucun service orienteur."


@dataclass(frozen=True)
class ReferrerServiceRow:
    id: int
    name: str
    kind: str
    departement_code: str
    accounts: int
    requests: int


def referrer_service_create(*, actor: Actor, name: str, kind: str, departement_code: str) -> ReferrerServiceRow:
    """Coordination only: declare a service that may send requests through its own accounts."""
    require(actor, Action.REFERRER_MANAGE)
    name = " ".join((name or "").split())
    errors = []
    if not name:
        errors.append(FieldError("Nom du service", NAME_REQUIRED))
    elif len(name) > NAME_MAX:
        errors.append(FieldError("Nom du service", f"{NAME_MAX} caractères au plus"))
    if kind not in ReferrerKind.labels():
        errors.append(FieldError("Type de service", KIND_INVALID))
    with session_scope(actor) as session:
        if not departement_code or session.get(Departement, departement_code) is None:
            errors.append(FieldError("Département", DEPARTEMENT_INVALID))
        if name and session.exec(select(ReferrerService.id).where(ReferrerService.name == name)).first():
            errors.append(FieldError("Nom du service", NAME_TAKEN))
        if errors:
            raise ValidationFailed(errors)
        service = ReferrerService(name=name, kind=kind, departement_code=departement_code)
        session.add(service)
        session.flush()
        return ReferrerServiceRow(service.id, service.name, service.kind, service.departement_code, 0, 0)


def referrer_service_list(*, actor: Actor) -> list[ReferrerServiceRow]:
    """Coordination only: every referrer service with its number of accounts and of requests sent."""
    require(actor, Action.REFERRER_MANAGE)
    with session_scope(actor) as session:
        accounts = dict(
            session.exec(select(ReferrerAccount.service_id, func.count()).group_by(ReferrerAccount.service_id)).all()
        )
        sent = dict(
            session.exec(select(ReferrerRequest.service_id, func.count()).group_by(ReferrerRequest.service_id)).all()
        )
        return [
            ReferrerServiceRow(s.id, s.name, s.kind, s.departement_code, accounts.get(s.id, 0), sent.get(s.id, 0))
            for s in session.exec(select(ReferrerService).order_by(ReferrerService.name))
        ]


def referrer_account_create(
    *, actor: Actor, service_id: int, username: str, display_name: str, email: str, password: str
) -> UserPublic:
    """Coordination only: an `orienteur` account for a member of a referrer service."""
    require(actor, Action.REFERRER_MANAGE)
    with session_scope(actor) as session:
        service = session.get(ReferrerService, service_id)
        if service is None:
            raise NotFound("Service orienteur introuvable.")
        user = user_create(
            actor=actor,
            data=UserCreate(
                username=username,
                display_name=display_name,
                email=email,
                role=Role.ORIENTEUR.value,
                password=password,
                departement_code=service.departement_code,
            ),
        )
        session.add(ReferrerAccount(user_id=user.id, service_id=service.id))
        session.flush()
        return user


def service_of(session, actor: Actor) -> ReferrerService:
    """The referrer service of an `orienteur` account; refused when the account has none."""
    require(actor, Action.REFERRER_SEND)
    service = session.exec(
        select(ReferrerService)
        .join(ReferrerAccount, ReferrerAccount.service_id == ReferrerService.id)
        .where(ReferrerAccount.user_id == actor.user_id)
    ).first()
    if service is None:
        raise AccessDenied(NO_SERVICE)
    return service


def request_sender(*, actor: Actor, request_id: int) -> str | None:
    """Coordination only: the name of the referrer service that sent a request through its account, if any."""
    require(actor, Action.PATH_REQUEST_MANAGE)
    with session_scope(actor) as session:
        return session.exec(
            select(ReferrerService.name)
            .join(ReferrerRequest, ReferrerRequest.service_id == ReferrerService.id)
            .where(ReferrerRequest.request_id == request_id)
        ).first()
