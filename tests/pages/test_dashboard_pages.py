"""Dashboard, funder's indicators and annual report pages with data."""

from datetime import UTC, date

from core.clock import paris_today
from models.user import Role
from services.periods import period_of
from services.report.annual import annual_report_sections
from tests.factories import make_module, make_session, make_structure, make_user
from tests.pages.helpers import open_page, texts

LAST_MONTH = period_of("mois", paris_today()).previous()


def _metric(at, label_start: str) -> str:
    return next(m.value for m in at.metric if m.label.startswith(label_start))


def _network():
    structure = make_structure(name="Lieu de vie La Clairière", departement_code="35", joined_on=date(2020, 1, 1))
    module = make_module(title="Repérage des victimes")
    make_session(
        module.id, day=LAST_MONTH.start, participants={"educateur_specialise": 5}, structure_ids=[structure.id]
    )


def test_dashboard_tiles_detail_and_records(sqlite_db):
    _network()
    at = open_page(make_user(Role.COORDINATION), "dashboard")
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert _metric(at, "6. Professionnels formés") == "5"
    assert _metric(at, "5. Départements couverts") == "1"
    at.selectbox(key="dashboard_indicator").set_value("trained").run()
    assert not at.exception
    frames = [d.value for d in at.dataframe]
    assert any("Profil" in f.columns and "Éducateur spécialisé" in f["Profil"].tolist() for f in frames)
    records = next(f for f in frames if "Module" in f.columns and "Organisme formateur" in f.columns)
    assert records["Module"].tolist() == ["Repérage des victimes"]


def test_dashboard_as_the_funder_sees_it(sqlite_db):
    _network()
    at = open_page(make_user(Role.COORDINATION), "dashboard")
    at.toggle(key="dashboard_protected").set_value(True).run()
    assert not at.exception and not at.error
    assert "« < 5 » : moins de 5" in texts(at)
    assert "Le financeur n'a pas accès au détail des enregistrements." in texts(at)


def test_dashboard_region_filter(sqlite_db):
    _network()
    at = open_page(make_user(Role.COORDINATION), "dashboard")
    at.selectbox(key="dashboard_region").set_value("11").run()  # Île-de-France
    assert not at.exception
    assert _metric(at, "6. Professionnels formés") == "0"
    assert _metric(at, "5. Départements couverts") == "0"


def test_funder_page_and_home(sqlite_db):
    _network()
    funder = make_user(Role.FINANCEUR)
    at = open_page(funder, "funder_indicators")
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert _metric(at, "6. Professionnels formés") == "5"
    assert "Protection des petits effectifs" in texts(at)
    home = open_page(funder, "home")
    assert f"En {LAST_MONTH.label} : " in texts(home) and "5 professionnels formés" in texts(home)


def test_funder_limited_to_a_region_sees_it_fixed(sqlite_db):
    _network()
    at = open_page(make_user(Role.FINANCEUR, region_code="11"), "funder_indicators")
    assert not at.exception and not at.error
    assert "Territoire de votre compte : région Île-de-France" in texts(at)
    assert _metric(at, "6. Professionnels formés") == "0"
    assert not [s for s in at.selectbox if s.label == "Région"]


def test_annual_report_section_is_saved_from_the_page(sqlite_db):
    coordinator = make_user(Role.COORDINATION)
    at = open_page(coordinator, "annual_report")
    assert not at.exception and not at.error
    year = at.selectbox(key="annual_report_year").value
    at.text_area(key=f"annual_report_text_{year}_faits_marquants").input("Trois nouvelles structures en outre-mer.")
    next(b for b in at.button if b.label == "Enregistrer").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "« Faits marquants de l'année » enregistré (version 1)." in texts(at)
    saved = annual_report_sections(actor=coordinator, year=year)[0]
    assert saved.text == "Trois nouvelles structures en outre-mer." and saved.version == 1


def test_annual_report_internal_version_shows_the_exact_small_counts(sqlite_db):
    from datetime import datetime

    from tests.factories import make_request

    coordinator = make_user(Role.COORDINATION)
    year = paris_today().year - 1
    for day in (5, 6):
        make_request(received_at=datetime(year, 5, day, 9, tzinfo=UTC))
    at = open_page(coordinator, "annual_report")
    assert at.selectbox(key="annual_report_year").value == year

    def requests_cell():
        table = at.dataframe[0].value
        return table.loc[table["N°"] == 1, str(year)].item()

    assert requests_cell() == "< 5"
    at.radio(key="annual_report_version").set_value("Interne — chiffres exacts, à ne pas diffuser").run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert requests_cell() == "2"
    assert "Version interne : petits effectifs non protégés" in texts(at)
