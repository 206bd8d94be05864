"""Indicators 6 and 7 (trainings): adapters from services.training.indicators to the indicator catalogue.

Each indicator has a headline function (Query -> RawHeadline), a tables function (Query ->
[RawTable]) and a records function (the drill-down, coordination only). Values here are true values:
the catalogue (services/indicators/catalogue.py) protects them before a funder sees them."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlmodel import func, select

from core.db import session_scope
from core.formatting import fr_date
from models.referential import Departement
from models.training import TrainingFormat, TrainingModule, TrainingParticipants, TrainingProfile, TrainingSession
from services.indicators.model import COUNT, RATE, IndicatorSpec, Query, Raw, RawHeadline, RawTable, RecordPage
from services.training.indicators import (
    _delivered,
    training_plan_vs_delivered,
    training_structure_coverage,
    training_totals,
    training_trained,
)
from services.training.modules import training_module_list
from services.training.session_listing import place_label


def _profile_label(code: str | None) -> str:
    return TrainingProfile.label_of(code) or "Non renseigné"


def trained_headline(q: Query) -> RawHeadline:
    totals = training_totals(actor=q.reader, within=q.period, scope=q.scope)
    return RawHeadline(
        Raw(COUNT, totals.participants),
        (
            ("sessions réalisées", Raw(COUNT, totals.sessions)),
            ("heures-stagiaires", Raw(COUNT, round(totals.person_hours))),
        ),
    )


def trained_tables(q: Query) -> list[RawTable]:
    columns = (("participants", "Professionnels formés"), ("sessions", "Sessions"))
    tables = []
    for key, title, dimension, label in (
        ("profile", "Par profil", "Profil", lambda r: (r.profile, _profile_label(r.profile))),
        ("module", "Par module", "Module", lambda r: (str(r.module_id), r.module_title)),
        ("region", "Par région du lieu de la session", "Région", lambda r: (r.region_code, r.region_name)),
    ):
        rows = sorted(
            training_trained(actor=q.reader, within=q.period, scope=q.scope, group_by=(key,)),
            key=lambda r: -r.participants,
        )
        tables.append(
            RawTable(
                key,
                title,
                dimension,
                tuple(label(r) for r in rows),
                columns,
                tuple((r.participants, r.sessions) for r in rows),
                kind="measures",
                units=("count", "count"),
                counts_children=False,
            )
        )
    return tables


def trained_records(
    q: Query, table: str | None, row: str | None, column: str | None, limit: int, offset: int
) -> RecordPage:
    """Delivered sessions of the period and scope (of a profile, a module or a région when asked)."""
    conditions = list(_delivered(q.reader, None, None, q.scope, q.period))
    if table == "profile" and row:
        conditions.append(
            sa.exists().where(
                TrainingParticipants.session_id == TrainingSession.id, TrainingParticipants.profile == row
            )
        )
    elif table == "module" and row:
        conditions.append(TrainingSession.module_id == int(row))
    elif table == "region":
        conditions.append(
            TrainingSession.departement_code.in_(select(Departement.code).where(Departement.region_code == row))
            if row
            else TrainingSession.remote
        )
    participants = (
        select(func.coalesce(func.sum(TrainingParticipants.headcount), 0))
        .where(TrainingParticipants.session_id == TrainingSession.id)
        .correlate(TrainingSession)
        .scalar_subquery()
    )
    with session_scope(q.reader) as session:
        total = session.exec(select(func.count()).select_from(TrainingSession).where(*conditions)).one()
        rows = session.exec(
            select(
                TrainingSession.end_date,
                TrainingModule.title,
                TrainingSession.remote,
                TrainingSession.departement_code,
                Departement.name,
                TrainingSession.trainer_organisation,
                participants,
            )
            .join(TrainingModule, TrainingModule.id == TrainingSession.module_id)
            .join(Departement, Departement.code == TrainingSession.departement_code, isouter=True)
            .where(*conditions)
            .order_by(TrainingSession.end_date.desc(), TrainingSession.id.desc())
            .limit(limit)
            .offset(offset)
        ).all()
    return RecordPage(
        "Sessions de formation réalisées",
        ("Fin de session", "Module", "Lieu", "Organisme formateur", "Participants"),
        tuple(
            (fr_date(end), title, place_label(remote, code, name), trainer, int(n))
            for end, title, remote, code, name, trainer, n in rows
        ),
        int(total),
    )


def _plan_year(q: Query) -> int:
    return q.last.year


def _plan_and_delivered(q: Query, by: str) -> list[tuple[str | None, str, int, int]]:
    """(key, label, planned, trained from 1 January to the period's end) per module or profile."""
    year = _plan_year(q)
    plan = training_plan_vs_delivered(actor=q.reader, year=year, by=(by,), scope=q.scope)
    done = training_trained(actor=q.reader, start=date(year, 1, 1), end=q.as_of, scope=q.scope, group_by=(by,))
    out: dict[str | None, list] = {}
    for gap in plan:
        key = str(gap.module_id) if by == "module" else gap.profile
        label = gap.module_title if by == "module" else _profile_label(gap.profile)
        out[key] = [label, gap.planned, 0]
    for r in done:
        key = str(r.module_id) if by == "module" else r.profile
        label = r.module_title if by == "module" else _profile_label(r.profile)
        out.setdefault(key, [label, 0, 0])[2] = r.participants
    return sorted(((k, *v) for k, v in out.items()), key=lambda t: (-t[2], t[1] or ""))


def strategy_headline(q: Query) -> RawHeadline:
    rows = _plan_and_delivered(q, "module")
    planned, delivered = sum(r[2] for r in rows), sum(r[3] for r in rows)
    coverage = training_structure_coverage(actor=q.reader, as_of=q.as_of, scope=q.scope)
    modules = training_module_list(actor=q.reader, active_only=True)
    return RawHeadline(
        Raw(RATE, delivered / planned if planned else None, numerator=delivered, denominator=planned),
        (
            ("modules au catalogue", Raw(COUNT, len(modules))),
            (
                "structures formées dans les 12 mois",
                Raw(
                    RATE, coverage.share, numerator=coverage.trained_structures, denominator=coverage.active_structures
                ),
            ),
        ),
    )


def strategy_tables(q: Query) -> list[RawTable]:
    columns = (("planned", "Prévus au plan"), ("delivered", "Formés"), ("rate", "Réalisation"))
    tables = []
    for by, title, dimension in (
        ("module", "Plan et réalisé par module", "Module"),
        ("profile", "Plan et réalisé par profil", "Profil"),
    ):
        rows = _plan_and_delivered(q, by)
        tables.append(
            RawTable(
                by,
                f"{title} ({_plan_year(q)}, au {fr_date(q.as_of)})",
                dimension,
                tuple((r[0], r[1]) for r in rows),
                columns,
                tuple((r[2], r[3], r[3] / r[2] if r[2] else None) for r in rows),
                kind="measures",
                units=("count", "count", "percent"),
                counts_children=False,
                drill=by == "module",
            )
        )
    return tables


def strategy_records(
    q: Query, table: str | None, row: str | None, column: str | None, limit: int, offset: int
) -> RecordPage:
    """The modules of the catalogue (one module when a row is given)."""
    modules = [m for m in training_module_list(actor=q.reader, active_only=True) if row is None or str(m.id) == row]
    return RecordPage(
        "Modules du catalogue de formation",
        ("Module", "Format", "Durée", "Profils visés", "Objectifs"),
        tuple(
            (
                m.title,
                TrainingFormat.label_of(m.format),
                m.duration_label,
                ", ".join(_profile_label(p) for p in m.target_profiles),
                m.objectives,
            )
            for m in modules[offset : offset + limit]
        ),
        len(modules),
    )


# --- the catalogue entries this package contributes (gathered by services/indicators/registry.py) ---

INDICATORS: tuple[IndicatorSpec, ...] = (
    IndicatorSpec(
        "trained",
        6,
        "Le nombre et le profil des professionnels accompagnés et formés à la prise en charge des mineurs "
        "victimes d'exploitation et de traite",
        "Professionnels formés",
        "Participants des sessions de formation réalisées, comptés à la date de fin de la session, par profil "
        "professionnel ; un professionnel qui suit deux sessions compte deux fois.",
        False,
        "professionnels",
        "services.training.indicators",
        trained_headline,
        trained_tables,
        trained_records,
    ),
    IndicatorSpec(
        "strategy",
        7,
        "La stratégie de formation continue proposée aux structures partenaires du réseau",
        "Stratégie de formation",
        "Réalisation du plan annuel de formation de l'année de la période : professionnels formés dans "
        "l'année rapportés aux professionnels prévus au plan, par module et par profil ; modules proposés au "
        "catalogue ; part des structures actives ayant eu au moins un professionnel formé dans les 12 mois.",
        False,
        "%",
        "services.training.indicators",
        strategy_headline,
        strategy_tables,
        strategy_records,
        stock=True,
    ),
)
