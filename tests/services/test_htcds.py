"""The request export against the Human Trafficking Case Data Standard's own field list.

tests/data/htcds_2.0_fields.csv is a copy of the standard's field list (its version and source in
its first lines): every exported column with a standard prefix must be a field of the standard, and
every value of a picklist column must be one of the standard's value names.
"""

import csv
import io
import re
from datetime import date, timedelta
from pathlib import Path

from openpyxl import load_workbook

from core.clock import paris_today
from models.child import ClosureReason, ExitReason, RequestStatus
from models.structure import ExploitationForm
from models.user import Role
from services.path import request_export
from services.path.placements import placement_exit
from services.report import htcds
from tests.factories import make_placed, make_request, make_structure, make_user

FIELDS_FILE = Path(__file__).parents[1] / "data" / "htcds_2.0_fields.csv"
STANDARD_PREFIX = re.compile(r"^(org|prs|vic|per|cas|cco|hte|spl|con)_[A-Z]")


def _standard() -> tuple[str, dict[str, tuple[str, list[str]]]]:
    text = FIELDS_FILE.read_text(encoding="utf-8")
    header = [line for line in text.splitlines() if line.startswith("#")]
    body = [line for line in text.splitlines() if not line.startswith("#")]
    fields = {r["field"]: (r["type"], [v for v in r["values"].split("|") if v]) for r in csv.DictReader(body)}
    return "\n".join(header), fields


def _check_row(row: dict, fields) -> list[str]:
    problems = []
    for column, value in row.items():
        if not STANDARD_PREFIX.match(column):
            continue
        if column not in fields:
            problems.append(f"{column}: not a field of the standard")
            continue
        kind, values = fields[column]
        if not values or value in ("", None):
            continue
        given = str(value).split(htcds.MULTI_SEPARATOR) if kind.startswith("Multiselect") else [str(value)]
        problems += [f"{column}: {v!r} not in the standard's values" for v in given if v not in values]
    return problems


def test_the_field_list_is_the_current_release():
    header, fields = _standard()
    assert f"version {htcds.HTCDS_VERSION}" in header and "github.com/UNMigration/HTCDS" in header
    assert "vic_ForcedLabourIndustry" in fields and "vic_TypeOfLabourExploitation" not in fields
    assert "ClosedReferred" in fields["cas_Status"][1]


def test_every_export_column_is_a_field_of_the_standard_or_a_local_one():
    _, fields = _standard()
    standard_columns = [c for c in request_export.EXPORT_COLUMNS if STANDARD_PREFIX.match(c)]
    assert [c for c in standard_columns if c not in fields] == []
    assert len(standard_columns) >= 6
    assert "vic_TypeOfLabourExploitation" not in request_export.EXPORT_COLUMNS


def test_every_mapping_gives_values_of_the_standard():
    _, fields = _standard()
    exploitation = fields["vic_TypeOfExploitation"][1]
    assert {htcds.EXPLOITATION_TYPE[f.value] for f in ExploitationForm} <= set(exploitation)
    assert set(htcds.FORCED_LABOUR_INDUSTRY.values()) <= set(fields["vic_ForcedLabourIndustry"][1])
    assert set(htcds.GENDER.values()) <= set(fields["prs_Gender"][1])
    statuses = {
        htcds.case_status(s.value, left=left, exit_reason=e.value, closure_reason=c.value)
        for s in RequestStatus
        for left in (False, True)
        for e in ExitReason
        for c in ClosureReason
    }
    assert statuses <= set(fields["cas_Status"][1])
    assert {"Active", "Closed", "ClosedReferred"} <= statuses


def test_exported_rows_hold_only_values_of_the_standard(db):
    _, fields = _standard()
    coordinator = make_user(Role.COORDINATION)
    structure = make_structure(exploitation_forms=[f.value for f in ExploitationForm])
    make_request(coordinator, exploitation_forms=[f.value for f in ExploitationForm])
    make_placed(structure.id, coordinator, exploitation_forms=["sexuelle", "delits", "domestique"])
    today = paris_today()
    _, left = make_placed(
        structure.id, coordinator, arrival_date=today - timedelta(days=5), exploitation_forms=["mendicite"], sex="M"
    )
    placement_exit(
        actor=coordinator, placement_id=left.id, expected_version=left.version, end_date=today, reason="transfert_ase"
    )
    rows = request_export.request_export_rows(actor=coordinator)
    assert len(rows) == 3
    assert [p for row in rows for p in _check_row(row, fields)] == []
    by_types = {row["vic_TypeOfExploitation"]: row for row in rows}
    assert len(by_types) == 3
    domestic = by_types["Other;Servitude;SexualExploitation"]
    assert domestic["vic_ForcedLabourIndustry"] == "T_ActivitiesOfHouseholdsAsEmployers"
    assert domestic["cas_Status"] == "Active"
    begging = by_types["ForcedBegging"]
    assert begging["cas_Status"] == "ClosedReferred" and begging["prs_Gender"] == "Masculine"
    assert isinstance(begging["date_sortie"], date)

    workbook = load_workbook(io.BytesIO(request_export.request_export(actor=coordinator, fmt="xlsx")))
    assert workbook.sheetnames == ["Sollicitations", "Notes"]
    sheet = workbook["Sollicitations"]
    header = [c.value for c in sheet[1]]
    assert header == request_export.EXPORT_COLUMNS
    for values in sheet.iter_rows(min_row=2, values_only=True):
        assert _check_row(dict(zip(header, values)), fields) == []
    date_column = header.index("cas_IncomingReferralDate") + 1
    assert sheet.cell(2, date_column).is_date and sheet.cell(2, date_column).number_format == "DD/MM/YYYY"
    notes = {row[0]: row[1] for row in workbook["Notes"].iter_rows(min_row=2, values_only=True)}
    assert "FR-93" in notes["vic_LocationOfExploitation"] and "locale" in notes["vic_LocationOfExploitation"]
    assert "version 2.0" in notes["Standard"]


def test_csv_keeps_departement_codes_and_iso_dates(db):
    coordinator = make_user(Role.COORDINATION)
    make_request(coordinator, requester_departement_code="09", exploitation_departement_code="2A")
    text = request_export.request_export(actor=coordinator, fmt="csv").decode("utf-8-sig")
    row = next(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert row["departement_demandeur"] == "FR-09" and row["vic_LocationOfExploitation"] == "FR-2A"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["cas_IncomingReferralDate"])
    assert row["date_sortie"] == ""
