import io
from datetime import date, timedelta

import pytest
from openpyxl import Workbook

from core.clock import paris_today
from core.errors import AccessDenied, ValidationFailed
from models.user import Role
from services.training import imports as imp
from services.training import session_listing as listing
from services.training import sessions
from services.training.indicators import training_totals
from tests.factories import make_module, make_structure, make_user

HEADER = (
    "Date de début;Date de fin;Module;Organisme formateur;Formateur;Lieu;Heures;Structures;"
    "Éducateur spécialisé;Psychologue;Police ou gendarmerie;Satisfaction;Commentaire"
)


def _csv(*lines: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode("utf-8")


@pytest.fixture
def catalogue(db):
    make_structure(name="MECS Le Phare — Nice", departement_code="06")
    make_structure(name="Lieu de vie La Clairière", departement_code="35")
    make_module(title="Repérage des victimes", duration_min_hours=6, duration_max_hours=7)
    make_module(title="Travail avec interprète", duration_min_hours=3, duration_max_hours=3.5)
    return make_user(Role.COORDINATION)


def test_csv_import_writes_every_session(catalogue):
    content = _csv(
        "12/03/2024;12/03/2024;Repérage des victimes;Institut A;;35;7;Lieu de vie La Clairière;6;2;;4;Très concret",
        "2024-04-02;2024-04-02;travail avec interprète;Institut B;M. Durand;à distance;3,5;"
        '"MECS Le Phare — Nice ; lieu de vie la clairière";3;;1;;',
        ";;;;;;;;;;;;",  # blank line: skipped
        "05/06/2024;06/06/2024;Repérage des victimes;Institut A;;06 — Alpes-Maritimes;6;;;;5;;",
    )
    rows = imp.training_import_read(content=content, filename="sessions.csv")
    assert [r.line for r in rows] == [2, 3, 5]
    report = imp.training_session_import(actor=catalogue, rows=rows)
    assert report.ok and report.written == 3
    page = listing.training_session_list(actor=catalogue)
    assert [(r.module_title, r.place, r.participants, r.structures) for r in page.rows] == [
        ("Repérage des victimes", "06 — Alpes-Maritimes", 5, 0),
        ("Travail avec interprète", "À distance", 4, 2),
        ("Repérage des victimes", "35 — Ille-et-Vilaine", 8, 1),
    ]
    assert {r.status for r in page.rows} == {"realisee"}
    assert training_totals(actor=catalogue).person_hours == 8 * 7 + 4 * 3.5 + 5 * 6


def test_import_is_all_or_nothing_with_every_faulty_line(catalogue):
    tomorrow = (paris_today() + timedelta(days=1)).strftime("%d/%m/%Y")
    content = _csv(
        "12/03/2024;12/03/2024;Repérage des victimes;Institut A;;35;7;;6;;;;",  # fine
        "12/03/2024;11/03/2024;Repérage des victimes;Institut C;;35;12;;-2;;;;",  # dates, hours, negative, none
        f"{tomorrow};{tomorrow};Repérage des victimes;Institut A;;35;7;;3;;;;",  # in the future
        "32/13/2024;;Module fantôme;;;Atlantide;sept;Structure inconnue;deux;;;9;",  # unreadable cells
    )
    report = imp.training_session_import(
        actor=catalogue, rows=imp.training_import_read(content=content, filename="s.csv")
    )
    assert not report.ok and report.written == 0
    found = {(e.row, e.field, e.message) for e in report.errors}
    assert found == {
        (3, "Date de fin", sessions.END_BEFORE_START),
        (3, "Heures", sessions.HOURS_OUT_OF_RANGE.format(hours="12", low="6", high="7")),
        (3, "Participants « Éducateur spécialisé »", sessions.PARTICIPANTS_NEGATIVE),
        (3, "Participants", sessions.PARTICIPANTS_REQUIRED),
        (4, "Statut", sessions.DELIVERED_IN_FUTURE),
        (5, "Date de début", imp.DATE_INVALID.format(value="32/13/2024")),
        (5, "Date de fin", sessions.DATE_REQUIRED),
        (5, "Module", imp.UNKNOWN_MODULE_TITLE.format(value="Module fantôme")),
        (5, "Organisme formateur", sessions.TRAINER_REQUIRED),
        (5, "Lieu", imp.UNKNOWN_PLACE.format(value="Atlantide")),
        (5, "Heures", imp.NUMBER_INVALID.format(value="sept")),
        (5, "Structures", imp.UNKNOWN_STRUCTURE_NAME.format(value="Structure inconnue")),
        (5, "Participants « Éducateur spécialisé »", imp.WHOLE_NUMBER_INVALID.format(value="deux")),
        (5, "Participants", sessions.PARTICIPANTS_REQUIRED),
        (5, "Satisfaction", sessions.SATISFACTION_RANGE),
    }
    assert str(report.errors[0]).startswith("ligne 3 — ")
    assert listing.training_session_list(actor=catalogue).total == 0


def test_same_session_twice_refused(catalogue):
    line = "12/03/2024;12/03/2024;Repérage des victimes;Institut A;;35;7;;6;;;;"
    report = imp.training_session_import(
        actor=catalogue, rows=imp.training_import_read(content=_csv(line, line), filename="s.csv")
    )
    assert [(e.row, e.message) for e in report.errors] == [(3, imp.DUPLICATE_ROW.format(other=2))]
    assert imp.training_session_import(
        actor=catalogue, rows=imp.training_import_read(content=_csv(line), filename="s.csv")
    ).ok
    again = imp.training_session_import(
        actor=catalogue, rows=imp.training_import_read(content=_csv(line), filename="s.csv")
    )
    assert [e.message for e in again.errors] == [imp.DUPLICATE_SESSION]
    assert listing.training_session_list(actor=catalogue).total == 1


def test_xlsx_import_with_real_dates_and_numbers(catalogue):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(";"))
    sheet.append(
        [
            date(2024, 9, 3),
            date(2024, 9, 3),
            "Repérage des victimes",
            "Institut A",
            None,
            "35",
            6.5,
            None,
            7,
            1,
            None,
            5,
            None,
        ]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    rows = imp.training_import_read(content=buffer.getvalue(), filename="sessions.XLSX")
    report = imp.training_session_import(actor=catalogue, rows=rows)
    assert report.ok and report.written == 1
    detail = sessions.training_session_get(
        actor=catalogue, session_id=listing.training_session_list(actor=catalogue).rows[0].id
    )
    assert (detail.start_date, detail.hours, detail.participant_total, detail.satisfaction) == (
        date(2024, 9, 3),
        6.5,
        8,
        5,
    )


def test_file_level_faults(catalogue):
    with pytest.raises(ValidationFailed) as raised:
        imp.training_import_read(content=_csv("x", header="Début;Module;Couleur"), filename="s.csv")
    messages = {e.message for e in raised.value.errors}
    assert imp.UNKNOWN_COLUMN.format(column="Couleur") in messages
    assert imp.MISSING_COLUMN.format(column="Date de fin") in messages
    assert imp.NO_PROFILE_COLUMN in messages
    with pytest.raises(ValidationFailed, match=imp.FILE_EMPTY):
        imp.training_import_read(content=_csv(), filename="s.csv")
    with pytest.raises(ValidationFailed, match="illisible"):
        imp.training_import_read(content=b"not a workbook", filename="s.xlsx")


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_template_reads_back(catalogue, file_format):
    rows = imp.training_import_read(
        content=imp.training_import_template(file_format=file_format), filename=f"modele.{file_format}"
    )
    assert len(rows) == 1 and rows[0].values["profile:educateur_specialise"] in ("6", 6)


@pytest.mark.parametrize("role", [Role.PARTENAIRE, Role.FINANCEUR])
def test_only_coordination_imports(catalogue, role):
    rows = imp.training_import_read(
        content=_csv("12/03/2024;12/03/2024;Repérage des victimes;I;;35;7;;6;;;;"), filename="s.csv"
    )
    with pytest.raises(AccessDenied):
        imp.training_session_import(actor=make_user(role), rows=rows)
