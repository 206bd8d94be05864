"""Demo detection circuit: outreach sessions, platforms, prevention, supervision, referrer services.

Counts only, never a person: the sessions of three partner structures over the last year, the
requests from « maraude » linked to a session of their département held before them, and one
referrer service with its `orienteur` account (demo password, as the other demo accounts).
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from core.db import session_scope
from models.child import ChildRequest
from models.outreach import OutreachSession
from services.outreach.sessions import OutreachData, outreach_create, platform_add, referral_link_request
from services.outreach.staff import prevention_create, supervision_create
from services.referrers.accounts import referrer_account_create, referrer_service_create
from services.referrers.requests import on_call_phone_set

PLATFORMS = ("Site d'annonces généraliste", "Site d'annonces d'escorte", "Réseau social (messagerie)", "Forum")
# 01 99 00 xx xx: the range the French telecom regulator keeps for fiction.
ON_CALL_PHONE = "01 99 00 12 34"
PLACES = ("gare", "rue", "parc", "campement", "hotel")


def generate(ctx) -> None:
    from demo.accounts import DEMO_PASSWORD

    rng = ctx.rng
    platforms = [platform_add(actor=ctx.actor, name=name).id for name in PLATFORMS]
    on_call_phone_set(actor=ctx.actor, phone=ON_CALL_PHONE)
    teams = ctx.structures[:3]
    for structure in teams:
        staff = ctx.partner_actor(structure.id)
        day = ctx.today - timedelta(days=360)
        while day < ctx.today - timedelta(days=2):
            digital = rng.random() < 0.6
            spotted = rng.randint(10, 60) if digital else 0
            met = 0 if digital else rng.randint(2, 15)
            presumed = rng.randint(0, 3)
            outreach_create(
                actor=staff,
                data=OutreachData(
                    held_on=day,
                    kind="numerique" if digital else "rue",
                    duration_minutes=rng.choice((90, 120, 180, 240)),
                    team_size=rng.randint(2, 3),
                    departement_code=structure.departement_code,
                    place_kind=None if digital else rng.choice(PLACES),
                    platform_ids=rng.sample(platforms, rng.randint(1, 2)) if digital else [],
                    counts={
                        "ads_spotted": spotted,
                        "ads_presumed_minors": min(presumed, spotted),
                        "messages_sent": rng.randint(0, 8) if digital else 0,
                        "answers": rng.randint(0, 3) if digital else 0,
                        "persons_met": met,
                        "persons_presumed_minors": min(presumed, met),
                        "risk_assessments": rng.randint(0, presumed),
                        "orientations_partner": rng.randint(0, 1) if presumed else 0,
                        "orientations_ase": rng.randint(0, 1) if presumed else 0,
                        "orientations_health": rng.randint(0, 1),
                        "reports_crip": rng.randint(0, 1) if presumed else 0,
                        "reports_pharos": rng.randint(0, 1) if digital and presumed else 0,
                        "reports_point_contact": rng.randint(0, 1) if digital else 0,
                    },
                ),
            )
            day += timedelta(days=rng.randint(5, 10))
        for month in range(0, 12, 2):
            held = ctx.today - timedelta(days=30 * month + rng.randint(3, 20))
            supervision_create(
                actor=staff,
                held_on=held,
                kind="supervision" if month % 4 == 0 else "analyse_pratique",
                hours=2.0,
                participants=rng.randint(3, 8),
            )
            prevention_create(
                actor=staff,
                held_on=held,
                kind=rng.choice(("atelier", "groupe_parole", "formation_professionnels", "campagne")),
                audience=rng.choice(("jeunes", "parents", "professionnels", "public")),
                reached=rng.randint(8, 120),
                departement_code=structure.departement_code,
            )
    _link_outreach_requests(ctx)
    service = referrer_service_create(
        actor=ctx.actor,
        name="Brigade de protection des familles de Seine-Saint-Denis",
        kind="police",
        departement_code="93",
    )
    referrer_service_create(actor=ctx.actor, name="CRIP de la Gironde", kind="ase_crip", departement_code="33")
    referrer_account_create(
        actor=ctx.actor,
        service_id=service.id,
        username="orienteur",
        display_name="Capitaine Durand (BPF 93)",
        email="orienteur@ancrage-demo.fr",
        password=DEMO_PASSWORD,
    )


def _link_outreach_requests(ctx) -> None:
    """Each request from a « maraude » comes from the latest outreach session held before it."""
    with session_scope(ctx.actor) as session:
        requests = session.exec(
            select(ChildRequest).where(ChildRequest.requester_kind == "maraude").order_by(ChildRequest.received_on)
        ).all()
        pairs = []
        for request in requests:
            held = session.exec(
                select(OutreachSession.id)
                .where(OutreachSession.held_on <= request.received_on)
                .order_by(OutreachSession.held_on.desc())
            ).first()
            if held is not None:
                pairs.append((held, request.id))
    for session_id, request_id in pairs:
        referral_link_request(actor=ctx.actor, session_id=session_id, request_id=request_id)
