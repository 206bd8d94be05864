"""Demo training: a catalogue of seven modules, the plan of last year and this year, and about fifty
sessions over two years (a few past ones still to complete, a few to come). The demo partner's
team followed some modules and still lacks others."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from models.structure import NetworkStatus
from models.training import SessionStatus, TrainingFormat
from models.training import TrainingProfile as P
from services.directory.reference_data import departement_by_code
from services.training.modules import ModuleData, training_module_create
from services.training.plan import training_plan_set
from services.training.sessions import SessionData, training_session_create

# title, objectives, target profiles (weighted by list order), min h, max h, format, prerequisites, weight
MODULES = [
    (
        "Repérage et identification des mineurs victimes de traite",
        "Connaître les formes d'exploitation des mineurs, repérer les signaux d'alerte dès l'accueil, savoir à qui "
        "signaler et comment orienter vers une mise à l'abri adaptée.",
        [P.EDUCATEUR, P.MONITEUR, P.CADRE, P.ASSISTANT_FAMILIAL, P.VEILLEUR, P.POLICE, P.EDUCATION, P.SOIGNANT],
        6,
        7,
        TrainingFormat.ON_SITE,
        [],
        10,
    ),
    (
        "Psychotraumatisme de l'enfant et de l'adolescent exploité",
        "Comprendre les effets du trauma complexe, adapter la posture éducative, prévenir la retraumatisation et "
        "orienter vers le soin.",
        [P.EDUCATEUR, P.PSYCHOLOGUE, P.ASSISTANT_FAMILIAL, P.SOIGNANT, P.MONITEUR],
        12,
        14,
        TrainingFormat.MIXED,
        [0],
        6,
    ),
    (
        "Cadre juridique de la traite et protection de l'enfance",
        "Maîtriser l'infraction de traite des êtres humains, le statut de victime, les mesures de protection de "
        "l'enfance et la coopération avec la justice.",
        [P.CADRE, P.EDUCATEUR, P.MAGISTRAT, P.POLICE],
        3,
        3.5,
        TrainingFormat.REMOTE,
        [],
        6,
    ),
    (
        "Mise en sécurité, fugues et disparitions",
        "Évaluer le danger, organiser l'éloignement géographique, prévenir les fugues et réagir à une disparition "
        "(signalement, recherche, retour).",
        [P.EDUCATEUR, P.MONITEUR, P.VEILLEUR, P.CADRE, P.POLICE],
        6,
        7,
        TrainingFormat.ON_SITE,
        [0],
        5,
    ),
    (
        "Travailler avec un interprète",
        "Préparer et conduire un entretien avec interprète, préserver la confidentialité, éviter l'interprétariat "
        "par des proches ou des compatriotes.",
        [P.EDUCATEUR, P.PSYCHOLOGUE, P.SOIGNANT, P.CADRE],
        3,
        3.5,
        TrainingFormat.REMOTE,
        [],
        4,
    ),
    (
        "Exploitation sexuelle en ligne et prostitution des mineurs",
        "Connaître les modes de recrutement en ligne, accompagner la sortie de la prostitution, travailler avec les "
        "plateformes de signalement.",
        [P.EDUCATEUR, P.MONITEUR, P.EDUCATION, P.POLICE, P.PSYCHOLOGUE],
        6,
        7,
        TrainingFormat.MIXED,
        [0],
        5,
    ),
    (
        "Veille de nuit : situations de crise et sollicitations extérieures",
        "Repérer les tentatives de contact des exploiteurs la nuit, gérer une crise ou une fugue nocturne, "
        "transmettre à l'équipe de jour.",
        [P.VEILLEUR, P.MONITEUR, P.CADRE],
        3,
        3.5,
        TrainingFormat.ON_SITE,
        [3],
        3,
    ),
]
TRAINERS = [
    ("Institut régional du travail social", None),
    ("Centre régional du psychotraumatisme", "Dr Hélène Marchal"),
    ("Association de lutte contre la traite (pôle formation)", None),
    ("Office des mineurs — cellule formation", None),
    ("Service d'interprétariat en milieu social", "Karim Benali"),
    ("Coordination nationale du réseau", "Claire Martin"),
    ("École nationale de la magistrature (formation continue)", None),
]
TRAINER_BY_MODULE = {0: [0, 2, 5], 1: [1], 2: [6, 2, 5], 3: [3, 2], 4: [4], 5: [2, 3], 6: [5, 0]}
COMMENTS = [
    "Cas pratiques très utiles, demande d'un temps d'approfondissement.",
    "Bonne dynamique de groupe ; supports à envoyer aux participants.",
    "Durée un peu courte pour la partie juridique.",
    "Échanges riches entre éducateurs et forces de l'ordre.",
    "Participants demandeurs d'une suite sur le psychotraumatisme.",
    None,
    None,
]
PARTNER_MODULES = [0, 0, 2, 4, 1]  # delivered sessions the demo partner's staff attended


def generate(ctx) -> None:
    rng, today = ctx.rng, ctx.today
    modules = []
    for title, objectives, profiles, low, high, fmt, prerequisites, _ in MODULES:
        modules.append(
            training_module_create(
                actor=ctx.actor,
                data=ModuleData(
                    title=title,
                    objectives=objectives,
                    target_profiles=[p.value for p in profiles],
                    duration_min_hours=low,
                    duration_max_hours=high,
                    format=fmt.value,
                    prerequisite_ids=[modules[i].id for i in prerequisites],
                ),
            )
        )
    _plans(ctx, modules)

    structures = [s for s in ctx.structures if s.status in (NetworkStatus.ACTIVE.value, NetworkStatus.SUSPENDED.value)]
    by_region = defaultdict(list)
    for s in structures:
        by_region[departement_by_code(s.departement_code).region_code].append(s)
    partner = next(s for s in ctx.structures if s.id == ctx.partner_structure_id)

    weights = [m[-1] for m in MODULES]
    delivered_days = sorted(rng.sample(range(20, 720), 46), reverse=True)
    partner_slots = {delivered_days[i]: PARTNER_MODULES[k] for k, i in enumerate((4, 11, 19, 27, 36))}
    for index, days_ago in enumerate(delivered_days):
        module_index = partner_slots.get(days_ago, rng.choices(range(len(MODULES)), weights)[0])
        attending = _attendance(rng, structures, by_region, partner if days_ago in partner_slots else None)
        start = today - timedelta(days=days_ago)
        overdue = index >= len(delivered_days) - 3  # the three latest are still to complete
        _session(
            ctx, modules, module_index, start, attending, SessionStatus.PLANNED if overdue else SessionStatus.DELIVERED
        )
    for days_ahead, module_index, with_partner in (
        (12, 3, True),
        (26, 0, False),
        (41, 5, False),
        (58, 1, False),
        (75, 2, False),
    ):
        attending = _attendance(rng, structures, by_region, partner if with_partner else None)
        _session(ctx, modules, module_index, today + timedelta(days=days_ahead), attending, SessionStatus.PLANNED)


def _plans(ctx, modules) -> None:
    """About 300 professionals a year, shared between modules by weight and between profiles by rank."""
    rng = ctx.rng
    total_weight = sum(m[-1] for m in MODULES)
    for year, factor in ((ctx.today.year - 1, 1.0), (ctx.today.year, 1.15)):
        changes = {}
        for module, (_, _, profiles, *_rest, weight) in zip(modules, MODULES):
            module_total = 300 * weight / total_weight * factor * rng.uniform(0.85, 1.25)
            ranks = [len(profiles) - rank for rank in range(len(profiles))]
            for profile, rank_weight in zip(profiles, ranks):
                planned = module_total * rank_weight / sum(ranks)
                if planned >= 3:
                    changes[(module.id, profile.value)] = max(5, int(round(planned / 5) * 5))
        training_plan_set(actor=ctx.actor, year=year, changes=changes)


def _attendance(rng, structures, by_region, partner) -> list:
    region = rng.choice(list(by_region))
    pool = by_region[region] if len(by_region[region]) >= 2 else structures
    chosen = rng.sample(pool, min(len(pool), rng.randint(1, 4)))
    if partner is not None and partner not in chosen:
        chosen = [partner, *chosen[:2]]
    return chosen


def _session(ctx, modules, module_index: int, start: date, attending: list, status: SessionStatus) -> None:
    rng = ctx.rng
    title, _, profiles, low, high, fmt, *_ = MODULES[module_index]
    module = modules[module_index]
    remote = fmt == TrainingFormat.REMOTE or (fmt == TrainingFormat.MIXED and rng.random() < 0.4)
    days = 2 if high >= 12 else 1
    end = start + timedelta(days=days - 1)
    if end >= ctx.today and status == SessionStatus.DELIVERED:
        end = start = ctx.today - timedelta(days=1)
    hours = high if rng.random() < 0.7 else low
    organisation, trainer = TRAINERS[rng.choice(TRAINER_BY_MODULE[module_index])]
    participants = {}
    delivered = status == SessionStatus.DELIVERED
    if delivered:
        total = rng.randint(7, 16)
        weights = [len(profiles) - rank for rank in range(len(profiles))]
        for _ in range(total):
            profile = rng.choices(profiles, weights)[0]
            participants[profile.value] = participants.get(profile.value, 0) + 1
        if rng.random() < 0.15:
            participants[P.OTHER.value] = rng.randint(1, 2)
    evaluated = delivered and rng.random() < 0.85
    training_session_create(
        actor=ctx.actor,
        today=ctx.today,
        data=SessionData(
            module_id=module.id,
            start_date=start,
            end_date=end,
            trainer_organisation=organisation,
            trainer_name=trainer,
            remote=remote,
            departement_code=None if remote else attending[0].departement_code,
            hours=hours,
            status=status.value,
            participants=participants,
            structure_ids=[s.id for s in attending],
            satisfaction=rng.choices([2, 3, 4, 5], [1, 3, 8, 6])[0] if evaluated else None,
            evaluation_comment=rng.choice(COMMENTS) if evaluated else None,
        ),
    )
