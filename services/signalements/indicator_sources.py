"""Indicator 8 (signalements): adapters from services.signalements.indicators to the indicator
catalogue.

Each indicator has a headline function (Query -> RawHeadline), a tables function (Query ->
[RawTable]) and a records function (the drill-down, coordination only). Values here are true values:
the catalogue (services/indicators/catalogue.py) protects them before a funder sees them."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import func, select

from core.db import session_scope
from core.formatting import fr_date
from models.base import utcnow
from models.referential import Departement, Region
from models.signalement import (
    Category,
    EventKind,
    RecipientKind,
    Severity,
    Signalement,
    SignalementEvent,
    SignalementStatus,
)
from models.signalement import Signalement as S
from models.structure import Structure
from services.directory.referential import region_options_in
from services.indicators.disclosure_policy import full_rows
from services.indicators.model import COUNT, MEDIAN, SHARE, IndicatorSpec, Query, Raw, RawHeadline, RawTable, RecordPage
from services.periods import in_scope
from services.signalements.indicators import _conditions, _delays, _share, _within_and_total

# That service narrows to a territory only for a funder actor (no `scope` argument), and protects a
# funder's figures itself; the catalogue needs the true figures of any scope. So this adapter calls
# the service's own helpers (_conditions, _delays, _within_and_total, _share) with the territorial
# condition added, and groups by the same columns (current category and severity, the structure's région).


def _signalement_conditions(q: Query) -> list:
    conditions = list(_conditions(q.reader, q.first, q.last))
    territory = in_scope(Structure.departement_code, q.scope)
    if territory is not None:
        conditions.append(Signalement.structure_id.in_(select(Structure.id).where(territory)))
    return conditions


def signalements_headline(q: Query) -> RawHeadline:
    conditions = _signalement_conditions(q)
    settled = sa.or_(S.acknowledged_at.is_not(None), S.ack_due_at < utcnow())
    ack_within, ack_settled = _within_and_total(S.acknowledged_at, S.ack_due_at, settled)
    with session_scope(q.reader) as session:
        total, n_ack, w, t = session.exec(
            select(func.count(), func.count(S.ack_seconds), ack_within, ack_settled).select_from(S).where(*conditions)
        ).one()
        delay = _delays(session, q.reader, S.ack_seconds, conditions, n_ack, None)
        within = _share(q.reader, w, t, None)
    hours = None if delay.median_seconds is None else round(delay.median_seconds / 3600, 1)
    return RawHeadline(
        Raw(COUNT, int(total)),
        (
            ("délai médian de prise en compte", Raw(MEDIAN, hours, observations=int(delay.count or 0), unit="h")),
            (
                "pris en compte dans le délai",
                Raw(SHARE, numerator=int(within.within or 0), denominator=int(within.total or 0)),
            ),
        ),
    )


def signalements_tables(q: Query) -> list[RawTable]:

    conditions = _signalement_conditions(q)
    count = func.count(sa.distinct(Signalement.id))
    voiding = aliased(SignalementEvent)
    statements = {
        "category": select(Signalement.current_category, count).group_by(Signalement.current_category),
        "severity": select(Signalement.current_severity, count).group_by(Signalement.current_severity),
        "region": (
            select(Region.code, count, Region.name)
            .join(Structure, Structure.id == Signalement.structure_id)
            .join(Departement, Departement.code == Structure.departement_code)
            .join(Region, Region.code == Departement.region_code)
            .group_by(Region.code, Region.name)
        ),
        "recipient": (
            select(SignalementEvent.recipient_kind, count)
            .join(Signalement, Signalement.id == SignalementEvent.signalement_id)
            .where(
                SignalementEvent.kind == EventKind.PASSED_ON.value,
                ~sa.exists().where(voiding.voids_event_id == SignalementEvent.id),
            )
            .group_by(SignalementEvent.recipient_kind)
        ),
    }
    labels = {"category": Category.label_of, "severity": Severity.label_of, "recipient": RecipientKind.label_of}
    titles = {
        "category": ("Par catégorie", "Catégorie"),
        "severity": ("Par gravité", "Gravité"),
        "region": ("Par région de la structure", "Région"),
        "recipient": ("Transmis, par destinataire", "Destinataire"),
    }
    tables = []
    with session_scope(q.reader) as session:
        population = int(session.exec(select(func.count()).select_from(Signalement).where(*conditions)).one())
        for key, statement in statements.items():
            rows = sorted(session.exec(statement.where(*conditions)).all(), key=lambda r: -int(r[1]))
            found = [(str(r[0]), r[2] if key == "region" else labels[key](r[0]), int(r[1])) for r in rows]
            if q.protected:
                found = full_rows({k: n for k, _, n in found}, _signalement_vocabulary(key, q))
            tables.append(
                RawTable(
                    key,
                    titles[key][0],
                    titles[key][1],
                    tuple((k, text) for k, text, _ in found),
                    (("signalements", "Signalements"),),
                    tuple((n,) for _, _, n in found),
                    kind="multi" if key == "recipient" else "counts",
                    drill=key != "recipient",
                    population=population,
                    unit="signalements",
                )
            )
    return tables


def _signalement_vocabulary(key: str, q: Query) -> list[tuple[str, str]]:
    """Every category, severity, recipient kind or région of the scope, in a fixed order."""
    if key == "region":
        return region_options_in(q.scope)
    enum = {"category": Category, "severity": Severity, "recipient": RecipientKind}[key]
    return [(member.value, member.label) for member in enum]


def signalements_records(
    q: Query, table: str | None, row: str | None, column: str | None, limit: int, offset: int
) -> RecordPage:
    """Signalements declared in the period and scope (of a category, severity or région when asked)."""
    conditions = _signalement_conditions(q)
    if table == "category" and row:
        conditions.append(Signalement.current_category == row)
    elif table == "severity" and row:
        conditions.append(Signalement.current_severity == row)
    elif table == "region" and row:
        conditions.append(
            Signalement.structure_id.in_(
                select(Structure.id)
                .join(Departement, Departement.code == Structure.departement_code)
                .where(Departement.region_code == row)
            )
        )
    stmt = (
        select(
            Signalement.declared_on,
            Structure.name,
            Signalement.current_category,
            Signalement.current_severity,
            Signalement.status,
            Signalement.ack_seconds,
            Signalement.pass_seconds,
        )
        .join(Structure, Structure.id == Signalement.structure_id)
        .where(*conditions)
    )
    with session_scope(q.reader) as session:
        total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
        rows = session.exec(stmt.order_by(Signalement.declared_at.desc()).limit(limit).offset(offset)).all()

    def hours(seconds):
        return None if seconds is None else round(seconds / 3600, 1)

    return RecordPage(
        "Signalements",
        ("Déclaré le", "Structure", "Catégorie", "Gravité", "Statut", "Prise en compte (h)", "Transmission (h)"),
        tuple(
            (
                fr_date(d),
                name,
                Category.label_of(c),
                Severity.label_of(sev),
                SignalementStatus.label_of(st),
                hours(a),
                hours(p),
            )
            for d, name, c, sev, st, a, p in rows
        ),
        int(total),
    )


# --- the catalogue entries this package contributes (gathered by services/indicators/registry.py) ---

INDICATORS: tuple[IndicatorSpec, ...] = (
    IndicatorSpec(
        "signalements",
        8,
        "Le circuit de remontée vers la coordination du réseau des signalements de situations préoccupantes "
        "survenant dans les structures partenaires du réseau",
        "Signalements",
        "Signalements de situations préoccupantes déclarés par les structures partenaires dans la période, "
        "délai médian de prise en compte par la coordination et part prise en compte dans le délai fixé.",
        True,
        "signalements",
        "services.signalements.indicators",
        signalements_headline,
        signalements_tables,
        signalements_records,
    ),
)
