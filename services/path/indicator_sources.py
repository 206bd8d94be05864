"""Indicators 1, 2, 3 and the derived ones (children's path): adapters from services.path.indicators
to the indicator catalogue.

Each indicator has a headline function (Query -> RawHeadline), a tables function (Query ->
[RawTable]) and a records function (the drill-down, coordination only). Values here are true values:
the catalogue (services/indicators/catalogue.py) protects them before a funder sees them."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import func, select

from core.db import session_scope
from core.formatting import fr_date
from models.base import code_list_contains
from models.child import (
    Child,
    ChildRequest,
    ExitReason,
    Placement,
    PlacementEvent,
    PlacementEventKind,
    RequesterKind,
    RequestStatus,
)
from models.structure import ExploitationForm, Sex, Structure
from services.indicators.disclosure_policy import full_rows
from services.indicators.model import (
    COUNT,
    MEDIAN,
    NUMBER,
    SHARE,
    IndicatorSpec,
    Query,
    Raw,
    RawHeadline,
    RawTable,
    RecordPage,
)
from services.path.finder import min_distance_km
from services.path.indicators import (
    _between,
    _measure,
    _vocabulary,
    path_distance_share,
    path_indicator_counts,
    path_median_days_to_arrival,
    path_runaway_rate,
)

PATH_GROUPS = (
    ("requester_kind", "Par demandeur", "Demandeur"),
    ("exploitation_departement", "Par département d'exploitation", "Département d'exploitation"),
    ("exploitation_form", "Par forme d'exploitation", "Forme d'exploitation"),
)
AGE_BANDS = ((0, 12, "moins de 13 ans"), (13, 14, "13 – 14 ans"), (15, 16, "15 – 16 ans"), (17, 17, "17 ans"))


def _path_counts(q: Query, measure: str, group_by: str):
    return path_indicator_counts(
        actor=q.reader, measure=measure, group_by=group_by, start=q.first, end=q.last, scope=q.scope
    )


def _path_headline(q: Query, measure: str) -> RawHeadline:
    return RawHeadline(Raw(COUNT, int(_path_counts(q, measure, "requester_kind").total or 0)))


def _path_tables(q: Query, measure: str, label: str) -> list[RawTable]:
    """The breakdowns of a path count: the categories found, or every category of the dimension in a
    fixed order when the figures will be published protected (services.indicators.disclosure_policy)."""
    tables = []
    for group_by, title, dimension in PATH_GROUPS:
        counted = _path_counts(q, measure, group_by)
        found = [(r.key, r.label, r.count) for r in counted.rows if r.count]
        if q.protected:
            vocabulary = _vocabulary(group_by, q.reader, q.scope, q.first, q.last, "month")
            found = full_rows({key: n for key, _, n in found}, vocabulary)
        additive = group_by != "exploitation_form" and sum(n for _, _, n in found) == counted.total
        tables.append(
            RawTable(
                group_by,
                title,
                dimension,
                tuple((key, text) for key, text, _ in found),
                ((measure, label),),
                tuple((n,) for _, _, n in found),
                kind="counts" if additive else "multi",
                population=int(counted.total or 0),
                unit="sollicitations" if measure == "requests" else "enfants",
            )
        )
    tables.append(_age_by_sex(q, measure, label))
    return tables


def _age_by_sex(q: Query, measure: str, label: str) -> RawTable:
    """Children by age band and sex, counted as the path service counts the measure (its `_measure`:
    same date, same territory, same distinct children)."""
    date_column, counted, distinct, shape = _measure(measure, q.reader, q.scope)
    child_id = Placement.child_id if measure == "placed" else ChildRequest.child_id
    band = sa.case(*[(Child.age <= high, sa.literal(name)) for _, high, name in AGE_BANDS], else_=sa.literal("?"))
    number = func.count(sa.distinct(counted)) if distinct else func.count(counted)
    stmt = (
        shape(select(band.label("band"), Child.sex, number))
        .join(Child, Child.id == child_id)
        .where(*_between(date_column, q.first, q.last))
        .group_by(band, Child.sex)
    )
    with session_scope(q.reader) as session:
        found = {(b, sex): int(n) for b, sex, n in session.exec(stmt).all()}
    if q.protected:  # every band and sex, so that the rows and columns shown tell nothing
        sexes, bands = list(Sex), [name for _, _, name in AGE_BANDS]
    else:
        sexes = [s for s in Sex if any(key[1] == s.value for key in found)] or [Sex.FEMALE, Sex.MALE]
        bands = [name for _, _, name in AGE_BANDS if any(key[0] == name for key in found)]
    return RawTable(
        "age_sex",
        "Par âge et par sexe",
        "Âge",
        tuple((name, name) for name in bands),
        tuple((s.value, s.label) for s in sexes),
        tuple(tuple(found.get((name, s.value), 0) for s in sexes) for name in bands),
        note=f"{label} ; âge à la sollicitation.",
        drill=False,
    )


def requests_headline(q: Query) -> RawHeadline:
    return _path_headline(q, "requests")


def requests_tables(q: Query) -> list[RawTable]:
    return _path_tables(q, "requests", "Sollicitations")


def oriented_headline(q: Query) -> RawHeadline:
    return _path_headline(q, "oriented")


def oriented_tables(q: Query) -> list[RawTable]:
    return _path_tables(q, "oriented", "Victimes orientées")


def placed_headline(q: Query) -> RawHeadline:
    return _path_headline(q, "placed")


def placed_tables(q: Query) -> list[RawTable]:
    return _path_tables(q, "placed", "Victimes placées")


def _request_filter(table: str | None, row: str | None) -> list:
    if not table or row is None:
        return []
    return [
        {
            "requester_kind": ChildRequest.requester_kind == row,
            "exploitation_departement": ChildRequest.exploitation_departement_code == row,
            "requester_departement": ChildRequest.requester_departement_code == row,
            "exploitation_form": code_list_contains(ChildRequest.exploitation_forms, row),
        }.get(table, sa.true())
    ]


def _path_records(
    q: Query, measure: str, table: str | None, row: str | None, limit: int, offset: int, extra: list | None = None
) -> RecordPage:
    """The requests (1, 2) or placements (3 and derived) behind a number: the same rows the path service
    counts (its `_measure`), with the child's pseudonymous code only."""

    date_column, _counted, _distinct, shape = _measure(measure, q.reader, q.scope)
    conditions = [*_between(date_column, q.first, q.last), *_request_filter(table, row), *(extra or [])]
    if measure == "placed":
        home = aliased(Structure)
        columns = (
            Child.code,
            Child.age,
            Child.sex,
            Placement.arrival_date,
            home.name,
            home.departement_code,
            Placement.end_date,
            Placement.exit_reason,
            Placement.distance_km,
        )
        stmt = (
            shape(select(*columns))
            .join(Child, Child.id == Placement.child_id)
            .join(home, home.id == Placement.structure_id)
            .where(*conditions)
        )
        order = (Placement.arrival_date.desc(), Placement.id.desc())
        head = (
            "Code enfant",
            "Âge",
            "Sexe",
            "Arrivée",
            "Structure",
            "Département",
            "Sortie",
            "Motif de sortie",
            "Distance (km)",
        )

        def shown(r):
            return (
                r[0],
                r[1],
                r[2],
                fr_date(r[3]),
                r[4],
                r[5],
                fr_date(r[6]),
                ExitReason.label_of(r[7]),
                None if r[8] is None else round(r[8]),
            )

        title = "Placements"
    else:
        columns = (
            Child.code,
            Child.age,
            Child.sex,
            ChildRequest.received_on,
            ChildRequest.oriented_on,
            ChildRequest.requester_kind,
            ChildRequest.exploitation_departement_code,
            ChildRequest.exploitation_forms,
            ChildRequest.status,
        )
        stmt = shape(select(*columns)).join(Child, Child.id == ChildRequest.child_id).where(*conditions)
        order = (date_column.desc(), ChildRequest.id.desc())
        head = (
            "Code enfant",
            "Âge",
            "Sexe",
            "Reçue le",
            "Orientée le",
            "Demandeur",
            "Département d'exploitation",
            "Formes d'exploitation",
            "Statut",
        )

        def shown(r):
            return (
                r[0],
                r[1],
                r[2],
                fr_date(r[3]),
                fr_date(r[4]),
                RequesterKind.label_of(r[5]),
                r[6],
                ", ".join(ExploitationForm.label_of(f) for f in r[7] or []),
                RequestStatus.label_of(r[8]),
            )

        title = "Sollicitations" if measure == "requests" else "Sollicitations orientées"
    with session_scope(q.reader) as session:
        total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
        rows = session.exec(stmt.order_by(*order).limit(limit).offset(offset)).all()
    return RecordPage(title, head, tuple(shown(r) for r in rows), int(total))


def requests_records(q: Query, table, row, column, limit: int, offset: int) -> RecordPage:
    return _path_records(q, "requests", table, row, limit, offset)


def oriented_records(q: Query, table, row, column, limit: int, offset: int) -> RecordPage:
    return _path_records(q, "oriented", table, row, limit, offset)


def placed_records(q: Query, table, row, column, limit: int, offset: int) -> RecordPage:
    return _path_records(q, "placed", table, row, limit, offset)


def time_to_placement_headline(q: Query) -> RawHeadline:
    median, arrivals = path_median_days_to_arrival(actor=q.reader, start=q.first, end=q.last, scope=q.scope)
    return RawHeadline(Raw(MEDIAN, median, observations=arrivals or 0, unit="j"))


def time_to_placement_tables(q: Query) -> list[RawTable]:
    return []


def _share_raw(share) -> Raw:
    return Raw(SHARE, numerator=int(share.numerator or 0), denominator=int(share.denominator or 0))


def distance_headline(q: Query) -> RawHeadline:
    minimum = min_distance_km()
    share = path_distance_share(actor=q.reader, start=q.first, end=q.last, minimum_km=minimum, scope=q.scope)
    return RawHeadline(_share_raw(share), (("distance minimale", Raw(NUMBER, minimum, unit="km")),))


def distance_tables(q: Query) -> list[RawTable]:
    return []


def distance_records(q: Query, table, row, column, limit: int, offset: int) -> RecordPage:
    return _path_records(q, "placed", None, None, limit, offset, [Placement.distance_km.is_not(None)])


def runaways_headline(q: Query) -> RawHeadline:
    month = path_runaway_rate(actor=q.reader, days=30, start=q.first, end=q.last, scope=q.scope)
    week = path_runaway_rate(actor=q.reader, days=7, start=q.first, end=q.last, scope=q.scope)
    return RawHeadline(_share_raw(month), (("dans les 7 jours", _share_raw(week)),))


def runaways_tables(q: Query) -> list[RawTable]:
    return []


def runaways_records(q: Query, table, row, column, limit: int, offset: int) -> RecordPage:
    """Placements of the period with a runaway (event or exit) at any time."""
    ran_away = sa.or_(
        Placement.exit_reason == ExitReason.RUNAWAY.value,
        sa.exists().where(
            PlacementEvent.placement_id == Placement.id, PlacementEvent.kind == PlacementEventKind.RUNAWAY.value
        ),
    )
    return _path_records(q, "placed", None, None, limit, offset, [ran_away])


# --- the catalogue entries this package contributes (gathered by services/indicators/registry.py) ---

INDICATORS: tuple[IndicatorSpec, ...] = (
    IndicatorSpec(
        "requests",
        1,
        "Le nombre de sollicitations pour prendre en charge un mineur",
        "Sollicitations",
        "Demandes de prise en charge d'un mineur reçues par la coordination (police, gendarmerie, ASE, PJJ, "
        "parquet, associations…), comptées à leur date de réception.",
        True,
        "sollicitations",
        "services.path.indicators",
        requests_headline,
        requests_tables,
        requests_records,
    ),
    IndicatorSpec(
        "oriented",
        2,
        "Le nombre de victimes orientées",
        "Victimes orientées",
        "Mineurs distincts dont la sollicitation a abouti à l'accord d'une structure partenaire pour les "
        "accueillir, comptés à la date de cet accord.",
        True,
        "enfants",
        "services.path.indicators",
        oriented_headline,
        oriented_tables,
        oriented_records,
    ),
    IndicatorSpec(
        "placed",
        3,
        "Le nombre de victimes placées au sein d'une structure partenaire du réseau",
        "Victimes placées",
        "Mineurs distincts arrivés dans une structure partenaire du réseau, comptés à leur date d'arrivée.",
        True,
        "enfants",
        "services.path.indicators",
        placed_headline,
        placed_tables,
        placed_records,
    ),
    IndicatorSpec(
        "time_to_placement",
        9,
        "Délai entre la sollicitation et l'arrivée en structure",
        "Délai de placement",
        "Médiane, en jours, du délai entre la réception de la sollicitation et l'arrivée du mineur dans la "
        "structure, pour les arrivées de la période.",
        True,
        "jours",
        "services.path.indicators",
        time_to_placement_headline,
        time_to_placement_tables,
        placed_records,
        from_call=False,
    ),
    IndicatorSpec(
        "distance",
        10,
        "Part des placements éloignés du lieu d'exploitation",
        "Placements éloignés",
        "Part des arrivées de la période dans une structure située à au moins la distance minimale réglée "
        "par la coordination du département d'exploitation (distance entre centres des départements), parmi "
        "les arrivées dont la distance est connue.",
        True,
        "%",
        "services.path.indicators",
        distance_headline,
        distance_tables,
        distance_records,
        from_call=False,
    ),
    IndicatorSpec(
        "runaways",
        11,
        "Fugues après l'arrivée",
        "Fugues",
        "Part des arrivées de la période suivies d'une fugue dans les 30 jours (et dans les 7 jours), parmi "
        "les arrivées dont l'issue à 30 (ou 7) jours est connue.",
        True,
        "%",
        "services.path.indicators",
        runaways_headline,
        runaways_tables,
        runaways_records,
        from_call=False,
    ),
)
