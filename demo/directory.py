"""Demo référentiel, assessments, conventions with conseils départementaux and a few status changes."""

from __future__ import annotations

from datetime import timedelta

from models.convention import ConventionCreate, ConventionScope, ConventionStatus
from models.standard import AssessmentLevel, CriterionCategory, CriterionCreate
from models.structure import NetworkStatus, StructureUpdate
from services.directory.conventions import convention_create
from services.directory.standards import AssessmentInput, assessments_save, criterion_create
from services.directory.structures import structure_update

CRITERIA = [
    (
        "Taux d'encadrement adapté",
        CriterionCategory.STAFFING,
        "Au moins un professionnel éducatif présent pour trois enfants accueillis en journée, et une présence de nuit.",
    ),
    (
        "Référent éducatif désigné",
        CriterionCategory.STAFFING,
        "Chaque enfant a un référent éducatif nommé dès son arrivée, connu de lui et des partenaires.",
    ),
    (
        "Formation des équipes à la traite des êtres humains",
        CriterionCategory.STAFFING,
        "Les professionnels au contact des enfants ont suivi la formation TEH du réseau depuis moins de trois ans.",
    ),
    (
        "Projet individualisé sous un mois",
        CriterionCategory.CARE,
        "Un projet pour l'enfant est formalisé dans le mois qui suit son arrivée et revu chaque trimestre.",
    ),
    (
        "Accès aux soins et au soutien psychologique",
        CriterionCategory.CARE,
        "Bilan de santé à l'arrivée et accès à un psychologue ou à un psychotraumatologue.",
    ),
    (
        "Interprétariat professionnel",
        CriterionCategory.CARE,
        "Recours à un interprète professionnel pour les entretiens importants, jamais à un compatriote non formé.",
    ),
    (
        "Protocole de mise en sécurité et de fugue",
        CriterionCategory.SAFETY,
        "Protocole écrit : évaluation du danger, éloignement, signalement immédiat d'une fugue aux autorités.",
    ),
    (
        "Confidentialité de l'adresse d'accueil",
        CriterionCategory.SAFETY,
        "L'adresse du lieu d'accueil n'est communiquée qu'aux professionnels qui en ont besoin.",
    ),
    (
        "Suivi du parcours et relais à la sortie",
        CriterionCategory.FOLLOW_UP,
        "Le parcours de l'enfant est suivi dans l'outil et un relais est organisé avant toute sortie.",
    ),
]

# Départements with a conseil départemental convention, roughly in signing order.
CONVENTION_DEPARTEMENTS = [
    "33",
    "35",
    "69",
    "13",
    "59",
    "31",
    "44",
    "67",
    "34",
    "06",
    "29",
    "38",
    "21",
    "63",
    "76",
    "974",
    "971",
    "972",
    "54",
    "57",
    "14",
    "37",
    "45",
    "86",
    "87",
    "25",
    "64",
    "93",
    "62",
    "973",
]
COMMENTS = {
    AssessmentLevel.PARTLY: [
        "Mise en place en cours.",
        "À formaliser par écrit.",
        "Appliqué de façon inégale selon les équipes.",
    ],
    AssessmentLevel.NOT_MET: ["Pas encore en place : plan d'action demandé.", "Besoin d'appui de la coordination."],
}


def generate(ctx) -> None:
    criteria = [
        criterion_create(
            actor=ctx.actor,
            data=CriterionCreate(label=label, category=category.value, description=description, position=index),
        )
        for index, (label, category, description) in enumerate(CRITERIA, start=1)
    ]
    _assessments(ctx, criteria)
    _conventions(ctx)
    _status_changes(ctx)


def _assessments(ctx, criteria) -> None:
    rng = ctx.rng
    levels = [AssessmentLevel.MET, AssessmentLevel.PARTLY, AssessmentLevel.NOT_MET]
    for structure in ctx.structures:
        is_partner = structure.id == ctx.partner_structure_id
        if structure.status in (NetworkStatus.LEFT.value, NetworkStatus.JOINING.value) or (
            not is_partner and rng.random() < 0.06
        ):
            continue
        visit = ctx.today - timedelta(days=rng.randint(15, 330))
        stale = is_partner or rng.random() < 0.2
        items = []
        for index, criterion in enumerate(criteria):
            if not is_partner and rng.random() < 0.05:
                continue  # a criterion not assessed yet
            old = stale and (index % 3 == 0)
            day = ctx.today - timedelta(days=rng.randint(380, 560)) if old else visit
            if structure.joined_on and day < structure.joined_on:
                day = structure.joined_on
            level = rng.choices(levels, [62, 25, 13])[0]
            comment = rng.choice(COMMENTS[level]) if level in COMMENTS else None
            items.append(
                AssessmentInput(criterion_id=criterion.id, level=level.value, assessed_on=day, comment=comment)
            )
        assessments_save(actor=ctx.actor, structure_id=structure.id, items=items)


def _conventions(ctx) -> None:
    rng = ctx.rng
    scopes = [s.value for s in ConventionScope]
    for index, code in enumerate(CONVENTION_DEPARTEMENTS):
        scope = sorted({ConventionScope.SHELTER.value, *rng.sample(scopes, rng.randint(1, 3))})
        if index >= 27:  # still being negotiated
            convention_create(
                actor=ctx.actor,
                data=ConventionCreate(
                    departement_code=code,
                    status=ConventionStatus.DRAFT.value,
                    scope=scope,
                    notes="Projet transmis au conseil départemental, en attente de délibération.",
                ),
            )
            continue
        signed = ctx.today - timedelta(days=rng.randint(60, 720))
        if index in (3, 9, 16):  # an earlier convention ended, renewed since
            first = signed - timedelta(days=3 * 365)
            convention_create(
                actor=ctx.actor,
                data=ConventionCreate(
                    departement_code=code,
                    status=ConventionStatus.SIGNED.value,
                    signed_on=first,
                    ends_on=signed - timedelta(days=1),
                    scope=scope,
                    notes="Première convention, arrivée à échéance.",
                ),
            )
        if index in (5, 20):  # ended and not renewed
            convention_create(
                actor=ctx.actor,
                data=ConventionCreate(
                    departement_code=code,
                    status=ConventionStatus.SIGNED.value,
                    signed_on=signed - timedelta(days=900),
                    ends_on=ctx.today - timedelta(days=rng.randint(20, 150)),
                    scope=scope,
                    notes="Échue ; renouvellement non engagé à ce jour.",
                ),
            )
            continue
        if index == 12:  # terminated by the conseil départemental
            convention_create(
                actor=ctx.actor,
                data=ConventionCreate(
                    departement_code=code,
                    status=ConventionStatus.TERMINATED.value,
                    signed_on=signed - timedelta(days=400),
                    ends_on=ctx.today - timedelta(days=45),
                    scope=scope,
                    notes="Dénoncée par le conseil départemental (réorganisation de l'ASE).",
                ),
            )
            continue
        if index in (1, 7, 14):  # ends within the warning period
            ends = ctx.today + timedelta(days=rng.randint(10, 55))
        elif rng.random() < 0.5:
            ends = signed + timedelta(days=3 * 365)
        else:
            ends = None
        convention_create(
            actor=ctx.actor,
            data=ConventionCreate(
                departement_code=code, status=ConventionStatus.SIGNED.value, signed_on=signed, ends_on=ends, scope=scope
            ),
        )


def _status_changes(ctx) -> None:
    """Two active structures went through a suspension and came back: the map changes over time."""
    active = [
        s
        for s in ctx.structures
        if s.status == NetworkStatus.ACTIVE.value
        and s.id != ctx.partner_structure_id
        and s.joined_on
        and (ctx.today - s.joined_on).days > 400
    ]
    for structure in active[:2]:
        suspended = ctx.today - timedelta(days=300)
        structure_update(
            actor=ctx.actor,
            structure_id=structure.id,
            expected_version=None,
            changes=StructureUpdate(status=NetworkStatus.SUSPENDED.value, status_changed_on=suspended),
        )
        structure_update(
            actor=ctx.actor,
            structure_id=structure.id,
            expected_version=None,
            changes=StructureUpdate(
                status=NetworkStatus.ACTIVE.value, status_changed_on=suspended + timedelta(days=90)
            ),
        )
