"""Factories: consistent rows for tests, written through the services like real data."""

from __future__ import annotations

import itertools

from core.access import SYSTEM, Actor
from core.clock import paris_today
from models.structure import NetworkStatus, StructureCreate, StructureKind
from models.user import Role
from services.admin.users import UserCreate, actor_for_username, user_create
from services.directory.structures import structure_create

_counter = itertools.count(1)
PASSWORD = "mot-de-passe-1"


def make_structure(**overrides):
    n = next(_counter)
    values = dict(
        name=f"Structure {n}",
        kind=StructureKind.MECS.value,
        departement_code="35",
        commune="Rennes",
        capacity=10,
        age_min=12,
        age_max=17,
        sexes=["F", "M"],
        exploitation_forms=["sexuelle"],
        services=["psy"],
        status=NetworkStatus.ACTIVE.value,
    )
    values.update(overrides)
    return structure_create(actor=SYSTEM, data=StructureCreate(**values))


def make_user(role: Role | str = Role.COORDINATION, *, structure_id: int | None = None, **overrides) -> Actor:
    """Create an account and return its Actor (a partner gets a structure when none is given, a referrer a
    referrer service unless `with_service=False`)."""
    role = Role(role).value
    if role == Role.PARTENAIRE.value and structure_id is None:
        structure_id = make_structure().id
    n = next(_counter)
    values = dict(
        username=f"{role}{n}",
        display_name=f"{role} {n}",
        email=f"{role}{n}@exemple.fr",
        role=role,
        password=PASSWORD,
        structure_id=structure_id,
    )
    with_service = overrides.pop("with_service", True)
    values.update(overrides)
    if role == Role.ORIENTEUR.value and with_service:
        # A referrer account belongs to a referrer service, as the coordination creates them.
        from services.referrers.accounts import referrer_account_create, referrer_service_create

        service = referrer_service_create(actor=SYSTEM, name=f"Service {n}", kind="police", departement_code="93")
        values.pop("role"), values.pop("structure_id")
        referrer_account_create(actor=SYSTEM, service_id=service.id, **values)
        return actor_for_username(username=values["username"])
    user_create(actor=SYSTEM, data=UserCreate(**values))
    return actor_for_username(username=values["username"])


# --- child path ---


def make_request(actor: Actor | None = None, **overrides):
    """A request for a 15-year-old girl exploited in Seine-Saint-Denis (93), received two days ago."""
    from datetime import timedelta

    from models.base import utcnow
    from services.path.requests import RequestCreate, request_create

    values = dict(
        received_at=utcnow() - timedelta(days=2),
        child_age=15,
        sex="F",
        nationality_group="afrique_subsaharienne",
        requester_kind="police",
        requester_departement_code="93",
        exploitation_forms=["sexuelle"],
        exploitation_departement_code="93",
        risk_flags=["exploiteur_contact"],
    )
    values.update(overrides)
    return request_create(actor=actor or SYSTEM, data=RequestCreate(**values))


def _noon(day):
    from datetime import datetime, timedelta

    from core.clock import paris_now
    from core.formatting import PARIS

    if day is None:
        return None
    # noon of that day, or a minute ago when today's noon is still to come: never in the future
    return min(datetime(day.year, day.month, day.day, 12, tzinfo=PARIS), paris_now() - timedelta(minutes=1))


def make_oriented(structure_id: int, actor: Actor | None = None, *, consent: bool = True, at=None, **overrides):
    """A request proposed to `structure_id`, accepted by it (consents recorded unless told): (request, proposal).

    `at` dates the proposal and the answer (the request is then received two days before)."""
    from datetime import timedelta

    from services.path.orientation import consent_record, proposal_answer, proposal_create

    actor = actor or SYSTEM
    if at is not None:
        overrides.setdefault("received_at", at - timedelta(days=2))
    request = make_request(actor, **overrides)
    proposal = proposal_create(actor=actor, request_id=request.id, structure_id=structure_id, at=at)
    proposal = proposal_answer(
        actor=actor, proposal_id=proposal.id, expected_version=proposal.version, accepted=True, at=at
    )
    if consent:
        proposal = consent_record(
            actor=actor,
            proposal_id=proposal.id,
            expected_version=proposal.version,
            assent_obtained=True,
            authority_basis="decision_judiciaire",
            at=at,
        )
    return request, proposal


def make_placed(structure_id: int, actor: Actor | None = None, *, arrival_date=None, **overrides):
    """A child placed in `structure_id` (arrived today unless told): (request, proposal and placement made
    `arrival_date` when given)."""

    from core.clock import paris_date
    from models.base import utcnow
    from services.path.placements import placement_arrival

    actor = actor or SYSTEM
    request, proposal = make_oriented(structure_id, actor, at=_noon(arrival_date), **overrides)
    arrival = arrival_date or paris_date(utcnow())
    placement = placement_arrival(
        actor=actor, proposal_id=proposal.id, expected_version=proposal.version, arrival_date=arrival
    )
    return request, placement


def make_module(**overrides):
    """A catalogue module (6 to 7 hours, on site, for éducateurs) unless told otherwise."""
    from services.training.modules import ModuleData, training_module_create

    n = next(_counter)
    values = dict(
        title=f"Module {n}",
        objectives="Savoir repérer et orienter.",
        target_profiles=["educateur_specialise"],
        duration_min_hours=6,
        duration_max_hours=7,
        format="sur_site",
    )
    values.update(overrides)
    return training_module_create(actor=SYSTEM, data=ModuleData(**values))


def make_session(module_id: int, **overrides):
    """A delivered session of the module, a month ago in Ille-et-Vilaine, 7 hours, 5 éducateurs."""
    from datetime import timedelta

    from services.training.sessions import SessionData, training_session_create

    day = overrides.pop("day", paris_today() - timedelta(days=30))
    values = dict(
        module_id=module_id,
        start_date=day,
        end_date=day,
        trainer_organisation="Organisme formateur",
        departement_code="35",
        hours=7,
        status="realisee",
        participants={"educateur_specialise": 5},
    )
    values.update(overrides)
    return training_session_create(actor=SYSTEM, data=SessionData(**values))


def make_convention(departement_code: str = "35", **overrides):
    from datetime import date

    from models.convention import ConventionCreate, ConventionStatus
    from services.directory.conventions import convention_create

    values = dict(
        departement_code=departement_code,
        status=ConventionStatus.SIGNED.value,
        signed_on=date(2024, 1, 15),
        ends_on=None,
        scope=["accueil"],
    )
    values.update(overrides)
    return convention_create(actor=SYSTEM, data=ConventionCreate(**values))


def make_criterion(label: str | None = None, **overrides):
    from models.standard import CriterionCreate
    from services.directory.standards import criterion_create

    values = dict(label=label or f"Critère {next(_counter)}", category="prise_en_charge")
    values.update(overrides)
    return criterion_create(actor=SYSTEM, data=CriterionCreate(**values))


# --- children and placements (written directly: no service for them on this branch yet) ---


def make_child(*, code: str | None = None, age: int = 14, sex: str = "F"):
    """A child known to the network, written with the system actor."""
    from core.db import session_scope
    from models.child import Child

    with session_scope(SYSTEM) as session:
        child = Child(code=code or f"E-{next(_counter):05d}", age=age, sex=sex)
        session.add(child)
        session.flush()
        return child.model_copy()


def make_placement(*, child_id: int, structure_id: int, arrival_date=None, end_date=None, exit_reason=None):
    """A child's stay in a structure (open unless `end_date`), written with the system actor."""
    from datetime import timedelta

    from core.db import session_scope
    from models.child import Placement

    with session_scope(SYSTEM) as session:
        placement = Placement(
            child_id=child_id,
            structure_id=structure_id,
            arrival_date=arrival_date or paris_today() - timedelta(days=60),
            end_date=end_date,
            exit_reason=exit_reason,
        )
        session.add(placement)
        session.flush()
        return placement.model_copy()


# --- signalements ---


def as_system(actor: Actor) -> Actor:
    """The same person acting as the system, which may date its steps (`now=`)."""
    from dataclasses import replace

    return replace(actor, is_system=True)


def make_signalement(actor: Actor, *, now=None, **overrides):
    """A declaration by a partner's staff (`now` dates it: the actor then acts as the system)."""
    from datetime import timedelta

    from models.base import utcnow
    from services.signalements.declarations import SignalementDeclaration, signalement_declare

    at = now or utcnow()
    values = dict(
        occurred_at=at - timedelta(hours=1),
        category="fugue",
        severity="preoccupant",
        facts="L'enfant n'est pas rentré après l'école ; recherches engagées.",
        actions_taken=["police"],
    )
    values.update(overrides)
    if now is not None:
        actor = as_system(actor)
    return signalement_declare(actor=actor, data=SignalementDeclaration(**values), now=now)


# --- weekly figures ---


def make_weekly_elements() -> dict:
    """The default weekly data set; returns its elements by code."""
    from services.weekly.elements import weekly_element_list, weekly_element_seed_defaults

    weekly_element_seed_defaults(actor=SYSTEM)
    return {e.code: e for e in weekly_element_list(actor=SYSTEM)}


def weekly_values(**overrides) -> dict:
    """A plausible, valid week for a structure of 10 places."""
    values = dict(
        places_disponibles=2,
        enfants_presents=8,
        arrivees=1,
        departs=1,
        fugues=0,
        sollicitations_directes=3,
        professionnels_en_poste=9,
        etp_educatifs=7.5,
    )
    values.update(overrides)
    return values


# Tests pick each week's figures freely: children present need not follow from last week's flows.
EXPLAINED_STOCK = {"enfants_presents": "Effectif recompté"}


def make_weekly_report(
    structure_id: int, week_start, *, now, submit: bool = True, comments: dict | None = None, **overrides
):
    """Save (and by default submit) a structure-week as the coordination, at the instant `now`
    (with a comment on children present unless `comments` says otherwise)."""
    from services.weekly.reports import weekly_entry_get, weekly_save

    entry = weekly_entry_get(actor=SYSTEM, structure_id=structure_id, week_start=week_start, now=now)
    return weekly_save(
        actor=SYSTEM,
        structure_id=structure_id,
        week_start=week_start,
        values=weekly_values(**overrides),
        comments=EXPLAINED_STOCK if comments is None else comments,
        expected_version=entry.version,
        submit=submit,
        confirm_unusual=True,
        now=now,
    )
