"""Thin adapters from the feature services to the indicator catalogue (services/indicators/catalogue.py).

Each indicator has a headline function (Query -> RawHeadline), a tables function (Query ->
[RawTable]) and a records function (the drill-down, coordination only). They call the feature's
own indicator services, which hold the formulas; where a feature service lacks a filter the
catalogue needs, the adapter says so in its docstring. Values here are true values: the catalogue
protects them before a funder sees them.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlmodel import func, select

from core.collation import french_key
from core.db import session_scope
from core.formatting import fr_date
from services.indicators.disclosure_policy import full_rows
from services.indicators.model import COUNT, MEDIAN, NUMBER, RATE, SHARE, Query, Raw, RawHeadline, RawTable, RecordPage

# --- 6 and 7: trainings (services.training.indicators) ----------------------------------------


def _profile_label(code: str | None) -> str:
    from models.training import TrainingProfile

    return TrainingProfile.label_of(code) or "Non renseigné"


def trained_headline(q: Query) -> RawHeadline:
    from services.training.indicators import training_totals

    totals = training_totals(actor=q.reader, within=q.period, scope=q.scope)
    return RawHeadline(
        Raw(COUNT, totals.participants),
        (
            ("sessions réalisées", Raw(COUNT, totals.sessions)),
            ("heures-stagiaires", Raw(COUNT, round(totals.person_hours))),
        ),
    )


def trained_tables(q: Query) -> list[RawTable]:
    from services.training.indicators import training_trained

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
    from models.referential import Departement
    from models.training import TrainingModule, TrainingParticipants, TrainingSession
    from services.training.indicators import _delivered
    from services.training.sessions import place_label

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
    from services.training.indicators import training_plan_vs_delivered, training_trained

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
    from services.training.indicators import training_structure_coverage
    from services.training.sessions import training_module_list

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
    from models.training import TrainingFormat
    from services.training.sessions import training_module_list

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


# --- 4 and 5: partners and coverage (services.directory.coverage) ----------------------------------------


def _by_departement(q: Query):
    from services.directory.coverage import coverage_by_departement

    return coverage_by_departement(actor=q.reader, on=q.as_of, scope=q.scope)


def partners_headline(q: Query) -> RawHeadline:
    from services.directory.coverage import indicator_partners

    p = indicator_partners(actor=q.reader, on=q.as_of, scope=q.scope)
    return RawHeadline(
        Raw(COUNT, p.active_structures),
        (
            ("conseils départementaux engagés", Raw(COUNT, p.conseils_engaged)),
            ("places d'accueil", Raw(COUNT, p.places)),
        ),
    )


def _regions(rows) -> dict[str, list]:
    out: dict[str, list] = {}
    for r in rows:
        out.setdefault(r.region_code, [r.region_name, []])[1].append(r)
    return dict(sorted(out.items(), key=lambda item: french_key(item[1][0])))


def partners_tables(q: Query) -> list[RawTable]:
    regions = _regions(_by_departement(q))
    values = tuple(
        (sum(d.active_structures for d in ds), sum(d.places for d in ds), sum(1 for d in ds if d.conventions_in_force))
        for _, ds in regions.values()
    )
    return [
        RawTable(
            "region",
            f"Par région, au {fr_date(q.as_of)}",
            "Région",
            tuple((code, name) for code, (name, _) in regions.items()),
            (
                ("structures", "Structures actives"),
                ("places", "Places"),
                ("conseils", "Conseils départementaux engagés"),
            ),
            values,
            kind="measures",
            units=("count", "count", "count"),
            counts_children=False,
        )
    ]


def partners_records(
    q: Query, table: str | None, row: str | None, column: str | None, limit: int, offset: int
) -> RecordPage:
    """Structures active at the period's end (of a région when a row is given), or the conventions in
    force when the column « conseils départementaux » is asked."""
    from models.convention import Convention
    from models.referential import Departement, Region
    from models.structure import NetworkStatus, Structure, StructureKind
    from services.directory.conventions import in_force_condition
    from services.directory.coverage import status_at
    from services.periods import in_scope

    territory = [c for c in (in_scope(Departement.code, q.scope),) if c is not None]
    if row:
        territory.append(Departement.region_code == row)
    with session_scope(q.reader) as session:
        if column == "conseils":
            conditions = [in_force_condition(q.as_of), *territory]
            stmt = (
                select(
                    Convention.departement_code, Departement.name, Region.name, Convention.signed_on, Convention.ends_on
                )
                .join(Departement, Departement.code == Convention.departement_code)
                .join(Region, Region.code == Departement.region_code)
                .where(*conditions)
            )
            total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
            rows = session.exec(stmt.order_by(Convention.departement_code).limit(limit).offset(offset)).all()
            return RecordPage(
                f"Conventions en vigueur au {fr_date(q.as_of)}",
                ("Département", "Région", "Signée le", "Fin"),
                tuple(
                    (f"{code} {name}", region, fr_date(signed), fr_date(ends))
                    for code, name, region, signed, ends in rows
                ),
                int(total),
            )
        status = status_at(q.as_of)
        stmt = (
            select(
                Structure.name,
                Structure.kind,
                Structure.departement_code,
                Departement.name,
                Region.name,
                Structure.capacity,
            )
            .join(status, status.c.structure_id == Structure.id)
            .join(Departement, Departement.code == Structure.departement_code)
            .join(Region, Region.code == Departement.region_code)
            .where(status.c.status == NetworkStatus.ACTIVE.value, *territory)
        )
        total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
        rows = session.exec(stmt.order_by(Structure.name).limit(limit).offset(offset)).all()
    return RecordPage(
        f"Structures partenaires actives au {fr_date(q.as_of)}",
        ("Structure", "Type", "Département", "Région", "Places"),
        tuple(
            (name, StructureKind.label_of(kind), f"{code} {dep}", region, capacity)
            for name, kind, code, dep, region, capacity in rows
        ),
        int(total),
    )


def coverage_headline(q: Query) -> RawHeadline:
    from services.directory.coverage import indicator_coverage

    c = indicator_coverage(actor=q.reader, on=q.as_of, scope=q.scope)
    return RawHeadline(
        Raw(COUNT, c.covered),
        (
            ("dont outre-mer", Raw(COUNT, c.covered_overseas)),
            ("départements non couverts", Raw(COUNT, c.uncovered)),
        ),
    )


def coverage_tables(q: Query) -> list[RawTable]:
    regions = _regions(_by_departement(q))
    values = tuple(
        (len(ds), sum(1 for d in ds if d.covered), sum(1 for d in ds if not d.covered)) for _, ds in regions.values()
    )
    return [
        RawTable(
            "region",
            f"Par région, au {fr_date(q.as_of)}",
            "Région",
            tuple((code, name) for code, (name, _) in regions.items()),
            (("departements", "Départements"), ("covered", "Couverts"), ("uncovered", "Non couverts")),
            values,
            kind="measures",
            units=("count", "count", "count"),
            counts_children=False,
            chart_column=1,
        )
    ]


def coverage_records(
    q: Query, table: str | None, row: str | None, column: str | None, limit: int, offset: int
) -> RecordPage:
    """The départements of the scope (of a région when a row is given), covered or not."""
    rows = [d for d in _by_departement(q) if row is None or d.region_code == row]
    if column == "covered":
        rows = [d for d in rows if d.covered]
    elif column == "uncovered":
        rows = [d for d in rows if not d.covered]
    return RecordPage(
        f"Départements au {fr_date(q.as_of)}",
        ("Département", "Région", "Couvert", "Structures actives", "Places", "Conventions en vigueur"),
        tuple(
            (
                f"{d.code} {d.name}",
                d.region_name,
                "oui" if d.covered else "non",
                d.active_structures,
                d.places,
                d.conventions_in_force,
            )
            for d in rows[offset : offset + limit]
        ),
        len(rows),
    )


def coverage_map_rows(q: Query) -> list[dict]:
    """One row per département of the scope for the coverage map (structures, not children)."""
    return [
        {
            "code": d.code,
            "active_structures": d.active_structures,
            "places": d.places,
            "conventions": d.conventions_in_force,
            "covered": int(d.covered),
        }
        for d in _by_departement(q)
    ]


# --- 1, 2, 3 and derived ones: the children's path (services.path.indicators) -------------------

PATH_GROUPS = (
    ("requester_kind", "Par demandeur", "Demandeur"),
    ("exploitation_departement", "Par département d'exploitation", "Département d'exploitation"),
    ("exploitation_form", "Par forme d'exploitation", "Forme d'exploitation"),
)
AGE_BANDS = ((0, 12, "moins de 13 ans"), (13, 14, "13 – 14 ans"), (15, 16, "15 – 16 ans"), (17, 17, "17 ans"))


def _path_counts(q: Query, measure: str, group_by: str):
    from services.path.indicators import path_indicator_counts

    return path_indicator_counts(
        actor=q.reader, measure=measure, group_by=group_by, start=q.first, end=q.last, scope=q.scope
    )


def _path_headline(q: Query, measure: str) -> RawHeadline:
    return RawHeadline(Raw(COUNT, int(_path_counts(q, measure, "requester_kind").total or 0)))


def _path_tables(q: Query, measure: str, label: str) -> list[RawTable]:
    """The breakdowns of a path count: the categories found, or every category of the dimension in a
    fixed order when the figures will be published protected (services.indicators.disclosure_policy)."""
    from services.path.indicators import _vocabulary

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
    from models.child import Child, ChildRequest, Placement
    from models.structure import Sex
    from services.path.indicators import _between, _measure

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
    from models.base import code_list_contains
    from models.child import ChildRequest

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
    from sqlalchemy.orm import aliased

    from models.child import Child, ChildRequest, ExitReason, Placement, RequesterKind, RequestStatus
    from models.structure import ExploitationForm, Structure
    from services.path.indicators import _between, _measure

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
    from services.path.indicators import path_median_days_to_arrival

    median, arrivals = path_median_days_to_arrival(actor=q.reader, start=q.first, end=q.last, scope=q.scope)
    return RawHeadline(Raw(MEDIAN, median, observations=arrivals or 0, unit="j"))


def time_to_placement_tables(q: Query) -> list[RawTable]:
    return []


def _share_raw(share) -> Raw:
    return Raw(SHARE, numerator=int(share.numerator or 0), denominator=int(share.denominator or 0))


def distance_headline(q: Query) -> RawHeadline:
    from services.path.indicators import path_distance_share
    from services.path.orientation import min_distance_km

    minimum = min_distance_km()
    share = path_distance_share(actor=q.reader, start=q.first, end=q.last, minimum_km=minimum, scope=q.scope)
    return RawHeadline(_share_raw(share), (("distance minimale", Raw(NUMBER, minimum, unit="km")),))


def distance_tables(q: Query) -> list[RawTable]:
    return []


def distance_records(q: Query, table, row, column, limit: int, offset: int) -> RecordPage:
    from models.child import Placement

    return _path_records(q, "placed", None, None, limit, offset, [Placement.distance_km.is_not(None)])


def runaways_headline(q: Query) -> RawHeadline:
    from services.path.indicators import path_runaway_rate

    month = path_runaway_rate(actor=q.reader, days=30, start=q.first, end=q.last, scope=q.scope)
    week = path_runaway_rate(actor=q.reader, days=7, start=q.first, end=q.last, scope=q.scope)
    return RawHeadline(_share_raw(month), (("dans les 7 jours", _share_raw(week)),))


def runaways_tables(q: Query) -> list[RawTable]:
    return []


def runaways_records(q: Query, table, row, column, limit: int, offset: int) -> RecordPage:
    """Placements of the period with a runaway (event or exit) at any time."""
    from models.child import ExitReason, Placement, PlacementEvent, PlacementEventKind

    ran_away = sa.or_(
        Placement.exit_reason == ExitReason.RUNAWAY.value,
        sa.exists().where(
            PlacementEvent.placement_id == Placement.id, PlacementEvent.kind == PlacementEventKind.RUNAWAY.value
        ),
    )
    return _path_records(q, "placed", None, None, limit, offset, [ran_away])


# --- 8: signalements (services.signalements.indicators) ------------------------------------------
# That service narrows to a territory only for a funder actor (no `scope` argument), and protects a
# funder's figures itself; the catalogue needs the true figures of any scope. So this adapter calls
# the service's own helpers (_conditions, _delays, _within_and_total, _share) with the territorial
# condition added, and groups by the same columns (current category and severity, the structure's région).


def _signalement_conditions(q: Query) -> list:
    from models.signalement import Signalement
    from models.structure import Structure
    from services.periods import in_scope
    from services.signalements.indicators import _conditions

    conditions = list(_conditions(q.reader, q.first, q.last))
    territory = in_scope(Structure.departement_code, q.scope)
    if territory is not None:
        conditions.append(Signalement.structure_id.in_(select(Structure.id).where(territory)))
    return conditions


def signalements_headline(q: Query) -> RawHeadline:
    from models.base import utcnow
    from models.signalement import Signalement as S
    from services.signalements.indicators import _delays, _share, _within_and_total

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
    from sqlalchemy.orm import aliased

    from models.referential import Departement, Region
    from models.signalement import Category, EventKind, RecipientKind, Severity, Signalement, SignalementEvent
    from models.structure import Structure

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
    from models.signalement import Category, RecipientKind, Severity
    from services.directory.referential import region_options_in

    if key == "region":
        return region_options_in(q.scope)
    enum = {"category": Category, "severity": Severity, "recipient": RecipientKind}[key]
    return [(member.value, member.label) for member in enum]


def signalements_records(
    q: Query, table: str | None, row: str | None, column: str | None, limit: int, offset: int
) -> RecordPage:
    """Signalements declared in the period and scope (of a category, severity or région when asked)."""
    from models.referential import Departement
    from models.signalement import Category, Severity, Signalement, SignalementStatus
    from models.structure import Structure

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


# --- weekly completeness (services.weekly.board) -----------------------------------------------
# The board reads the last N weeks before now; the catalogue needs the weeks of any period and any
# territory. This adapter runs the board's own SQL pieces (_weeks_table, _structure_weeks, _counts,
# _structure_rates) on the weeks whose Monday lies in the period, with the territorial condition.


def _weeks_of(q: Query) -> list[date]:
    from datetime import timedelta

    monday = q.first + timedelta(days=(7 - q.first.weekday()) % 7)
    weeks = []
    while monday < q.period.end and monday <= q.as_of:
        weeks.append(monday)
        monday += timedelta(days=7)
    return weeks


def _weekly_rows(q: Query, by: str, region: str | None = None):
    """(key, label, expected, received, on time) per network / région / structure over the period's weeks."""
    from models.base import utcnow
    from models.referential import Region
    from services.periods import in_scope
    from services.weekly.board import D, S, _counts, _structure_weeks, _weeks_table
    from services.weekly.reports import deadline_rule

    weeks = _weeks_of(q)
    if not weeks:
        return []
    now, rule = utcnow(), deadline_rule()
    w = _weeks_table(weeks, rule, now)
    joined, conditions = _structure_weeks(w, region)
    territory = in_scope(D.c.code, q.scope)
    conditions = conditions + ([territory] if territory is not None else [])
    regions = Region.__table__
    groups = {"network": [], "region": [D.c.region_code, regions.c.name], "structure": [S.c.id, S.c.name]}[by]
    source = joined.join(regions, regions.c.code == D.c.region_code) if by == "region" else joined
    stmt = select(*groups, *_counts(w)).select_from(source).where(*conditions)
    if groups:
        stmt = stmt.group_by(*groups)
    with session_scope(q.reader) as session:
        rows = session.execute(stmt).all()
    out = []
    for r in rows:
        key, label = (str(r[0]), r[1]) if groups else ("reseau", "Réseau")
        out.append((key, label, int(r.expected or 0), int(r.received or 0), int(r.on_time or 0)))
    return out


def completeness_headline(q: Query) -> RawHeadline:
    rows = _weekly_rows(q, "network")
    expected, received, on_time = (rows[0][2], rows[0][3], rows[0][4]) if rows else (0, 0, 0)
    return RawHeadline(
        Raw(RATE, received / expected if expected else None, numerator=received, denominator=expected),
        (
            (
                "transmis à l'heure",
                Raw(RATE, on_time / expected if expected else None, numerator=on_time, denominator=expected),
            ),
        ),
    )


def completeness_tables(q: Query) -> list[RawTable]:
    rows = sorted(_weekly_rows(q, "region"), key=lambda r: (r[3] / r[2] if r[2] else 2, r[1]))
    return [
        RawTable(
            "region",
            "Par région",
            "Région",
            tuple((r[0], r[1]) for r in rows),
            (
                ("expected", "Semaines attendues"),
                ("received", "Reçues"),
                ("completeness", "Complétude"),
                ("on_time", "À l'heure"),
            ),
            tuple((r[2], r[3], r[3] / r[2] if r[2] else None, r[4] / r[2] if r[2] else None) for r in rows),
            kind="measures",
            units=("count", "count", "percent", "percent"),
            counts_children=False,
            chart_column=1,
        )
    ]


def completeness_records(
    q: Query, table: str | None, row: str | None, column: str | None, limit: int, offset: int
) -> RecordPage:
    """Structures expected to report in the period (of a région when asked), most missing first."""
    rows = _weekly_rows(q, "structure", region=row)
    rows.sort(key=lambda r: (-(r[2] - r[3]), r[1]))
    return RecordPage(
        "Structures attendues",
        ("Structure", "Semaines attendues", "Reçues", "Manquantes", "À l'heure"),
        tuple((r[1], r[2], r[3], r[2] - r[3], r[4]) for r in rows[offset : offset + limit]),
        len(rows),
    )
