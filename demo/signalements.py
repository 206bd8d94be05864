"""Demo signalements: two years of situations declared by partner structures and their circuit.

Mostly handled within the deadlines, a few late; two still open today (one immediate danger,
already passed on and followed up; one worrying, acknowledged and awaiting transmission), so the
coordination's board shows something. Written through the services, dated with `now=`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time, timedelta

from core.clock import paris_date, paris_now
from core.errors import ValidationFailed
from core.formatting import PARIS
from models.base import utcnow
from models.signalement import Category, Severity
from models.structure import NetworkStatus
from services.admin.users import actor_for_username
from services.signalements.declarations import (
    SignalementDeclaration,
    Transmission,
    signalement_acknowledge,
    signalement_close,
    signalement_correct,
    signalement_declare,
    signalement_follow_up,
    signalement_pass_on,
)
from services.signalements.reads import signalement_child_codes, signalement_get

HISTORY = 95
D, W, I = Severity.IMMEDIATE_DANGER.value, Severity.WORRYING.value, Severity.INFORMATION.value  # noqa: E741
CATEGORIES = {
    D: [("approche", 35), ("fugue", 25), ("reexploitation", 20), ("violence", 10), ("sante", 10)],
    W: [
        ("fugue", 30),
        ("approche", 15),
        ("reexploitation", 15),
        ("en_ligne", 15),
        ("revelation", 15),
        ("violence", 10),
    ],
    I: [("revelation", 30), ("autre", 20), ("en_ligne", 20), ("fugue", 15), ("sante", 15)],
}
FACTS = {
    "fugue": [
        "L'enfant n'est pas rentré après le collège. Son téléphone est éteint ; il avait évoqué un « travail » "
        "proposé par un majeur rencontré en ville.",
        "Départ de la structure pendant la nuit par la fenêtre de la chambre. Un véhicule a été vu stationné "
        "devant le portail une heure avant.",
    ],
    "approche": [
        "Un homme adulte a abordé l'enfant à la sortie du lycée et lui a remis un téléphone. L'enfant "
        "dit le reconnaître comme proche du réseau qui l'exploitait.",
        "Appels répétés d'un numéro inconnu ; l'interlocuteur connaît l'adresse de la structure et "
        "menace la famille restée au pays si l'enfant ne revient pas.",
    ],
    "reexploitation": [
        "L'enfant revient avec de l'argent liquide et des vêtements neufs qu'il ne peut expliquer ; "
        "absences répétées en soirée.",
        "Signes laissant penser à une reprise de l'activité de vol pour le compte de majeurs : "
        "objets de valeur, convocations au commissariat d'une autre ville.",
    ],
    "violence": [
        "Altercation violente entre deux jeunes accueillis ; l'un présente des contusions au visage.",
        "L'enfant rapporte avoir été frappé par un adulte lors d'une sortie autorisée.",
    ],
    "sante": [
        "Malaise et perte de connaissance dans la salle commune ; transport aux urgences par les pompiers.",
        "Consommation importante de produits ; l'enfant a été conduit aux urgences pédiatriques.",
    ],
    "revelation": [
        "Lors d'un entretien avec la psychologue, l'enfant révèle des faits d'exploitation sexuelle "
        "antérieurs à son arrivée, commis dans une autre ville.",
        "L'enfant indique qu'un autre mineur, resté sur le lieu d'exploitation, serait toujours exploité.",
    ],
    "en_ligne": [
        "L'enfant reçoit sur un réseau social des messages d'un compte proposant des « missions » "
        "rémunérées ; captures d'écran conservées.",
        "Des photos de l'enfant circulent sur une plateforme d'annonces ; l'enfant l'a appris par un camarade.",
    ],
    "autre": [
        "Un véhicule est passé plusieurs fois devant la structure en ralentissant ; plaque relevée.",
        "Une personne se présentant comme un membre de la famille a demandé à voir l'enfant sans rendez-vous.",
    ],
}
ACTIONS = {
    "fugue": ["declaration_fugue", "police", "referent"],
    "approche": ["police", "mise_en_securite"],
    "reexploitation": ["referent", "crip"],
    "violence": ["soins", "mise_en_securite"],
    "sante": ["soins"],
    "revelation": ["referent"],
    "en_ligne": ["contenu_conserve"],
    "autre": ["referent"],
}
RECIPIENTS = {
    "fugue": ["police", "crip"],
    "approche": ["parquet", "police"],
    "reexploitation": ["parquet", "crip"],
    "violence": ["police", "crip"],
    "sante": ["ase"],
    "revelation": ["parquet", "crip"],
    "en_ligne": ["plateforme", "police"],
    "autre": ["crip"],
}
FOLLOW_UPS = [
    "Audition de l'enfant par les enquêteurs ; la structure l'a accompagné.",
    "Le parquet a ordonné un placement provisoire dans une structure éloignée.",
    "L'enfant est revenu dans la structure ; entretien avec le référent ASE prévu.",
    "La CRIP a ouvert une évaluation ; point téléphonique avec la structure.",
    "Plainte déposée ; l'enfant bénéficie d'un suivi psychologique renforcé.",
]
OUTCOMES = {
    "fugue": ["enfant_retrouve", "mesure_protection"],
    "approche": ["enquete", "mesure_protection"],
    "reexploitation": ["enquete", "mesure_protection"],
    "violence": ["prise_en_charge", "enquete"],
    "sante": ["prise_en_charge"],
    "revelation": ["enquete", "mesure_protection"],
    "en_ligne": ["enquete", "sans_suite"],
    "autre": ["sans_suite", "prise_en_charge"],
}


def _pick(rng, weighted):
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


def _detail(kind: str, structure) -> str:
    return {
        "crip": f"CRIP {structure.departement_code}",
        "parquet": "Parquet, permanence des mineurs",
        "police": "Commissariat ou brigade du secteur",
        "plateforme": "PHAROS",
        "ase": "Service gardien (ASE)",
    }.get(kind, "")


def _channel(kind: str, severity: str, rng) -> str:
    if kind == "plateforme" or (kind == "crip" and severity != D):
        return rng.choice(["formulaire", "courriel"])
    return "telephone" if severity == D else rng.choice(["telephone", "courriel"])


class _Writer:
    def __init__(self, ctx, now: datetime):
        self.ctx, self.rng, self.now = ctx, ctx.rng, now
        coordination = actor_for_username(username="coordination")
        self.coordination = replace(coordination, is_system=True) if coordination else ctx.actor
        partner = actor_for_username(username="partenaire")
        self.partner = replace(partner, is_system=True) if partner else None

    def staff(self, structure_id: int):
        if self.partner is not None and structure_id == self.partner.structure_id:
            return self.partner
        return self.ctx.partner_actor(structure_id)

    def declare(self, structure, declared_at: datetime, severity: str, category: str, occurred_before: timedelta):
        staff = self.staff(structure.id)
        data = SignalementDeclaration(
            occurred_at=declared_at - occurred_before,
            category=category,
            severity=severity,
            facts=self.rng.choice(FACTS[category]),
            actions_taken=ACTIONS[category][: self.rng.randint(1, 2)],
        )
        codes = signalement_child_codes(actor=staff) if self.now - declared_at < timedelta(days=20) else []
        if codes and self.rng.random() < 0.6:
            try:
                return signalement_declare(
                    actor=staff, data=data.model_copy(update={"child_code": self.rng.choice(codes)}), now=declared_at
                )
            except ValidationFailed:
                pass
        return signalement_declare(actor=staff, data=data, now=declared_at)

    def pass_on(self, structure, signalement_id: int, at: datetime, kinds: list[str], severity: str) -> None:
        for kind in kinds:  # one call per channel
            signalement_pass_on(
                actor=self.coordination,
                signalement_id=signalement_id,
                now=at,
                data=Transmission(
                    recipient_kinds=[kind],
                    channel=_channel(kind, severity, self.rng),
                    at=at,
                    detail=_detail(kind, structure),
                ),
            )


def generate(ctx) -> None:
    rng = ctx.rng
    now = min(utcnow(), datetime.combine(ctx.today, paris_now().time(), PARIS).astimezone(PARIS))
    writer = _Writer(ctx, now)
    active = [s for s in ctx.structures if s.status == NetworkStatus.ACTIVE.value]
    partner_structure = next(s for s in ctx.structures if s.id == ctx.partner_structure_id)
    days = sorted(rng.uniform(20, 728) for _ in range(HISTORY))
    for index, days_ago in enumerate(reversed(days)):
        structure = partner_structure if index % 9 == 0 else rng.choice(active)
        day = paris_date(now - timedelta(days=days_ago))
        declared_at = datetime.combine(day, time(rng.randint(7, 22), rng.randint(0, 59)), PARIS)
        _history(writer, structure, declared_at, index)
    _open_today(writer, partner_structure, [s for s in active if s.id != partner_structure.id], now)


def _history(writer: _Writer, structure, declared_at: datetime, index: int) -> None:
    rng = writer.rng
    severity = _pick(rng, [(D, 20), (W, 55), (I, 25)])
    category = _pick(rng, CATEGORIES[severity])
    occurred_before = timedelta(minutes=rng.randint(10, 240) if severity == D else rng.randint(30, 1800))
    s = writer.declare(structure, declared_at, severity, category, occurred_before)
    late = rng.random() < 0.08
    if severity == D:
        ack = timedelta(minutes=rng.uniform(70, 180) if late else rng.uniform(4, 50))
    elif severity == W:
        ack = timedelta(hours=rng.uniform(25, 40) if late else rng.uniform(0.3, 20))
    else:
        ack = timedelta(hours=rng.uniform(1, 60))
    at = declared_at + ack
    signalement_acknowledge(actor=writer.coordination, signalement_id=s.id, now=at)
    if index % 23 == 5:
        signalement_correct(
            actor=writer.staff(structure.id),
            signalement_id=s.id,
            now=at + timedelta(minutes=5),
            category="reexploitation" if category != "reexploitation" else "approche",
            note="Après échange avec l'enfant, la situation relève plutôt de cette catégorie.",
        )
        category = "reexploitation" if category != "reexploitation" else "approche"
    passed = severity == D or (severity == W and rng.random() < 0.8) or (severity == I and rng.random() < 0.15)
    if passed:
        late_pass = rng.random() < 0.1
        if severity == D:
            delay = timedelta(hours=rng.uniform(4.3, 9)) if late_pass else ack + timedelta(minutes=rng.uniform(10, 140))
            delay = min(delay, timedelta(hours=3, minutes=55)) if not late_pass else delay
        elif severity == W:
            delay = timedelta(hours=rng.uniform(75, 120)) if late_pass else ack + timedelta(hours=rng.uniform(1, 40))
        else:
            delay = ack + timedelta(hours=rng.uniform(2, 96))
        at = declared_at + max(delay, ack)
        recipients = RECIPIENTS[category] if severity == D else RECIPIENTS[category][: rng.randint(1, 2)]
        if severity == I:
            recipients = ["ase"]
        writer.pass_on(structure, s.id, at, recipients, severity)
        if index % 31 == 7:
            wrong = signalement_get(actor=writer.coordination, signalement_id=s.id).events[-1]
            signalement_correct(
                actor=writer.coordination,
                signalement_id=s.id,
                voids_event_id=wrong.id,
                now=at + timedelta(hours=1),
                note="Transmission saisie sur le mauvais signalement : annulée.",
            )
    if rng.random() < 0.6:
        at = at + timedelta(days=rng.uniform(1, 6))
        author = writer.staff(structure.id) if rng.random() < 0.5 else writer.coordination
        signalement_follow_up(actor=author, signalement_id=s.id, note=rng.choice(FOLLOW_UPS), now=at)
    close_at = min(at + timedelta(days=rng.uniform(2, 30)), writer.now - timedelta(days=1))
    outcome = rng.choice(OUTCOMES[category]) if passed else ("information_seule" if severity == I else "sans_suite")
    signalement_close(actor=writer.coordination, signalement_id=s.id, outcome=outcome, now=max(close_at, at))


def _open_today(writer: _Writer, partner_structure, others, now: datetime) -> None:
    """Two signalements still open: one immediate danger (handled, in follow-up), one awaiting transmission."""
    declared_at = now - timedelta(hours=3)
    danger = writer.declare(partner_structure, declared_at, D, Category.APPROACH.value, timedelta(minutes=40))
    signalement_acknowledge(
        actor=writer.coordination, signalement_id=danger.id, now=declared_at + timedelta(minutes=12)
    )
    writer.pass_on(partner_structure, danger.id, declared_at + timedelta(minutes=55), ["parquet", "police"], D)
    signalement_follow_up(
        actor=writer.staff(partner_structure.id),
        signalement_id=danger.id,
        now=declared_at + timedelta(hours=2),
        note="L'enfant a été mis à l'abri dans une autre unité ; audition prévue demain.",
    )
    structure = writer.rng.choice(others)
    declared_at = now - timedelta(hours=5)
    worrying = writer.declare(structure, declared_at, W, Category.ONLINE.value, timedelta(hours=6))
    signalement_acknowledge(
        actor=writer.coordination, signalement_id=worrying.id, now=declared_at + timedelta(hours=2, minutes=20)
    )
