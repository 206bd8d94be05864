"""Which territory each indicator is counted in, keyed by the indicator's key in the catalogue.

A funder limited to a region or a département reads every indicator restricted to it, but not all by
the same place: a child exploited in Occitanie and taken in by a shelter in Bretagne counts among
Occitanie's requests and orientations (where the child was exploited) and among Bretagne's
placements (where the shelter is). The text of each indicator says which, and
:data:`TERRITORY_CAVEAT` is shown next to those counted in different places.
"""

from __future__ import annotations

EXPLOITATION = "exploitation"
SHELTER = "structure"
TRAINING = "formation"
OUTREACH = "action"

# Indicator key -> (basis, French text shown with the definition).
TERRITORIES: dict[str, tuple[str, str]] = {
    "requests": (
        EXPLOITATION,
        "département où le mineur a été exploité (celui indiqué dans la sollicitation), quel que soit le "
        "département du demandeur.",
    ),
    "oriented": (
        EXPLOITATION,
        "département où le mineur a été exploité, quel que soit le département de la structure qui accepte "
        "de l'accueillir.",
    ),
    "placed": (SHELTER, "département de la structure d'accueil, quel que soit le lieu d'exploitation."),
    "partners": (
        SHELTER,
        "département de chaque structure partenaire ; pour les conseils départementaux, département de la convention.",
    ),
    "coverage": (SHELTER, "département de chaque structure partenaire active."),
    "trained": (
        TRAINING,
        "département où la session a eu lieu ; une session à distance compte dans le territoire des "
        "structures dont des professionnels l'ont suivie.",
    ),
    "strategy": (
        TRAINING,
        "département où la session a eu lieu (ou des structures qui ont suivi une session à distance) ; "
        "structures actives du territoire pour la part des structures formées.",
    ),
    "signalements": (SHELTER, "département de la structure qui déclare le signalement."),
    "time_to_placement": (SHELTER, "département de la structure d'accueil (arrivées de la période)."),
    "distance": (SHELTER, "département de la structure d'accueil (arrivées de la période)."),
    "runaways": (SHELTER, "département de la structure d'accueil (arrivées de la période)."),
    "weekly_completeness": (SHELTER, "département de chaque structure partenaire qui saisit ses chiffres."),
    "outreach": (
        OUTREACH,
        "département où la maraude a eu lieu (celui du lieu de la maraude de rue, ou celui déclaré pour une "
        "maraude numérique).",
    ),
    "outreach_activity": (OUTREACH, "département où la maraude a eu lieu."),
    "prevention": (OUTREACH, "département où l'action de prévention a eu lieu."),
}

TERRITORY_CAVEAT = (
    "Sur un territoire, les sollicitations et les victimes orientées sont comptées au lieu d'exploitation, "
    "les victimes placées (et les délais, éloignements et fugues qui en découlent) au lieu de la structure "
    "d'accueil : un enfant exploité ici et accueilli ailleurs compte dans les orientées de ce territoire, pas "
    "dans ses placées, et inversement. Les deux chiffres ne se comparent qu'au niveau national."
)


def indicator_territory(key: str) -> str:
    """The French text of the territory an indicator is counted in ("" for an unknown key).

    >>> indicator_territory("placed")
    "département de la structure d'accueil, quel que soit le lieu d'exploitation."
    """
    entry = TERRITORIES.get(key)
    return entry[1] if entry else ""


def territory_basis(key: str) -> str:
    """ "exploitation", "structure", "formation" or "action": where an indicator's events are placed."""
    entry = TERRITORIES.get(key)
    return entry[0] if entry else ""


# Indicators of a child's path whose territory differs from that of a related indicator.
PATH_KEYS = ("requests", "oriented", "placed", "time_to_placement", "distance", "runaways")


def territory_note(key: str, scope) -> str:
    """The line shown under an indicator's definition: its territory and, when a territory (not the
    whole country) is read and the indicator is on a child's path, the caveat on the two places.

    >>> territory_note("oriented", None).startswith("Territoire : département où le mineur")
    True
    """
    text = indicator_territory(key)
    if not text:
        return ""
    note = f"Territoire : {text}"
    if scope is not None and not scope.is_national and key in PATH_KEYS:
        note += " " + TERRITORY_CAVEAT
    return note
