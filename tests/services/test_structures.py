import csv
import io
from datetime import date, timedelta

import pytest
from openpyxl import Workbook, load_workbook

from core.access import SYSTEM
from core.clock import paris_today
from core.errors import AccessDenied, ConcurrentEdit, NotFound, ValidationFailed
from models.structure import NetworkStatus, StructureCreate, StructureUpdate
from models.user import Role
from services.directory import structure_export as export
from services.directory import structure_import as importer
from services.directory import structure_listing as listing
from services.directory import structure_rules as rules
from services.directory import structures
from services.directory.structure_listing import StructureFilters
from tests.factories import make_structure, make_user

TODAY = paris_today()


def _data(**overrides) -> StructureCreate:
    values = dict(
        name="MECS Le Phare",
        kind="mecs",
        departement_code="29",
        commune="Quimper",
        capacity=8,
        age_min=12,
        age_max=17,
        sexes=["F"],
        exploitation_forms=["sexuelle"],
        services=["psy"],
        status="actif",
        joined_on=date(2024, 3, 1),
        phone="02 98 00 00 00",
        email="accueil@phare.fr",
    )
    values.update(overrides)
    return StructureCreate(**values)


def test_create_and_get(db):
    coordinator = make_user(Role.COORDINATION)
    created = structures.structure_create(actor=coordinator, data=_data(email="  Accueil@Phare.fr "))
    got = structures.structure_get(actor=coordinator, structure_id=created.id)
    assert got.name == "MECS Le Phare" and got.email == "accueil@phare.fr" and got.version == 1
    history = structures.structure_status_history(actor=coordinator, structure_id=created.id)
    assert [(h.status, h.effective_on) for h in history] == [("actif", date(2024, 3, 1))]


def test_create_lists_every_fault_in_french(db):
    coordinator = make_user(Role.COORDINATION)
    make_structure(name="Doublon")
    bad = StructureCreate.model_construct(
        **{
            **_data().model_dump(),
            "name": "doublon",
            "kind": "hotel",
            "departement_code": "2C",
            "commune": " ",
            "capacity": -2,
            "age_min": 16,
            "age_max": 12,
            "sexes": [],
            "exploitation_forms": [],
            "phone": "appelez-nous",
            "email": "pas-un-email",
            "joined_on": TODAY + timedelta(days=3),
        }
    )
    with pytest.raises(ValidationFailed) as raised:
        structures.structure_create(actor=coordinator, data=bad)
    messages = {e.field: e.message for e in raised.value.errors}
    assert messages["Nom"] == rules.NAME_TAKEN
    assert messages["Type"] == rules.UNKNOWN_KIND
    assert messages["Département"].startswith(rules.UNKNOWN_DEPARTEMENT)
    assert messages["Commune"] == rules.COMMUNE_REQUIRED
    assert messages["Places"] == rules.CAPACITY_NEGATIVE
    assert messages["Âge minimum"] == rules.AGES_ORDER
    assert messages["Sexes accueillis"] == rules.SEXES_REQUIRED
    assert messages["Formes d'exploitation"] == rules.FORMS_REQUIRED
    assert messages["Téléphone"] == rules.PHONE_INVALID
    assert messages["E-mail"] == rules.EMAIL_INVALID
    assert messages["Date d'adhésion"] == rules.FUTURE_DATE
    assert listing.structure_list(actor=coordinator).total == 1


@pytest.mark.parametrize("role", [Role.PARTENAIRE, Role.FINANCEUR])
def test_only_coordination_creates(db, role):
    with pytest.raises(AccessDenied):
        structures.structure_create(actor=make_user(role), data=_data())


def test_funder_cannot_read_the_directory(db):
    funder = make_user(Role.FINANCEUR)
    with pytest.raises(AccessDenied):
        listing.structure_list(actor=funder)
    with pytest.raises(AccessDenied):
        export.structure_export(actor=funder)


def test_coordination_edits_everything_and_status_history_follows(db):
    coordinator = make_user(Role.COORDINATION)
    s = make_structure(name="Foyer", joined_on=date(2024, 1, 1))
    updated = structures.structure_update(
        actor=coordinator,
        structure_id=s.id,
        expected_version=s.version,
        changes=StructureUpdate(
            name="Foyer Les Cèdres",
            departement_code="971",
            status="suspendu",
            status_changed_on=TODAY - timedelta(days=5),
        ),
    )
    assert (updated.name, updated.departement_code, updated.status) == ("Foyer Les Cèdres", "971", "suspendu")
    history = structures.structure_status_history(actor=coordinator, structure_id=s.id)
    assert [h.status for h in history] == ["actif", "suspendu"]
    left = structures.structure_update(
        actor=coordinator, structure_id=s.id, expected_version=updated.version, changes=StructureUpdate(status="sorti")
    )
    assert left.left_on == TODAY
    with pytest.raises(ValidationFailed, match=rules.CHANGE_BEFORE_LAST):
        structures.structure_update(
            actor=coordinator,
            structure_id=s.id,
            expected_version=left.version,
            changes=StructureUpdate(status="actif", status_changed_on=date(2024, 6, 1)),
        )


def test_partner_edits_own_contact_and_capacity(db):
    own = make_structure(name="La mienne")
    partner = make_user(Role.PARTENAIRE, structure_id=own.id)
    updated = structures.structure_update(
        actor=partner,
        structure_id=own.id,
        expected_version=own.version,
        changes=StructureUpdate(phone="01 23 45 67 89", email="standard@mienne.fr", capacity=12),
    )
    assert (updated.phone, updated.email, updated.capacity) == ("01 23 45 67 89", "standard@mienne.fr", 12)
    assert updated.contact_checked_on == TODAY


@pytest.mark.parametrize(
    "changes",
    [
        {"name": "Nouveau nom"},
        {"status": "sorti"},
        {"departement_code": "75"},
        {"capacity": 3, "age_min": 6},
    ],
)
def test_partner_cannot_edit_other_fields(db, changes):
    own = make_structure()
    partner = make_user(Role.PARTENAIRE, structure_id=own.id)
    with pytest.raises(AccessDenied, match="ne peut modifier que son contact"):
        structures.structure_update(
            actor=partner, structure_id=own.id, expected_version=own.version, changes=StructureUpdate(**changes)
        )
    assert structures.structure_get(actor=partner, structure_id=own.id) == own


@pytest.mark.parametrize("role", [Role.PARTENAIRE, Role.FINANCEUR])
def test_other_structure_cannot_be_edited(db, role):
    other = make_structure(name="Une autre")
    actor = make_user(role)
    with pytest.raises(AccessDenied):
        structures.structure_update(
            actor=actor,
            structure_id=other.id,
            expected_version=other.version,
            changes=StructureUpdate(phone="01 23 45 67 89"),
        )
    with pytest.raises(AccessDenied):
        structures.structure_confirm_contact(actor=actor, structure_id=other.id)
    assert structures.structure_get(actor=SYSTEM, structure_id=other.id).phone is None


def test_concurrent_edit_refused(db):
    coordinator = make_user(Role.COORDINATION)
    s = make_structure()
    structures.structure_update(
        actor=coordinator, structure_id=s.id, expected_version=s.version, changes=StructureUpdate(capacity=20)
    )
    with pytest.raises(ConcurrentEdit) as raised:
        structures.structure_update(
            actor=coordinator,
            structure_id=s.id,
            expected_version=s.version,
            changes=StructureUpdate(capacity=5),
            seen={"capacity": 10},
        )
    assert [c.field for c in raised.value.changes] == ["Places"]


def test_update_unknown_structure(db):
    with pytest.raises(NotFound):
        structures.structure_update(
            actor=make_user(Role.COORDINATION),
            structure_id=999,
            expected_version=1,
            changes=StructureUpdate(capacity=1),
        )


def test_confirm_contact_and_reminder(db):
    own = make_structure()
    partner = make_user(Role.PARTENAIRE, structure_id=own.id)
    assert structures.structure_contact_to_check(actor=partner, months=12)
    structures.structure_confirm_contact(actor=partner, structure_id=own.id)
    assert not structures.structure_contact_to_check(actor=partner, months=12)


def test_list_filters_and_pages_in_sql(db):
    coordinator = make_user(Role.COORDINATION)
    make_structure(name="Alpha", departement_code="35", capacity=4, kind="mecs", exploitation_forms=["travail"])
    make_structure(name="Bravo", departement_code="29", capacity=6, kind="foyer", status="suspendu")
    make_structure(name="Charlie", departement_code="974", commune="Saint-Denis", capacity=8)
    make_structure(name="Delta", departement_code="13", commune="Marseille", capacity=10, status="adhesion")
    page = listing.structure_list(actor=coordinator, limit=2)
    assert page.total == 4 and page.places == 28 and [r.name for r in page.rows] == ["Alpha", "Bravo"]
    assert [r.name for r in listing.structure_list(actor=coordinator, limit=2, offset=2).rows] == [
        "Charlie",
        "Delta",
    ]

    def names(**kw):
        return [r.name for r in listing.structure_list(actor=coordinator, filters=StructureFilters(**kw)).rows]

    assert names(region_code="53") == ["Alpha", "Bravo"]
    assert names(departement_code="29") == ["Bravo"]
    assert names(kind="foyer") == ["Bravo"]
    assert names(status="actif") == ["Alpha", "Charlie"]
    assert names(exploitation_form="travail") == ["Alpha"]
    assert names(overseas_only=True) == ["Charlie"]
    assert names(search="marseil") == ["Delta"]
    assert names(search="réunion") == ["Charlie"]


def test_partner_reads_the_whole_directory(db):
    own = make_structure(name="A")
    make_structure(name="B")
    partner = make_user(Role.PARTENAIRE, structure_id=own.id)
    page = listing.structure_list(actor=partner)
    assert page.total == 2 and page.compliance == {}


# --- export / import -------------------------------------------------------------------------


def _csv(rows: list[list], header: list[str] | None = None) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(
        header
        or [
            "N°",
            "Nom",
            "Type",
            "Département",
            "Commune",
            "Places",
            "Âge minimum",
            "Âge maximum",
            "Sexes accueillis",
            "Formes d'exploitation",
            "Statut",
            "Date d'adhésion",
            "Téléphone",
            "E-mail",
        ]
    )
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


GOOD = [
    "",
    "Lieu de vie Nouveau",
    "Lieu de vie et d'accueil",
    "48",
    "Mende",
    "6",
    "12",
    "17",
    "Fille, Garçon",
    "Exploitation sexuelle, Mendicité forcée",
    "Active",
    "01/02/2024",
    "04 66 00 00 00",
    "contact@nouveau.fr",
]


def test_export_csv_and_xlsx(db):
    coordinator = make_user(Role.COORDINATION)
    make_structure(name="Alpha", departement_code="971", joined_on=date(2024, 5, 2))
    make_structure(name="Bravo", status="suspendu")
    text = export.structure_export(actor=coordinator, filters=StructureFilters(status="actif")).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:4] == ["N°", "Nom", "Type", "Département"]
    assert len(rows) == 2 and rows[1][1] == "Alpha" and rows[1][3] == "971" and "02/05/2024" in rows[1]
    book = load_workbook(io.BytesIO(export.structure_export(actor=coordinator, file_format="xlsx")))
    values = list(book.active.iter_rows(values_only=True))
    assert len(values) == 3 and values[1][1] == "Alpha"


def test_import_creates_and_updates(db):
    coordinator = make_user(Role.COORDINATION)
    existing = make_structure(name="Existante", capacity=5)
    update = [
        str(existing.id),
        "Existante",
        "MECS",
        "35",
        "Rennes",
        "9",
        "12",
        "17",
        "Fille",
        "Exploitation sexuelle",
        "Active",
        "01/01/2024",
        "",
        "",
    ]
    report = importer.structure_import(actor=coordinator, content=_csv([GOOD, update]), filename="a.csv")
    assert report.ok and report.written == 2
    created = [r for r in listing.structure_list(actor=coordinator).rows if r.name == "Lieu de vie Nouveau"][0]
    assert (created.departement_code, created.kind, created.sexes) == ("48", "lieu_de_vie", ["F", "M"])
    assert created.exploitation_forms == ["mendicite", "sexuelle"] and created.joined_on == date(2024, 2, 1)
    assert structures.structure_get(actor=coordinator, structure_id=existing.id).capacity == 9


def test_export_then_import_round_trip_changes_nothing(db):
    coordinator = make_user(Role.COORDINATION)
    make_structure(name="Alpha", services=["psy", "sante"], phone="01 02 03 04 05")
    make_structure(name="Bravo", status="sorti", joined_on=date(2024, 1, 1), left_on=date(2024, 6, 1))
    before = listing.structure_list(actor=coordinator).rows
    for fmt in ("csv", "xlsx"):
        content = export.structure_export(actor=coordinator, file_format=fmt)
        report = importer.structure_import(actor=coordinator, content=content, filename=f"annuaire.{fmt}")
        assert report.ok, report.errors
        assert listing.structure_list(actor=coordinator).rows == before


def test_bad_import_changes_nothing_and_lists_every_row(db):
    coordinator = make_user(Role.COORDINATION)
    make_structure(name="Déjà là")
    rows = [
        GOOD,
        [
            "",
            "Sans département",
            "MECS",
            "2C",
            "Ici",
            "4",
            "12",
            "17",
            "Fille",
            "Exploitation sexuelle",
            "Active",
            "",
            "",
            "",
        ],
        [
            "",
            "Déjà là",
            "MECS",
            "35",
            "Rennes",
            "4",
            "12",
            "17",
            "Fille",
            "Exploitation sexuelle",
            "Active",
            "",
            "",
            "",
        ],
        [
            "",
            "Négative",
            "MECS",
            "35",
            "Rennes",
            "-3",
            "12",
            "17",
            "Fille",
            "Exploitation sexuelle",
            "Active",
            "",
            "",
            "",
        ],
        [
            "",
            "Lieu de vie Nouveau",
            "Hôtel",
            "35",
            "Rennes",
            "quatre",
            "12",
            "17",
            "Fille",
            "Vol",
            "Active",
            "32/13/2024",
            "",
            "x@",
        ],
        [
            "999",
            "Fantôme",
            "MECS",
            "35",
            "Rennes",
            "4",
            "12",
            "17",
            "Fille",
            "Exploitation sexuelle",
            "Active",
            "",
            "",
            "",
        ],
    ]
    report = importer.structure_import(actor=coordinator, content=_csv(rows), filename="a.csv")
    assert not report.ok and report.written == 0
    by_row = {}
    for error in report.errors:
        by_row.setdefault(error.row, []).append(error.message)
    assert sorted(by_row) == [3, 4, 5, 6, 7]
    assert any(rules.UNKNOWN_DEPARTEMENT in m for m in by_row[3])
    assert rules.NAME_TAKEN in by_row[4]
    assert rules.CAPACITY_NEGATIVE in by_row[5]
    row6 = " | ".join(by_row[6])
    for expected in (
        importer.NAME_REPEATED,
        rules.UNKNOWN_KIND,
        rules.INTEGER_EXPECTED,
        rules.UNKNOWN_CODE,
        importer.DATE_EXPECTED,
        rules.EMAIL_INVALID,
    ):
        assert expected in row6
    assert any(importer.UNKNOWN_ID in m for m in by_row[7])
    assert all(str(e).startswith(f"ligne {e.row} — ") for e in report.errors)
    assert [r.name for r in listing.structure_list(actor=coordinator).rows] == ["Déjà là"]


def test_import_xlsx_with_numeric_cells_and_missing_columns(db):
    coordinator = make_user(Role.COORDINATION)
    book = Workbook()
    sheet = book.active
    sheet.append(
        [
            "Nom",
            "Type",
            "Département",
            "Commune",
            "Places",
            "Statut",
            "Sexes accueillis",
            "Formes d'exploitation",
            "Date d'adhésion",
        ]
    )
    sheet.append(["Foyer de l'Ain", "foyer", 1, "Bourg-en-Bresse", 7, "actif", "F", "sexuelle", date(2024, 4, 1)])
    out = io.BytesIO()
    book.save(out)
    report = importer.structure_import(actor=coordinator, content=out.getvalue(), filename="x.xlsx")
    assert report.ok, report.errors
    row = listing.structure_list(actor=coordinator).rows[0]
    assert (row.departement_code, row.capacity, row.joined_on) == ("01", 7, date(2024, 4, 1))
    report = importer.structure_import(actor=coordinator, content=_csv([["x"]], header=["Nom"]), filename="b.csv")
    assert not report.ok and all(e.row == 1 and importer.MISSING_COLUMN in e.message for e in report.errors)


@pytest.mark.parametrize("role", [Role.PARTENAIRE, Role.FINANCEUR])
def test_only_coordination_imports(db, role):
    with pytest.raises(AccessDenied):
        importer.structure_import(actor=make_user(role), content=_csv([GOOD]), filename="a.csv")


def test_create_sets_dates_of_left_structure(db):
    s = make_structure(status=NetworkStatus.LEFT.value, joined_on=date(2024, 1, 1), left_on=date(2024, 9, 1))
    history = structures.structure_status_history(actor=SYSTEM, structure_id=s.id)
    assert [(h.status, h.effective_on) for h in history] == [("actif", date(2024, 1, 1)), ("sorti", date(2024, 9, 1))]
