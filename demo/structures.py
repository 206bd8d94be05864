"""Demo partner structures: about 60 in 45 départements, overseas included."""

from __future__ import annotations

from datetime import timedelta

from models.structure import (
    ExploitationForm,
    NetworkStatus,
    OnSiteService,
    StructureCreate,
    StructureKind,
)
from services.directory.structures import structure_create

# (département, commune) where the demo network has structures; facts, not personal data.
PLACES = [
    ("01", "Bourg-en-Bresse"),
    ("03", "Moulins"),
    ("06", "Nice"),
    ("09", "Foix"),
    ("12", "Rodez"),
    ("13", "Aix-en-Provence"),
    ("14", "Caen"),
    ("17", "La Rochelle"),
    ("19", "Tulle"),
    ("21", "Dijon"),
    ("22", "Saint-Brieuc"),
    ("25", "Besançon"),
    ("29", "Quimper"),
    ("31", "Toulouse"),
    ("33", "Bordeaux"),
    ("34", "Montpellier"),
    ("35", "Rennes"),
    ("37", "Tours"),
    ("38", "Grenoble"),
    ("42", "Saint-Étienne"),
    ("44", "Nantes"),
    ("45", "Orléans"),
    ("49", "Angers"),
    ("51", "Reims"),
    ("54", "Nancy"),
    ("57", "Metz"),
    ("59", "Lille"),
    ("63", "Clermont-Ferrand"),
    ("64", "Pau"),
    ("67", "Strasbourg"),
    ("69", "Lyon"),
    ("72", "Le Mans"),
    ("76", "Rouen"),
    ("79", "Niort"),
    ("80", "Amiens"),
    ("84", "Avignon"),
    ("86", "Poitiers"),
    ("87", "Limoges"),
    ("2A", "Ajaccio"),
    ("971", "Les Abymes"),
    ("972", "Fort-de-France"),
    ("974", "Saint-Denis"),
    ("976", "Mamoudzou"),
    ("15", "Aurillac"),
    ("71", "Mâcon"),
]
NAMES = {
    StructureKind.MECS: ["MECS Les Tilleuls", "MECS L'Escale", "MECS Le Phare", "MECS La Passerelle"],
    StructureKind.FOYER: ["Foyer départemental de l'enfance", "Foyer de l'enfance Les Cèdres"],
    StructureKind.LIEU_DE_VIE: ["Lieu de vie La Clairière", "Lieu de vie Le Mas", "Lieu de vie L'Oustal"],
    StructureKind.PLACEMENT_FAMILIAL: ["Service de placement familial"],
    StructureKind.CENTRE_PJJ: ["Centre éducatif d'hébergement"],
    StructureKind.CHRS: ["CHRS L'Abri"],
    StructureKind.ASSOCIATION: ["Association Horizon", "Association Les Ailes", "Association Relais"],
}
KIND_WEIGHTS = [
    (StructureKind.MECS, 30),
    (StructureKind.FOYER, 15),
    (StructureKind.LIEU_DE_VIE, 20),
    (StructureKind.PLACEMENT_FAMILIAL, 10),
    (StructureKind.CENTRE_PJJ, 8),
    (StructureKind.CHRS, 5),
    (StructureKind.ASSOCIATION, 12),
]
COUNT = 60


def generate(ctx) -> None:
    rng = ctx.rng
    places = PLACES + rng.sample(PLACES[:43], COUNT - len(PLACES))
    for index, (departement, commune) in enumerate(places):
        kind = rng.choices([k for k, _ in KIND_WEIGHTS], [w for _, w in KIND_WEIGHTS])[0]
        status = _status(index, rng)
        joined = ctx.today - timedelta(days=rng.randint(30, 760))
        age_min = rng.choice([10, 11, 12, 13, 14])
        data = StructureCreate(
            name=f"{rng.choice(NAMES[kind])} — {commune}",
            kind=kind.value,
            departement_code=departement,
            commune=commune,
            capacity=rng.choice([4, 6, 8, 10, 12, 15, 20])
            if kind != StructureKind.PLACEMENT_FAMILIAL
            else rng.choice([3, 5, 8]),
            age_min=age_min,
            age_max=17,
            sexes=rng.choice([["F"], ["M"], ["F", "M"], ["F", "M", "X"]]),
            exploitation_forms=_forms(rng),
            services=rng.sample([s.value for s in OnSiteService if s != OnSiteService.OTHER], rng.randint(2, 5)),
            status=status.value,
            joined_on=joined if status != NetworkStatus.JOINING else None,
            status_changed_on=joined + timedelta(days=rng.randint(0, 20)) if status != NetworkStatus.ACTIVE else joined,
            left_on=_left_on(ctx, joined, rng) if status == NetworkStatus.LEFT else None,
            phone=f"0{rng.randint(1, 5)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
            email=f"accueil.{index + 1:03d}@structures-demo.fr",
        )
        data.name = _unique_name(data.name, {s.name for s in ctx.structures})
        ctx.structures.append(structure_create(actor=ctx.actor, data=data))


def _left_on(ctx, joined, rng):
    """A departure at least a month after joining, within the last three months when possible."""
    return max(joined + timedelta(days=30), ctx.today - timedelta(days=rng.randint(10, 90)))


def _status(index: int, rng) -> NetworkStatus:
    if index == 0:
        return NetworkStatus.ACTIVE  # the demo partner account's structure
    return rng.choices(
        [NetworkStatus.ACTIVE, NetworkStatus.JOINING, NetworkStatus.SUSPENDED, NetworkStatus.LEFT], [82, 8, 6, 4]
    )[0]


def _forms(rng) -> list[str]:
    forms = [ExploitationForm.SEXUAL.value] if rng.random() < 0.8 else []
    forms += [
        f.value
        for f in (
            ExploitationForm.LABOUR,
            ExploitationForm.CRIMINALITY,
            ExploitationForm.BEGGING,
            ExploitationForm.DOMESTIC,
        )
        if rng.random() < 0.45
    ]
    return forms or [ExploitationForm.CRIMINALITY.value]


def _unique_name(name: str, taken: set[str]) -> str:
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name} ({n})", n + 1
    return candidate
