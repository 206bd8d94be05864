"""The weekly data set: the figures each structure reports, defined by the coordination without code."""

from __future__ import annotations

import re
import unicodedata

from sqlmodel import select

from core.access import Action, Actor, require
from core.concurrency import versioned_update
from core.db import session_scope
from core.errors import FieldError, ValidationFailed
from models.base import utcnow
from models.weekly import (
    Aggregation,
    ValueKind,
    WeeklyElement,
    WeeklyElementCreate,
    WeeklyElementPublic,
    WeeklyElementUpdate,
)
from services.weekly.validation import CHILDREN_PRESENT, DEPARTURES, FREE_PLACES, RUNAWAYS, ElementRule

LABEL_REQUIRED = "le libellé est obligatoire"
LABEL_TAKEN = "un élément porte déjà ce libellé"
UNKNOWN_KIND = "type de valeur inconnu"
UNKNOWN_AGGREGATION = "mode d'agrégation inconnu"
BOUNDS_ORDER = "le minimum dépasse le maximum"
BOUNDS_NOT_INTEGER = "les bornes d'un nombre entier doivent être entières"
HELP_TOO_LONG = "500 caractères au plus"
ELEMENT_NOT_FOUND = "Élément de saisie introuvable."

DEFAULT_ELEMENTS: list[WeeklyElementCreate] = [
    WeeklyElementCreate(
        code=FREE_PLACES,
        label="Places disponibles",
        position=10,
        help_text="Places libres et immédiatement mobilisables le dimanche soir.",
        aggregation=Aggregation.LAST.value,
        capped_by_capacity=True,
    ),
    WeeklyElementCreate(
        code=CHILDREN_PRESENT,
        label="Enfants présents",
        position=20,
        help_text="Enfants accueillis le dimanche soir, quelle que soit leur date d'arrivée.",
        aggregation=Aggregation.LAST.value,
        capped_by_capacity=True,
    ),
    WeeklyElementCreate(
        code="arrivees",
        label="Arrivées",
        position=30,
        help_text="Enfants arrivés dans la semaine.",
        aggregation=Aggregation.SUM.value,
    ),
    WeeklyElementCreate(
        code=DEPARTURES,
        label="Départs",
        position=40,
        help_text="Enfants partis dans la semaine, fugues comprises.",
        aggregation=Aggregation.SUM.value,
    ),
    WeeklyElementCreate(
        code=RUNAWAYS,
        label="Fugues",
        position=50,
        help_text="Départs par fugue dans la semaine (déjà comptés dans les départs).",
        aggregation=Aggregation.SUM.value,
    ),
    WeeklyElementCreate(
        code="sollicitations_directes",
        label="Sollicitations reçues directement",
        position=60,
        help_text="Demandes d'accueil reçues sans passer par la coordination nationale.",
        aggregation=Aggregation.SUM.value,
        required=False,
    ),
    WeeklyElementCreate(
        code="professionnels_en_poste",
        label="Professionnels en poste",
        position=70,
        help_text="Personnes en poste auprès des enfants cette semaine (toutes fonctions).",
        aggregation=Aggregation.LAST.value,
        required=False,
    ),
    WeeklyElementCreate(
        code="etp_educatifs",
        label="ETP éducatifs",
        position=80,
        value_kind=ValueKind.DECIMAL.value,
        help_text="Équivalents temps plein éducatifs sur la semaine (par exemple 4,5).",
        aggregation=Aggregation.AVERAGE.value,
        required=False,
        maximum=200,
    ),
]


def slugify(label: str) -> str:
    """A stable code from a French label.

    >>> slugify("Sollicitations reçues directement")
    'sollicitations_recues_directement'
    """
    ascii_text = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")[:36] or "element"


def weekly_element_list(*, actor: Actor, include_retired: bool = True) -> list[WeeklyElementPublic]:
    """Coordination and partner staff: the data elements in entry order (retired ones last when asked)."""
    require(actor, Action.WEEKLY_CHART)
    with session_scope(actor) as session:
        stmt = select(WeeklyElement).order_by(WeeklyElement.active.desc(), WeeklyElement.position, WeeklyElement.id)
        if not include_retired:
            stmt = stmt.where(WeeklyElement.active == True)
        return [WeeklyElementPublic.model_validate(e, from_attributes=True) for e in session.exec(stmt)]


def weekly_element_create(*, actor: Actor, data: WeeklyElementCreate) -> WeeklyElementPublic:
    """Coordination only: add a data element; it appears at once in every structure's entry grid."""
    require(actor, Action.WEEKLY_ELEMENT_MANAGE)
    with session_scope(actor) as session:
        values = data.model_dump()
        values["label"] = (values["label"] or "").strip()
        values["help_text"] = (values["help_text"] or "").strip()
        errors = _element_errors(session, values, element_id=None)
        if errors:
            raise ValidationFailed(errors)
        values["code"] = _free_code(session, data.code or slugify(values["label"]))
        element = WeeklyElement(**values)
        session.add(element)
        session.flush()
        return WeeklyElementPublic.model_validate(element, from_attributes=True)


def weekly_element_update(
    *, actor: Actor, element_id: int, expected_version: int, data: WeeklyElementUpdate
) -> WeeklyElementPublic:
    """Coordination only: change an element (label, bounds, rules) or retire it; its history stays."""
    require(actor, Action.WEEKLY_ELEMENT_MANAGE)
    with session_scope(actor) as session:
        changes = data.model_dump(exclude_unset=True)
        merged: dict = {}

        def check(element: WeeklyElement) -> list[FieldError]:
            merged.update(element.model_dump(), **changes)
            merged["label"] = (merged["label"] or "").strip()
            merged["help_text"] = (merged["help_text"] or "").strip()
            return _element_errors(session, merged, element_id=element_id)

        def apply(element: WeeklyElement) -> None:
            for key in changes:
                setattr(element, key, merged[key])
            element.updated_at = utcnow()

        element = versioned_update(
            session,
            WeeklyElement,
            element_id,
            expected_version=expected_version,
            not_found=ELEMENT_NOT_FOUND,
            check=check,
            apply=apply,
        )
        session.flush()
        return WeeklyElementPublic.model_validate(element, from_attributes=True)


def weekly_element_seed_defaults(*, actor: Actor) -> int:
    """Coordination (or the system at start-up): add the default data set to an empty one; returns rows added."""
    require(actor, Action.WEEKLY_ELEMENT_MANAGE)
    with session_scope(actor) as session:
        if session.exec(select(WeeklyElement.id).limit(1)).first() is not None:
            return 0
        for data in DEFAULT_ELEMENTS:
            session.add(WeeklyElement(**data.model_dump()))
        session.flush()
        return len(DEFAULT_ELEMENTS)


def element_rules(session, *, active_only: bool = True) -> list[ElementRule]:
    """The elements as validation sees them, in entry order (for services of the weekly figures)."""
    stmt = select(WeeklyElement).order_by(WeeklyElement.position, WeeklyElement.id)
    if active_only:
        stmt = stmt.where(WeeklyElement.active == True)
    return [
        ElementRule(e.id, e.code, e.label, e.value_kind, e.minimum, e.maximum, e.required, e.capped_by_capacity)
        for e in session.exec(stmt)
    ]


def _element_errors(session, values: dict, *, element_id: int | None) -> list[FieldError]:
    errors = []
    label = values["label"]
    if not label:
        errors.append(FieldError("Libellé", LABEL_REQUIRED))
    elif len(label) > 120:
        errors.append(FieldError("Libellé", "120 caractères au plus"))
    else:
        taken = session.exec(select(WeeklyElement.id).where(WeeklyElement.label == label)).first()
        if taken is not None and taken != element_id:
            errors.append(FieldError("Libellé", LABEL_TAKEN))
    if len(values["help_text"]) > 500:
        errors.append(FieldError("Aide", HELP_TOO_LONG))
    if values["value_kind"] not in ValueKind.labels():
        errors.append(FieldError("Type de valeur", UNKNOWN_KIND))
    if values["aggregation"] not in Aggregation.labels():
        errors.append(FieldError("Agrégation", UNKNOWN_AGGREGATION))
    low, high = values["minimum"], values["maximum"]
    if low is not None and high is not None and low > high:
        errors.append(FieldError("Maximum", BOUNDS_ORDER))
    if values["value_kind"] == ValueKind.INTEGER.value and any(
        b is not None and not float(b).is_integer() for b in (low, high)
    ):
        errors.append(FieldError("Minimum / maximum", BOUNDS_NOT_INTEGER))
    return errors


def _free_code(session, wanted: str) -> str:
    base = slugify(wanted)
    taken = set(session.exec(select(WeeklyElement.code).where(WeeklyElement.code.startswith(base, autoescape=True))))
    code, n = base, 2
    while code in taken:
        code, n = f"{base}_{n}", n + 1
    return code
