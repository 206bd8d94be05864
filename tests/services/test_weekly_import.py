import io
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import Workbook

from core.access import SYSTEM
from core.errors import AccessDenied, ValidationFailed
from models.user import Role
from models.weekly import ReportStatus
from services.weekly import imports as weekly_import
from services.weekly import reports as weekly
from services.weekly import schedule
from services.weekly import validation as rules
from services.weekly.imports import HistoricReport
from services.weekly.schedule import WeekState
from tests.factories import make_structure, make_user, make_weekly_elements, make_weekly_report

NOW = datetime(2025, 3, 5, 10, 0, tzinfo=UTC)
THIS_WEEK = date(2025, 3, 3)
HEADER = "structure;semaine;places_disponibles;enfants_presents;arrivees;departs;fugues\n"


@pytest.fixture
def partner(db):
    make_weekly_elements()
    return make_user(Role.PARTENAIRE)


def _csv(*lines: str, header: str = HEADER) -> bytes:
    return (header + "\n".join(lines) + "\n").encode("utf-8")


def _states(actor, structure_id):
    return {
        w.week_start: w for w in schedule.weekly_week_list(actor=actor, structure_id=structure_id, count=5, now=NOW)
    }


def test_partner_imports_several_weeks_for_own_structure(partner):
    tuesday_morning = datetime(2025, 3, 4, 9, 0, tzinfo=UTC)
    report = weekly_import.weekly_import_file(
        actor=partner,
        filename="semaines.csv",
        now=tuesday_morning,
        content=_csv(
            ";2025-W07;2;8;1;1;0",
            ";S08 2025;3;7;0;1;0",
            ";27/02/2025;3;7;1;1;1",
        ),
    )
    assert report.ok and report.written == 3
    states = _states(partner, partner.structure_id)
    assert states[date(2025, 2, 10)].state == WeekState.SUBMITTED and states[date(2025, 2, 10)].submitted_late
    assert states[date(2025, 2, 24)].submitted_late is False  # due Tuesday 4 March at noon
    entry = weekly.weekly_entry_get(
        actor=partner, structure_id=partner.structure_id, week_start=date(2025, 2, 24), now=NOW
    )
    assert {r.code: r.value for r in entry.rows}["fugues"] == 1


def test_errors_listed_row_by_row_and_nothing_written(partner):
    other = make_structure(name="Autre maison")
    with pytest.raises(ValidationFailed) as raised:
        weekly_import.weekly_import_file(
            actor=partner,
            filename="x.csv",
            now=NOW,
            content=_csv(
                ";2025-W07;2;8;1;1;0",
                ";semaine 7;2;8;1;1;0",
                ";2025-W08;-1;8;1;1;0",
                "Autre maison;2025-W08;2;8;1;1;0",
                ";2025-W07;2;8;1;1;0",
                ";2025-W09;20;8;1;1;3",
                ";2025-W30;2;8;1;1;0",
            ),
        )
    faults = {(e.row, e.field, e.message) for e in raised.value.errors}
    assert (3, "semaine", weekly_import.WEEK_UNREADABLE) in faults
    assert (4, "Places disponibles", rules.NEGATIVE) in faults
    assert (5, "structure", weekly_import.STRUCTURE_OTHER) in faults
    assert (6, "semaine", weekly_import.DUPLICATE_ROW.format(line=2)) in faults
    assert (7, "Places disponibles", rules.ABOVE_CAPACITY.format(capacity=10)) in faults
    assert any(row == 7 and field == "Fugues" for row, field, _ in faults)
    assert (8, "semaine", weekly_import.WEEK_IN_FUTURE) in faults
    assert all(w.state in (WeekState.DUE, WeekState.OVERDUE) for w in _states(partner, partner.structure_id).values())
    assert other.id  # untouched


def test_unknown_column_and_missing_week_column(partner):
    with pytest.raises(ValidationFailed) as raised:
        weekly_import.weekly_import_file(
            actor=partner, filename="x.csv", now=NOW, content=_csv("1;2", header="structure;couleur\n")
        )
    assert {(e.field, e.message) for e in raised.value.errors} == {
        ("couleur", weekly_import.UNKNOWN_COLUMN),
        ("semaine", weekly_import.WEEK_COLUMN_MISSING),
    }


def test_required_value_missing_needs_comment_column(partner):
    header = "semaine;places_disponibles;enfants_presents;arrivees;departs;fugues;commentaire_arrivees\n"
    with pytest.raises(ValidationFailed, match=rules.REQUIRED_MISSING):
        weekly_import.weekly_import_file(
            actor=partner, filename="x.csv", now=NOW, content=_csv("2025-W08;2;8;;1;0;", header=header)
        )
    report = weekly_import.weekly_import_file(
        actor=partner, filename="x.csv", now=NOW, content=_csv("2025-W08;2;8;;1;0;registre perdu", header=header)
    )
    assert report.written == 1


def test_coordination_imports_xlsx_for_several_structures(partner):
    second = make_structure(name="Maison du Port", capacity=6)
    book = Workbook()
    sheet = book.active
    sheet.append(["Structure", "Semaine", "Places disponibles", "Enfants présents", "Arrivées", "Départs", "Fugues"])
    sheet.append([partner.structure_id, datetime(2025, 2, 19), 2, 8, 1, 1, 0])
    sheet.append(["maison du port", "2025-W08", 1, 5, 2, 0, 0])
    buffer = io.BytesIO()
    book.save(buffer)
    report = weekly_import.weekly_import_file(
        actor=SYSTEM, filename="chiffres.xlsx", content=buffer.getvalue(), now=NOW
    )
    assert report.written == 2
    assert _states(SYSTEM, second.id)[date(2025, 2, 17)].state == WeekState.SUBMITTED


def test_import_updates_an_existing_draft_and_refuses_locked_weeks(partner):
    sid = partner.structure_id
    make_weekly_report(sid, date(2025, 2, 24), now=NOW, submit=False, arrivees=0, departs=0)
    make_weekly_report(sid, date(2025, 1, 13), now=datetime(2025, 1, 20, tzinfo=UTC))
    with pytest.raises(ValidationFailed, match="verrouillée"):
        weekly_import.weekly_import_file(
            actor=partner, filename="x.csv", now=NOW, content=_csv(";2025-W09;2;8;1;1;0", ";2025-W03;2;8;1;1;0")
        )
    weekly_import.weekly_import_file(actor=partner, filename="x.csv", now=NOW, content=_csv(";2025-W09;2;8;2;2;0"))
    entry = weekly.weekly_entry_get(actor=partner, structure_id=sid, week_start=date(2025, 2, 24), now=NOW)
    assert entry.state == WeekState.SUBMITTED and entry.version == 2
    assert {r.code: r.value for r in entry.rows}["arrivees"] == 2


def test_unusual_values_need_confirmation_in_import(partner):
    sid = partner.structure_id
    for n in range(2, 8):
        week = THIS_WEEK - timedelta(weeks=n)
        make_weekly_report(
            sid, week, now=schedule.deadline_rule().deadline(week) - timedelta(hours=1), enfants_presents=2
        )
    content = _csv(";2025-W09;2;8;1;1;0")
    with pytest.raises(ValidationFailed, match="inhabituelle"):
        weekly_import.weekly_import_file(actor=partner, filename="x.csv", content=content, now=NOW)
    assert (
        weekly_import.weekly_import_file(
            actor=partner, filename="x.csv", content=content, now=NOW, confirm_unusual=True
        ).written
        == 1
    )


def test_template_lists_active_elements_and_imports_back(partner):
    template = weekly_import.weekly_import_template(actor=partner, weeks=2, now=NOW).decode("utf-8-sig")
    lines = template.splitlines()
    assert lines[0].startswith("structure;semaine;places_disponibles;enfants_presents")
    assert lines[2].endswith(";semaine 10 de 2025;;;;;;;;")  # in words; imports still read 2025-W10
    filled = lines[0] + "\n" + lines[1].replace(";;;;;;;;", ";2;8;1;1;0;;;") + "\n"
    assert (
        weekly_import.weekly_import_file(actor=partner, filename="m.csv", content=filled.encode(), now=NOW).written == 1
    )


def test_unknown_format_refused(partner):
    with pytest.raises(ValidationFailed, match="CSV ou XLSX"):
        weekly_import.weekly_import_file(actor=partner, filename="x.pdf", content=b"%PDF", now=NOW)


def test_funder_cannot_import(partner):
    with pytest.raises(AccessDenied):
        weekly_import.weekly_import_file(actor=make_user(Role.FINANCEUR), filename="x.csv", content=_csv(), now=NOW)


def test_history_load_writes_past_reports_in_bulk(partner):
    sid = partner.structure_id
    values = dict(places_disponibles=2, enfants_presents=8, arrivees=1, departs=1, fugues=0)
    week = date(2025, 1, 6)
    written = weekly_import.weekly_history_load(
        actor=SYSTEM,
        now=NOW,
        reports=[
            HistoricReport(
                sid,
                week,
                values,
                ReportStatus.APPROVED.value,
                submitted_at=datetime(2025, 1, 13, 9, tzinfo=UTC),
            ),
            HistoricReport(
                sid,
                week + timedelta(weeks=1),
                values,
                ReportStatus.SUBMITTED.value,
                submitted_at=datetime(2025, 1, 30, tzinfo=UTC),
            ),
        ],
    )
    assert written == 2
    states = {w.week_start: w for w in schedule.weekly_week_list(actor=partner, structure_id=sid, count=10, now=NOW)}
    assert states[week].state == WeekState.APPROVED and states[week].submitted_late is False
    assert states[week + timedelta(weeks=1)].submitted_late is True
    with pytest.raises(ValidationFailed, match=weekly_import.REPORT_EXISTS):
        weekly_import.weekly_history_load(
            actor=SYSTEM,
            now=NOW,
            reports=[HistoricReport(sid, week, values, submitted_at=datetime(2025, 1, 13, tzinfo=UTC))],
        )
    with pytest.raises(AccessDenied):
        weekly_import.weekly_history_load(actor=partner, now=NOW, reports=[])
