"""Outreach sessions (street and digital): counts only, never a person's name, pseudonym, handle or picture.

A partner structure logs its own sessions; the coordination logs its own (no structure) and reads all.
The coordination keeps the list of platforms watched in digital outreach and links a request to the
session where the child was met, so that the path from detection to placement can be counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel
from sqlmodel import select

from core.access import Action, Actor, require, scope_structure
from core.clock import paris_today
from core.db import session_scope
from core.errors import FieldError, NotFound, ValidationFailed
from models.child import Child, ChildRequest
from models.outreach import (
    OUTREACH_COUNTS,
    OutreachKind,
    OutreachPlatform,
    OutreachReferral,
    OutreachSession,
    PlaceKind,
)
from models.referential import Departement
from models.structure import Structure

COUNT_MAX = 100_000
KIND_INVALID = "choisissez maraude de rue ou maraude numérique"
DAY_FUTURE = "la date ne peut pas être dans le futur"
DURATION_INVALID = "indiquez une durée en minutes, de 1 à 1 440"
TEAM_INVALID = "indiquez le nombre d'intervenants, de 1 à 50"
DEPARTEMENT_INVALID = "département inconnu"
PLACE_REQUIRED = "choisissez le type de lieu"
PLACE_INVALID = "type de lieu inconnu"
PLATFORMS_REQUIRED = "choisissez au moins une plateforme"
PLATFORM_INVALID = "plateforme inconnue ou retirée de la liste"
COUNT_INVALID = f"indiquez un nombre entier de 0 à {COUNT_MAX:,}".replace(",", "\u202f")
MINORS_ABOVE_ADS = "ne peut pas dépasser le nombre d'annonces ou profils repérés"
MINORS_ABOVE_MET = "ne peut pas dépasser le nombre de personnes rencontrées"
PLATFORM_NAME_REQUIRED = "indiquez le nom de la plateforme"
PLATFORM_NAME_TAKEN = "cette plateforme est déjà dans la liste"
PLATFORM_NAME_MAX = 60
SESSION_NOT_FOUND = "Maraude introuvable."
REQUEST_NOT_FOUND = "Sollicitation introuvable."
ALREADY_LINKED = "cette sollicitation est déjà reliée à une maraude"
LINK_BEFORE_SESSION = "la sollicitation a été reçue avant la maraude"


class OutreachData(BaseModel):
    """What a team types after an outreach session: codes and counts, nothing about a person."""

    held_on: date | None = None
    kind: str | None = None
    duration_minutes: int | None = None
    team_size: int | None = None
    departement_code: str | None = None
    place_kind: str | None = None
    platform_ids: list[int] = []
    counts: dict[str, int] = {}


@dataclass(frozen=True)
class OutreachRow:
    id: int
    structure_name: str | None
    held_on: date
    kind: str
    duration_minutes: int
    team_size: int
    departement_code: str
    place_kind: str | None
    platforms: list[str]
    counts: dict[str, int]
    referrals: int


@dataclass(frozen=True)
class PlatformRow:
    id: int
    name: str
    active: bool


@dataclass(frozen=True)
class RequestOrigin:
    """Where a request comes from when an outreach session found the child."""

    session_id: int
    held_on: date
    kind: str
    structure_name: str | None

    @property
    def text(self) -> str:
        from core.formatting import fr_date

        who = self.structure_name or "la coordination"
        return f"{OutreachKind.label_of(self.kind)} du {fr_date(self.held_on)} ({who})"


# --- platforms ---


def platform_list(*, actor: Actor, include_inactive: bool = False) -> list[PlatformRow]:
    """The platforms watched in digital outreach, by name."""
    require(actor, Action.OUTREACH_LOG)
    with session_scope(actor) as session:
        statement = select(OutreachPlatform).order_by(OutreachPlatform.name)
        if not include_inactive:
            statement = statement.where(OutreachPlatform.active == True)  # noqa: E712
        return [PlatformRow(p.id, p.name, p.active) for p in session.exec(statement)]


def platform_add(*, actor: Actor, name: str) -> PlatformRow:
    """Coordination only: add a platform to the list (platforms change fast)."""
    require(actor, Action.OUTREACH_PLATFORM_MANAGE)
    name = " ".join((name or "").split())
    if not name:
        raise ValidationFailed(FieldError("Plateforme", PLATFORM_NAME_REQUIRED))
    if len(name) > PLATFORM_NAME_MAX:
        raise ValidationFailed(FieldError("Plateforme", f"{PLATFORM_NAME_MAX} caractères au plus"))
    with session_scope(actor) as session:
        known = session.exec(select(OutreachPlatform.name)).all()
        if name.casefold() in {n.casefold() for n in known}:
            raise ValidationFailed(FieldError("Plateforme", PLATFORM_NAME_TAKEN))
        platform = OutreachPlatform(name=name)
        session.add(platform)
        session.flush()
        return PlatformRow(platform.id, platform.name, platform.active)


def platform_set_active(*, actor: Actor, platform_id: int, active: bool) -> None:
    """Coordination only: retire a platform from the form (past sessions keep it) or bring it back."""
    require(actor, Action.OUTREACH_PLATFORM_MANAGE)
    with session_scope(actor) as session:
        platform = session.get(OutreachPlatform, platform_id)
        if platform is None:
            raise NotFound("Plateforme introuvable.")
        platform.active = active
        session.add(platform)


# --- sessions ---


def _validate(session, data: OutreachData) -> list[FieldError]:
    errors: list[FieldError] = []
    if data.kind not in OutreachKind.labels():
        errors.append(FieldError("Type de maraude", KIND_INVALID))
    if data.held_on is None or data.held_on > paris_today():
        errors.append(FieldError("Date", DAY_FUTURE if data.held_on else "indiquez la date"))
    if data.duration_minutes is None or not 1 <= data.duration_minutes <= 1440:
        errors.append(FieldError("Durée", DURATION_INVALID))
    if data.team_size is None or not 1 <= data.team_size <= 50:
        errors.append(FieldError("Intervenants", TEAM_INVALID))
    if not data.departement_code or session.get(Departement, data.departement_code) is None:
        errors.append(FieldError("Département", DEPARTEMENT_INVALID))
    if data.kind == OutreachKind.STREET.value:
        if not data.place_kind:
            errors.append(FieldError("Type de lieu", PLACE_REQUIRED))
        elif data.place_kind not in PlaceKind.labels():
            errors.append(FieldError("Type de lieu", PLACE_INVALID))
    if data.kind == OutreachKind.DIGITAL.value:
        if not data.platform_ids:
            errors.append(FieldError("Plateformes", PLATFORMS_REQUIRED))
        else:
            active = set(
                session.exec(
                    select(OutreachPlatform.id).where(
                        OutreachPlatform.id.in_(data.platform_ids),
                        OutreachPlatform.active == True,  # noqa: E712
                    )
                ).all()
            )
            if set(data.platform_ids) - active:
                errors.append(FieldError("Plateformes", PLATFORM_INVALID))
    counts = {column: data.counts.get(column, 0) for column in OUTREACH_COUNTS}
    for column, value in counts.items():
        if not isinstance(value, int) or not 0 <= value <= COUNT_MAX:
            errors.append(FieldError(OUTREACH_COUNTS[column], COUNT_INVALID))
    unknown = set(data.counts) - set(OUTREACH_COUNTS)
    if unknown:
        errors.append(FieldError("Comptages", "comptage inconnu : " + ", ".join(sorted(unknown))))
    if not errors:
        if counts["ads_presumed_minors"] > counts["ads_spotted"]:
            errors.append(FieldError("Annonces présumées mineures", MINORS_ABOVE_ADS))
        if counts["persons_presumed_minors"] > counts["persons_met"]:
            errors.append(FieldError("Personnes présumées mineures", MINORS_ABOVE_MET))
    return errors


def outreach_create(*, actor: Actor, data: OutreachData) -> OutreachRow:
    """Log an outreach session for the actor's structure (the coordination logs its own, without structure)."""
    require(actor, Action.OUTREACH_LOG)
    with session_scope(actor) as session:
        errors = _validate(session, data)
        if errors:
            raise ValidationFailed(errors)
        street = data.kind == OutreachKind.STREET.value
        row = OutreachSession(
            structure_id=actor.structure_id if actor.is_partner else None,
            held_on=data.held_on,
            kind=data.kind,
            duration_minutes=data.duration_minutes,
            team_size=data.team_size,
            departement_code=data.departement_code,
            place_kind=data.place_kind if street else None,
            platform_ids=[] if street else [str(i) for i in sorted(set(data.platform_ids))],
            created_by=actor.username,
            **{column: data.counts.get(column, 0) for column in OUTREACH_COUNTS},
        )
        session.add(row)
        session.flush()
        assert row.id is not None
        return _rows(session, actor, [row.id])[0]


def outreach_list(*, actor: Actor, start: date | None = None, end: date | None = None) -> list[OutreachRow]:
    """Outreach sessions in the actor's scope (a partner: its own structure's), newest first."""
    require(actor, Action.OUTREACH_LOG)
    with session_scope(actor) as session:
        return _rows(session, actor, None, start=start, end=end)


def _rows(session, actor: Actor, ids: list[int] | None, start=None, end=None) -> list[OutreachRow]:
    from sqlmodel import func

    statement = select(OutreachSession, Structure.name).join(
        Structure,
        Structure.id == OutreachSession.structure_id,
        isouter=True,
    )
    statement = scope_structure(statement, actor, OutreachSession.structure_id)
    if ids is not None:
        statement = statement.where(OutreachSession.id.in_(ids))
    if start is not None:
        statement = statement.where(OutreachSession.held_on >= start)
    if end is not None:
        statement = statement.where(OutreachSession.held_on <= end)
    rows = session.exec(statement.order_by(OutreachSession.held_on.desc(), OutreachSession.id.desc())).all()
    names = dict(session.exec(select(OutreachPlatform.id, OutreachPlatform.name)).all())
    session_ids = [r.id for r, _ in rows]
    referrals = dict(
        session.exec(
            select(OutreachReferral.session_id, func.count())
            .where(OutreachReferral.session_id.in_(session_ids))
            .group_by(OutreachReferral.session_id)
        ).all()
    )
    return [
        OutreachRow(
            id=r.id,
            structure_name=name,
            held_on=r.held_on,
            kind=r.kind,
            duration_minutes=r.duration_minutes,
            team_size=r.team_size,
            departement_code=r.departement_code,
            place_kind=r.place_kind,
            platforms=sorted(names.get(int(i), "?") for i in r.platform_ids),
            counts={column: getattr(r, column) for column in OUTREACH_COUNTS},
            referrals=referrals.get(r.id, 0),
        )
        for r, name in rows
    ]


# --- from detection to request ---


def referral_link(*, actor: Actor, session_id: int, child_code: str) -> RequestOrigin:
    """Coordination only: the child's latest request came from a contact made during this outreach session."""
    require(actor, Action.OUTREACH_REFERRAL_LINK)
    with session_scope(actor) as session:
        request = session.exec(
            select(ChildRequest)
            .join(Child, Child.id == ChildRequest.child_id)
            .where(Child.code == (child_code or "").strip().upper())
            .order_by(ChildRequest.received_at.desc())
        ).first()
        if request is None:
            raise ValidationFailed(FieldError("Code de l'enfant", "aucune sollicitation pour ce code"))
        return _link(session, actor, session_id, request)


def referral_link_request(*, actor: Actor, session_id: int, request_id: int) -> RequestOrigin:
    """Coordination only: this request came from a contact made during this outreach session."""
    require(actor, Action.OUTREACH_REFERRAL_LINK)
    with session_scope(actor) as session:
        request = session.get(ChildRequest, request_id)
        if request is None:
            raise NotFound(REQUEST_NOT_FOUND)
        return _link(session, actor, session_id, request)


def _link(session, actor: Actor, session_id: int, request: ChildRequest) -> RequestOrigin:
    outreach = session.get(OutreachSession, session_id)
    if outreach is None:
        raise NotFound(SESSION_NOT_FOUND)
    if session.exec(select(OutreachReferral.id).where(OutreachReferral.request_id == request.id)).first():
        raise ValidationFailed(FieldError("Sollicitation", ALREADY_LINKED))
    if request.received_on < outreach.held_on:
        raise ValidationFailed(FieldError("Sollicitation", LINK_BEFORE_SESSION))
    assert request.id is not None
    session.add(OutreachReferral(session_id=outreach.id, request_id=request.id, created_by=actor.username))
    session.flush()
    origin = _origin(session, request.id)
    assert origin is not None
    return origin


def request_origin(*, actor: Actor, request_id: int) -> RequestOrigin | None:
    """Coordination only: the outreach session a request came from, if any (shown on the request)."""
    require(actor, Action.PATH_REQUEST_MANAGE)
    with session_scope(actor) as session:
        return _origin(session, request_id)


def _origin(session, request_id: int) -> RequestOrigin | None:
    row = session.exec(
        select(OutreachSession, Structure.name)
        .join(OutreachReferral, OutreachReferral.session_id == OutreachSession.id)
        .join(Structure, Structure.id == OutreachSession.structure_id, isouter=True)
        .where(OutreachReferral.request_id == request_id)
    ).first()
    if row is None:
        return None
    outreach, name = row
    return RequestOrigin(session_id=outreach.id, held_on=outreach.held_on, kind=outreach.kind, structure_name=name)
