"""Annual report: the qualitative sections (versioned, audited) and the report files."""

from datetime import UTC, date
from io import BytesIO

import pytest
from openpyxl import load_workbook

from core.errors import AccessDenied, ConcurrentEdit, ValidationFailed
from models.user import Role
from services.admin.audit import audit_list
from services.indicators.catalogue import indicator_list, indicator_overview
from services.indicators.territories import TERRITORY_CAVEAT
from services.periods import period_of
from services.report import annual as report
from services.report.export import SECTIONS_SHEET, SUMMARY_SHEET
from tests.factories import make_module, make_request, make_session, make_structure, make_user

YEAR = 2025


def test_sections_start_empty_then_save_with_versions_and_audit(db):
    coordinator = make_user(Role.COORDINATION)
    sections = report.annual_report_sections(actor=coordinator, year=YEAR)
    assert [s.section for s in sections] == [
        "faits_marquants",
        "difficultes",
        "partenariats",
        "strategie_formation",
        "perspectives",
    ]
    assert all(s.version is None and s.text == "" for s in sections)
    first = report.annual_report_section_save(
        actor=coordinator,
        year=YEAR,
        section="faits_marquants",
        text="  Ouverture de 4 structures en outre-mer.  ",
        expected_version=None,
    )
    assert first.version == 1 and first.text == "Ouverture de 4 structures en outre-mer."
    second = report.annual_report_section_save(
        actor=coordinator, year=YEAR, section="faits_marquants", text="Ouverture de 5 structures.", expected_version=1
    )
    assert second.version == 2
    history = report.annual_report_section_history(actor=coordinator, year=YEAR, section="faits_marquants")
    assert [h.text for h in history] == ["Ouverture de 5 structures.", "Ouverture de 4 structures en outre-mer."]
    assert {h.author for h in history} == {coordinator.display_name}
    assert audit_list(actor=coordinator, entity="annual_report_sections").total == 2


def test_a_stale_version_is_refused_and_nothing_is_written(db):
    coordinator = make_user(Role.COORDINATION)
    report.annual_report_section_save(
        actor=coordinator, year=YEAR, section="difficultes", text="A", expected_version=None
    )
    report.annual_report_section_save(actor=coordinator, year=YEAR, section="difficultes", text="B", expected_version=1)
    with pytest.raises(ConcurrentEdit):
        report.annual_report_section_save(
            actor=coordinator, year=YEAR, section="difficultes", text="C", expected_version=1
        )
    with pytest.raises(ConcurrentEdit):  # opened when empty, someone wrote it meanwhile
        report.annual_report_section_save(
            actor=coordinator, year=YEAR, section="difficultes", text="D", expected_version=None
        )
    texts = {s.section: s.text for s in report.annual_report_sections(actor=coordinator, year=YEAR)}
    assert texts["difficultes"] == "B"


def test_bad_input_is_refused_with_every_fault(db):
    with pytest.raises(ValidationFailed) as refused:
        report.annual_report_section_save(
            actor=make_user(Role.COORDINATION), year=1990, section="inconnue", text="x", expected_version=None
        )
    assert {e.message for e in refused.value.errors} == {report.YEAR_INVALID, report.SECTION_UNKNOWN}
    with pytest.raises(ValidationFailed) as refused:
        report.annual_report_section_save(
            actor=make_user(Role.COORDINATION),
            year=YEAR,
            section="perspectives",
            text="x" * (report.TEXT_LIMIT + 1),
            expected_version=None,
        )
    assert refused.value.errors[0].message == report.TEXT_TOO_LONG


@pytest.mark.parametrize("role", [Role.PARTENAIRE, Role.FINANCEUR])
def test_only_the_coordination_writes_the_report(db, role):
    with pytest.raises(AccessDenied):
        report.annual_report_section_save(
            actor=make_user(role), year=YEAR, section="perspectives", text="x", expected_version=None
        )


def test_partner_reads_no_report(db):
    partner = make_user(Role.PARTENAIRE)
    with pytest.raises(AccessDenied):
        report.annual_report_sections(actor=partner, year=YEAR)
    with pytest.raises(AccessDenied):
        report.annual_report_xlsx(actor=partner, year=YEAR)


@pytest.fixture
def year_data(db):
    """2025: structures in 35 (active) and 971 (active); one session in 35 on 10/03/2025 with 6 éducateurs
    and 2 psychologues (8 professionals); 2024: one session with 4 (so the change is +4)."""
    s1 = make_structure(name="S1", departement_code="35", joined_on=date(2024, 1, 1))
    make_structure(name="S2", departement_code="971", joined_on=date(2024, 1, 1))
    module = make_module(title="Repérage")
    make_session(
        module.id,
        day=date(2025, 3, 10),
        participants={"educateur_specialise": 6, "psychologue": 2},
        structure_ids=[s1.id],
    )
    make_session(module.id, day=date(2024, 6, 10), participants={"educateur_specialise": 4})
    coordinator = make_user(Role.COORDINATION)
    report.annual_report_section_save(
        actor=coordinator,
        year=YEAR,
        section="partenariats",
        text="Convention signée avec <le> département 35 & 971.",
        expected_version=None,
    )
    return coordinator


def test_workbook_holds_a_sheet_per_indicator_with_the_dashboard_numbers(year_data):
    coordinator = year_data
    book = load_workbook(BytesIO(report.annual_report_xlsx(actor=coordinator, year=YEAR)))
    infos = indicator_list(actor=coordinator)
    assert book.sheetnames[0] == SUMMARY_SHEET
    assert len([n for n in book.sheetnames if n[:2].isdigit()]) == len(infos)
    assert SECTIONS_SHEET in book.sheetnames
    summary = {row[0]: row for row in book[SUMMARY_SHEET].iter_rows(min_row=7, values_only=True) if row[0]}
    dashboard = indicator_overview(actor=coordinator, period=period_of("annee", date(YEAR, 1, 1)), protected=True)
    for view in dashboard:
        if view.headline is None:
            continue
        expected = view.headline.value.value if view.headline.value.value is not None else view.headline.value.text
        if view.info.unit == "%" and view.headline.value.value is not None:
            expected = round(expected, 4)
        assert summary[view.info.number][2] == expected, view.info.key
    assert summary[6][2] == 8 and summary[6][3] == 4 and summary[6][4] == "+4"
    assert summary[5][2] == 2
    trained = book["06 Professionnels formés"]
    cells = [row for row in trained.iter_rows(values_only=True)]
    assert any(row[0] == "Définition" and "Participants des sessions" in row[1] for row in cells)
    assert any(row[:2] == ("Éducateur spécialisé", 6) for row in cells)
    sections = {row[0]: row[1] for row in book[SECTIONS_SHEET].iter_rows(values_only=True)}
    assert sections["Partenariats"] == "Convention signée avec <le> département 35 & 971."


def test_printable_report_is_self_contained_and_escaped(year_data):
    text = report.annual_report_html(actor=year_data, year=YEAR)
    assert (
        text.startswith("<!DOCTYPE html>")
        and "<script" not in text
        and "http" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "")
    )
    assert "@page" in text and "<svg" in text
    assert "Convention signée avec &lt;le&gt; département 35 &amp; 971." in text
    assert "Le nombre de départements couverts par le réseau, notamment en outre-mer" in text
    assert "Rapport annuel d'évaluation 2025" in text


def test_funder_limited_to_a_departement_gets_his_territory_only(year_data):
    funder = make_user(Role.FINANCEUR, departement_code="971")
    book = load_workbook(BytesIO(report.annual_report_xlsx(actor=funder, year=YEAR)))
    summary = {row[0]: row for row in book[SUMMARY_SHEET].iter_rows(min_row=7, values_only=True) if row[0]}
    assert summary[5][2] == 1  # only 971 covered
    assert summary[6][2] == 0  # the session was held in 35
    assert "Guadeloupe" in book[SUMMARY_SHEET]["A4"].value
    assert TERRITORY_CAVEAT in book[SUMMARY_SHEET]["A4"].value  # orientations and placements counted apart
    assert TERRITORY_CAVEAT in report.annual_report_html(actor=funder, year=YEAR)
    national = load_workbook(BytesIO(report.annual_report_xlsx(actor=make_user(Role.FINANCEUR), year=YEAR)))
    assert TERRITORY_CAVEAT not in national[SUMMARY_SHEET]["A4"].value


def _summary(book) -> dict:
    return {row[0]: row for row in book[SUMMARY_SHEET].iter_rows(min_row=7, values_only=True) if row[0]}


@pytest.fixture
def three_requests(year_data):
    """Three requests received in May 2025: a count of children small enough to be suppressed."""
    from datetime import datetime

    for day in (5, 6, 7):
        make_request(received_at=datetime(YEAR, 5, day, 9, tzinfo=UTC))
    return year_data


def _expected(view):
    value = view.headline.value
    if value.value is None:
        return value.text
    return round(value.value, 4) if view.info.unit == "%" else value.value


def test_internal_version_holds_the_coordination_dashboards_exact_numbers(three_requests):
    coordinator = three_requests
    period = period_of("annee", date(YEAR, 1, 1))
    exact = _summary(load_workbook(BytesIO(report.annual_report_xlsx(actor=coordinator, year=YEAR, protected=False))))
    published = _summary(load_workbook(BytesIO(report.annual_report_xlsx(actor=coordinator, year=YEAR))))
    for view in indicator_overview(actor=coordinator, period=period, protected=False):
        if view.headline is not None:
            assert exact[view.info.number][2] == _expected(view), view.info.key
    assert exact[1][2] == 3  # the three requests, exact
    assert published[1][2] == "< 5"  # suppressed in the version sent to the ministry
    text = report.annual_report_html(actor=coordinator, year=YEAR, protected=False)
    assert report.INTERNAL_SUFFIX in text and "à ne pas diffuser" in text
    assert report.INTERNAL_SUFFIX not in report.annual_report_html(actor=coordinator, year=YEAR)


def test_a_funder_asking_for_exact_figures_still_gets_the_protected_ones(three_requests):
    funder = make_user(Role.FINANCEUR)
    book = load_workbook(BytesIO(report.annual_report_xlsx(actor=funder, year=YEAR, protected=False)))
    assert _summary(book)[1][2] == "< 5"
    assert report.INTERNAL_SUFFIX not in report.annual_report_html(actor=funder, year=YEAR, protected=False)


def test_every_sheet_states_its_version_and_prints_on_a4(three_requests):
    from services.report.export import INTERNAL_BANNER, INTERNAL_MARK, PROTECTED_BANNER, PROTECTED_MARK

    coordinator = three_requests
    for protected, banner, mark in ((True, PROTECTED_BANNER, PROTECTED_MARK), (False, INTERNAL_BANNER, INTERNAL_MARK)):
        book = load_workbook(BytesIO(report.annual_report_xlsx(actor=coordinator, year=YEAR, protected=protected)))
        for sheet in book.worksheets:
            assert sheet["A1"].value == banner, sheet.title
            assert mark in sheet.oddHeader.right.text and mark in sheet.oddFooter.left.text
            assert "&P" in sheet.oddFooter.right.text
            assert int(sheet.page_setup.paperSize) == 9 and int(sheet.page_setup.fitToWidth) == 1  # A4
            assert sheet.sheet_properties.pageSetUpPr.fitToPage
            assert len(sheet.title) <= 31
        requests_sheet = next(s for s in book.worksheets if s.title.startswith("01 "))
        line = next(r[1] for r in requests_sheet.iter_rows(values_only=True) if r[0] == "Effectifs d'enfants protégés")
        assert line.startswith("oui") if protected else line.startswith("NON")
        assert requests_sheet.freeze_panes == "A3" and requests_sheet.print_title_rows == "$1:$2"


def test_shares_are_numbers_shown_as_percentages_and_dates_stay_numbers(year_data):
    book = load_workbook(BytesIO(report.annual_report_xlsx(actor=year_data, year=YEAR)))
    summary = book[SUMMARY_SHEET]
    shares = [
        row[2] for row in summary.iter_rows(min_row=8) if row[5].value == "%" and isinstance(row[2].value, float | int)
    ]
    assert shares and all(cell.number_format == "0 %" for cell in shares)
    counts = [row[2] for row in summary.iter_rows(min_row=8) if row[5].value == "professionnels"]
    assert counts[0].value == 8 and counts[0].number_format == "#,##0"
    assert summary.page_setup.orientation == "landscape" and summary.freeze_panes == "C8"


def test_sheet_names_are_cut_at_a_word():
    from core.xlsx_layout import sheet_title

    assert sheet_title("04 Structures et conseils départementaux") == "04 Structures et conseils"
    assert sheet_title("a/b:c") == "a b c"
    long = "x" * 40
    assert sheet_title(long) == "x" * 31
    assert sheet_title("Synthèse", ["synthèse"]) == "Synthèse (2)"


def test_each_indicator_sheet_and_page_says_its_territory(year_data):
    from services.indicators.territories import indicator_territory

    book = load_workbook(BytesIO(report.annual_report_xlsx(actor=year_data, year=YEAR)))
    rows = {r[0]: r[1] for r in book["03 Victimes placées"].iter_rows(values_only=True) if r[0]}
    assert rows["Territoire"] == indicator_territory("placed")
    text = report.annual_report_html(actor=year_data, year=YEAR)
    assert "Territoire : département où le mineur a été exploité" in text
