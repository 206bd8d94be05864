"""Exported files carry what users typed as text, never as a formula; numbers stay numbers."""

import csv
import io

import pytest
from openpyxl import load_workbook

from core.errors import ValidationFailed
from core.spreadsheet import csv_cell, csv_unprotect
from models.structure import StructureCreate
from models.user import Role
from services.directory import structure_export as export
from services.directory import structure_import as importer
from services.directory import structure_rules as rules
from services.directory import structures
from services.report import annual as report
from services.report.export import SECTIONS_SHEET
from tests.factories import make_structure, make_user

HYPERLINK = '=HYPERLINK("http://host.example","clic")&"@x.fr'


@pytest.mark.parametrize("typed", ["=1+1", "+33 1", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_csv_cells_starting_like_a_formula_get_an_apostrophe(typed):
    assert csv_cell(typed) == "'" + typed
    assert csv_unprotect(csv_cell(typed)) == typed


def test_csv_leaves_numbers_and_ordinary_text_alone():
    assert [csv_cell(v) for v in (-3, 2.5, "Rennes", "", None)] == [-3, 2.5, "Rennes", "", None]


def _structure_values(**overrides):
    values = dict(
        name="Foyer",
        kind="mecs",
        departement_code="35",
        commune="Rennes",
        capacity=10,
        age_min=12,
        age_max=17,
        sexes=["F"],
        exploitation_forms=["sexuelle"],
        status="actif",
    )
    values.update(overrides)
    return StructureCreate(**values)


@pytest.mark.parametrize("email", [HYPERLINK, "=cmd@x.fr", "a@b", "a b@x.fr", "@x.fr"])
def test_structure_e_mail_must_be_an_address(db, email):
    with pytest.raises(ValidationFailed) as refused:
        structures.structure_create(actor=make_user(Role.COORDINATION), data=_structure_values(email=email))
    assert rules.EMAIL_INVALID in str(refused.value)


@pytest.mark.parametrize("phone", ["-1 23 45 67 89", "=0299000000", "+33 (0)2 99 00 00 00x"])
def test_structure_phone_must_be_a_number(db, phone):
    with pytest.raises(ValidationFailed) as refused:
        structures.structure_create(actor=make_user(Role.COORDINATION), data=_structure_values(phone=phone))
    assert rules.PHONE_INVALID in str(refused.value)


def test_directory_exports_hold_no_formula(db):
    coordinator = make_user(Role.COORDINATION)
    make_structure(name="=1+1", commune="@SUM(A1)", capacity=12, phone="+33 2 99 00 00 00")
    text = export.structure_export(actor=coordinator).decode("utf-8-sig")
    row = list(csv.reader(io.StringIO(text), delimiter=";"))[1]
    assert row[1] == "'=1+1" and "'@SUM(A1)" in row and "'+33 2 99 00 00 00" in row
    sheet = load_workbook(io.BytesIO(export.structure_export(actor=coordinator, file_format="xlsx"))).active
    cells = list(sheet.iter_rows(min_row=2, max_row=2))[0]
    typed = [c for c in cells if isinstance(c.value, str) and c.value[:1] in "=@+"]
    assert {c.value for c in typed} == {"=1+1", "@SUM(A1)", "+33 2 99 00 00 00"}
    assert all(c.data_type == "s" and c.quotePrefix for c in typed)
    assert 12 in [c.value for c in cells]  # a number stays a number


def test_exported_directory_comes_back_unchanged(db):
    coordinator = make_user(Role.COORDINATION)
    made = make_structure(name="=1+1", commune="-Rennes")
    for fmt in ("csv", "xlsx"):
        content = export.structure_export(actor=coordinator, file_format=fmt)
        assert importer.structure_import(actor=coordinator, content=content, filename=f"a.{fmt}").ok
        again = structures.structure_get(actor=coordinator, structure_id=made.id)
        assert (again.name, again.commune) == ("=1+1", "-Rennes")


def test_annual_report_section_starting_with_equals_is_text(db):
    coordinator = make_user(Role.COORDINATION)
    report.annual_report_section_save(
        actor=coordinator,
        year=2025,
        section="faits_marquants",
        text='=HYPERLINK("http://host.example","clic")',
        expected_version=None,
    )
    book = load_workbook(io.BytesIO(report.annual_report_xlsx(actor=coordinator, year=2025)))
    cell = next(c for row in book[SECTIONS_SHEET].iter_rows() for c in row if str(c.value).startswith("=HYPER"))
    assert cell.data_type == "s" and cell.quotePrefix
