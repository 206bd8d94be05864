"""Indicators of the detection circuit, for the catalogue (services/indicators/catalogue.py) and the annual report.

`indicator_specs()` gives the catalogue its entries as plain keyword arguments (the catalogue builds its
own spec objects from them), so this package depends on the indicator model only. Counts are summed in
SQL; the delays from detection to request to arrival are medians over the linked requests, which are few.

Territory: the département of the outreach session or of the prevention action.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from statistics import median

from sqlmodel import func, select

from core.access import Action, Actor, require
from core.db import session_scope
from models.child import ChildRequest, Placement
from models.outreach import (
    OUTREACH_COUNTS,
    Audience,
    OutreachKind,
    OutreachReferral,
    OutreachSession,
    PreventionAction,
    SupervisionSession,
)
from models.structure import Structure
from services.indicators.model import COUNT, MEDIAN, NUMBER, Query, Raw, RawHeadline, RawTable
from services.periods import Scope, in_scope

PRESUMED_MINORS = OutreachSession.ads_presumed_minors + OutreachSession.persons_presumed_minors


@dataclass(frozen=True)
class OutreachTotals:
    """What outreach did over a period in a territory (true values)."""

    sessions: int
    hours: float
    by_kind: dict[str, int]  # kind → presumed minors spotted or met
    counts: dict[str, int]  # every OUTREACH_COUNTS column, summed
    linked_requests: int
    placed_after_outreach: int
    days_to_request: list[int]
    days_to_arrival: list[int]


@dataclass(frozen=True)
class PreventionTotals:
    actions: int
    reached: int
    by_audience: dict[str, tuple[int, int]]  # audience → (actions, persons reached)
    supervision_hours: float
    supervision_sessions: int
    digital_exposure_hours: float


def _where(day, departement, first: date, last: date, scope: Scope) -> list:
    conditions = [day >= first, day <= last]
    territory = in_scope(departement, scope)
    if territory is not None:
        conditions.append(territory)
    return conditions


def outreach_totals(*, actor: Actor, first: date, last: date, scope: Scope | None = None) -> OutreachTotals:
    """Coordination (or the catalogue's aggregate reader): the outreach figures of a period and territory."""
    require(actor, Action.DASHBOARD_READ)
    scope = scope or Scope()
    conditions = _where(OutreachSession.held_on, OutreachSession.departement_code, first, last, scope)
    with session_scope(actor) as session:
        sums = session.exec(
            select(
                func.count(OutreachSession.id),
                func.coalesce(func.sum(OutreachSession.duration_minutes), 0),
                *[func.coalesce(func.sum(getattr(OutreachSession, c)), 0) for c in OUTREACH_COUNTS],
            ).where(*conditions)
        ).one()
        by_kind = dict(
            session.exec(
                select(OutreachSession.kind, func.coalesce(func.sum(PRESUMED_MINORS), 0))
                .where(*conditions)
                .group_by(OutreachSession.kind)
            ).all()
        )
        linked = session.exec(
            select(OutreachSession.held_on, ChildRequest.received_on, Placement.arrival_date)
            .join(OutreachReferral, OutreachReferral.session_id == OutreachSession.id)
            .join(ChildRequest, ChildRequest.id == OutreachReferral.request_id)
            .join(Placement, Placement.request_id == ChildRequest.id, isouter=True)
            .where(*conditions)
        ).all()
    counts = {column: int(value) for column, value in zip(OUTREACH_COUNTS, sums[2:])}
    return OutreachTotals(
        sessions=int(sums[0]),
        hours=round(float(sums[1]) / 60, 1),
        by_kind={kind.value: int(by_kind.get(kind.value, 0)) for kind in OutreachKind},
        counts=counts,
        linked_requests=len(linked),
        placed_after_outreach=sum(1 for _, _, arrival in linked if arrival is not None),
        days_to_request=[(received - held).days for held, received, _ in linked],
        days_to_arrival=[(arrival - received).days for _, received, arrival in linked if arrival is not None],
    )


def prevention_summary(*, actor: Actor, first: date, last: date, scope: Scope | None = None) -> PreventionTotals:
    """Coordination (or the catalogue's aggregate reader): prevention actions and staff supervision."""
    require(actor, Action.DASHBOARD_READ)
    scope = scope or Scope()
    conditions = _where(PreventionAction.held_on, PreventionAction.departement_code, first, last, scope)
    with session_scope(actor) as session:
        rows = session.exec(
            select(PreventionAction.audience, func.count(PreventionAction.id), func.sum(PreventionAction.reached))
            .where(*conditions)
            .group_by(PreventionAction.audience)
        ).all()
        supervision_statement = select(
            func.count(SupervisionSession.id), func.coalesce(func.sum(SupervisionSession.hours), 0)
        ).where(SupervisionSession.held_on >= first, SupervisionSession.held_on <= last)
        territory = in_scope(Structure.departement_code, scope)
        if territory is not None:  # the coordination's own sessions count nationally only
            supervision_statement = supervision_statement.join(
                Structure, Structure.id == SupervisionSession.structure_id
            ).where(territory)
        supervision = session.exec(supervision_statement).one()
        exposure = session.exec(
            select(func.coalesce(func.sum(OutreachSession.duration_minutes * OutreachSession.team_size), 0)).where(
                OutreachSession.kind == OutreachKind.DIGITAL.value,
                *_where(OutreachSession.held_on, OutreachSession.departement_code, first, last, scope),
            )
        ).one()
    by_audience = {audience: (int(n), int(reached or 0)) for audience, n, reached in rows}
    return PreventionTotals(
        actions=sum(n for n, _ in by_audience.values()),
        reached=sum(r for _, r in by_audience.values()),
        by_audience=by_audience,
        supervision_hours=float(supervision[1]),
        supervision_sessions=int(supervision[0]),
        digital_exposure_hours=round(float(exposure) / 60, 1),
    )


def _median(values: list[int]) -> float | None:
    return float(median(values)) if values else None


# --- catalogue adapters ---------------------------------------------------------------------------


def outreach_headline(q: Query) -> RawHeadline:
    totals = outreach_totals(actor=q.reader, first=q.first, last=q.last, scope=q.scope)
    return RawHeadline(
        Raw(COUNT, sum(totals.by_kind.values())),
        (
            ("maraudes réalisées", Raw(NUMBER, totals.sessions)),
            ("sollicitations issues d'une maraude", Raw(COUNT, totals.linked_requests)),
            ("dont enfants accueillis dans une structure", Raw(COUNT, totals.placed_after_outreach)),
            (
                "délai médian repérage → sollicitation",
                Raw(MEDIAN, _median(totals.days_to_request), observations=len(totals.days_to_request), unit="j"),
            ),
            (
                "délai médian sollicitation → accueil",
                Raw(MEDIAN, _median(totals.days_to_arrival), observations=len(totals.days_to_arrival), unit="j"),
            ),
        ),
    )


def outreach_tables(q: Query) -> list[RawTable]:
    """Axis 2 of the digital-outreach call: presumed minors by kind of outreach (counts of children, protected)."""
    return [t for t in _axis_tables(q) if t.key == "assessment"]


def activity_headline(q: Query) -> RawHeadline:
    totals = outreach_totals(actor=q.reader, first=q.first, last=q.last, scope=q.scope)
    return RawHeadline(
        Raw(NUMBER, totals.sessions),
        (
            ("heures de maraude", Raw(NUMBER, totals.hours)),
            ("orientations", Raw(NUMBER, sum(v for k, v in totals.counts.items() if k.startswith("orientations_")))),
            ("signalements", Raw(NUMBER, sum(v for k, v in totals.counts.items() if k.startswith("reports_")))),
        ),
    )


def activity_tables(q: Query) -> list[RawTable]:
    """Axes 1, 3 and 4 of the digital-outreach call: what the teams did, who they oriented to, the team."""
    return [t for t in _axis_tables(q) if t.key != "assessment"]


def _axis_tables(q: Query) -> list[RawTable]:
    """Four tables, one per axis of the digital-outreach call (with the two indicators, the report's outreach
    section)."""
    totals = outreach_totals(actor=q.reader, first=q.first, last=q.last, scope=q.scope)
    team = prevention_summary(actor=q.reader, first=q.first, last=q.last, scope=q.scope)
    c = totals.counts
    kinds = tuple((k.value, k.label) for k in OutreachKind)

    def measures(key: str, title: str, rows: list[tuple[str, str, float]]) -> RawTable:
        return RawTable(
            key,
            title,
            "Mesure",
            tuple((k, label) for k, label, _ in rows),
            ((None, "Valeur"),),
            tuple((float(v),) for _, _, v in rows),
            kind="measures",
            units=("number",),
            counts_children=False,
            drill=False,
        )

    return [
        measures(
            "reaching_out",
            "1. Aller-vers",
            [
                ("sessions", "Maraudes réalisées", totals.sessions),
                ("hours", "Heures de maraude", totals.hours),
                ("ads_spotted", OUTREACH_COUNTS["ads_spotted"], c["ads_spotted"]),
                ("messages_sent", OUTREACH_COUNTS["messages_sent"], c["messages_sent"]),
                ("answers", OUTREACH_COUNTS["answers"], c["answers"]),
                ("persons_met", OUTREACH_COUNTS["persons_met"], c["persons_met"]),
            ],
        ),
        RawTable(
            "assessment",
            "2. Évaluation de la situation de la personne : personnes présumées mineures, par type de maraude",
            "Type de maraude",
            kinds,
            ((None, "Personnes présumées mineures"),),
            tuple((float(totals.by_kind[k]),) for k, _ in kinds),
            drill=False,
            unit="personnes",
            note=f"Évaluations du danger réalisées : {c['risk_assessments']}.",
        ),
        measures(
            "partnerships",
            "3. Partenariats pour l'orientation",
            [
                ("orientations_partner", OUTREACH_COUNTS["orientations_partner"], c["orientations_partner"]),
                ("orientations_ase", OUTREACH_COUNTS["orientations_ase"], c["orientations_ase"]),
                ("orientations_health", OUTREACH_COUNTS["orientations_health"], c["orientations_health"]),
                ("orientations_other", OUTREACH_COUNTS["orientations_other"], c["orientations_other"]),
                ("reports_crip", OUTREACH_COUNTS["reports_crip"], c["reports_crip"]),
                ("reports_parquet", OUTREACH_COUNTS["reports_parquet"], c["reports_parquet"]),
                ("reports_pharos", OUTREACH_COUNTS["reports_pharos"], c["reports_pharos"]),
                ("reports_point_contact", OUTREACH_COUNTS["reports_point_contact"], c["reports_point_contact"]),
            ],
        ),
        measures(
            "team",
            "4. L'équipe",
            [
                (
                    "exposure",
                    "Heures d'exposition en maraude numérique (durée × intervenants)",
                    team.digital_exposure_hours,
                ),
                ("supervision_sessions", "Séances de supervision et d'analyse de pratique", team.supervision_sessions),
                ("supervision_hours", "Heures de supervision et d'analyse de pratique", team.supervision_hours),
            ],
        ),
    ]


def prevention_headline(q: Query) -> RawHeadline:
    totals = prevention_summary(actor=q.reader, first=q.first, last=q.last, scope=q.scope)
    return RawHeadline(
        Raw(NUMBER, totals.reached),
        (
            ("actions de prévention", Raw(NUMBER, totals.actions)),
            ("heures d'exposition en maraude numérique", Raw(NUMBER, totals.digital_exposure_hours)),
        ),
    )


def prevention_tables(q: Query) -> list[RawTable]:
    totals = prevention_summary(actor=q.reader, first=q.first, last=q.last, scope=q.scope)
    audiences = tuple((a.value, a.label) for a in Audience)
    return [
        RawTable(
            "audience",
            "Par public",
            "Public",
            audiences,
            (("actions", "Actions"), ("reached", "Personnes touchées")),
            tuple(tuple(float(v) for v in totals.by_audience.get(a, (0, 0))) for a, _ in audiences),
            kind="measures",
            units=("number", "number"),
            counts_children=False,
            drill=False,
        )
    ]


def indicator_specs() -> list[dict]:
    """The catalogue's entries for the detection circuit, as keyword arguments of its IndicatorSpec."""
    return [
        dict(
            key="outreach",
            number=13,
            title="Repérage des mineurs victimes : maraudes de rue et maraudes numériques",
            short_title="Repérage en maraude",
            definition=(
                "Personnes présumées mineures repérées (annonces ou profils en maraude numérique, personnes "
                "rencontrées en maraude de rue) pendant les maraudes de la période ; sollicitations reliées à une "
                "maraude de la période et délais médians, en jours, de la maraude à la sollicitation puis de la "
                "sollicitation à l'arrivée dans une structure."
            ),
            counts_children=True,
            unit="personnes",
            source="services.outreach.indicators",
            headline=outreach_headline,
            tables=outreach_tables,
            records=None,
            from_call=False,
        ),
        dict(
            key="outreach_activity",
            number=14,
            title="Maraudes : aller-vers, partenariats pour l'orientation et équipe",
            short_title="Activité des maraudes",
            definition=(
                "Maraudes de rue et numériques réalisées dans la période, heures de maraude, annonces ou profils "
                "repérés, messages envoyés, réponses, personnes rencontrées ; orientations et signalements par "
                "destinataire ; heures d'exposition des équipes en maraude numérique (durée × intervenants) et "
                "séances et heures de supervision. Ne compte pas d'enfants."
            ),
            counts_children=False,
            unit="maraudes",
            source="services.outreach.indicators",
            headline=activity_headline,
            tables=activity_tables,
            records=None,
            from_call=False,
        ),
        dict(
            key="prevention",
            number=15,
            title="Actions de prévention et protection des équipes",
            short_title="Prévention",
            definition=(
                "Personnes touchées par les actions de prévention de la période (ateliers, groupes de parole, "
                "formations de professionnels extérieurs, campagnes), par public ; heures d'exposition des équipes "
                "en maraude numérique (durée × intervenants)."
            ),
            counts_children=False,
            unit="personnes",
            source="services.outreach.indicators",
            headline=prevention_headline,
            tables=prevention_tables,
            records=None,
            from_call=False,
        ),
    ]
