"""A funder walks every page of its menu and every export: aggregates only, never a child's record,
and every count of children either "< 5", hidden, 0 or rounded."""

from datetime import date, datetime, time, timedelta
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from core.clock import paris_today
from core.db import session_scope
from core.errors import AccessDenied
from core.formatting import PARIS
from models.child import Child
from models.user import Role
from services.indicators.catalogue import (
    indicator_list,
    indicator_overview,
    indicator_records,
    indicator_view,
)
from services.indicators.disclosure import Mark
from services.periods import period_of
from services.report.annual import annual_report_content, annual_report_html, annual_report_xlsx, indicator_workbook
from tests.factories import (
    make_module,
    make_placed,
    make_request,
    make_session,
    make_signalement,
    make_structure,
    make_user,
)
from tests.pages.helpers import open_page, texts
from ui.navigation import pages_for

pytestmark = pytest.mark.slow  # the demo or every funder page: tens of seconds, in the full suite

TODAY = paris_today()
LAST_MONTH = period_of("mois", TODAY).previous()
LAST_YEAR_END = period_of("mois", date(TODAY.year - 1, 12, 1))  # the last month of a year that is over
THRESHOLD, ROUNDING = 5, 5


def _network(month=LAST_MONTH) -> list[str]:
    """Children placed or asked for in `month` (last month) in several départements (some in small
    numbers), a signalement naming a child, a training; returns every child's pseudonymous code."""
    far = make_structure(
        name="Foyer de l'enfance Les Cèdres — Rennes",
        departement_code="35",
        joined_on=date(2020, 1, 1),
        sexes=["F", "M"],
        capacity=30,
    )
    south = make_structure(
        name="Lieu de vie Le Mas — Nice",
        departement_code="06",
        joined_on=date(2020, 1, 1),
        sexes=["F", "M"],
        capacity=30,
    )
    day = month.start + timedelta(days=3)
    requests = [
        make_placed(far.id, arrival_date=day + timedelta(days=i % 3), child_age=13 + i % 4, sex="FM"[i % 2])[0]
        for i in range(7)
    ]
    make_placed(south.id, arrival_date=day, child_age=16, sex="F", exploitation_departement_code="13")
    make_request(child_age=15, exploitation_departement_code="59", received_at=datetime.combine(day, time(10), PARIS))
    partner = make_user(Role.PARTENAIRE, structure_id=far.id)
    with session_scope() as session:
        codes = list(session.exec(select(Child.code)).all())
    make_signalement(partner, child_code=requests[-1].code, now=datetime.combine(day, time(10), PARIS))
    make_session(make_module(title="Repérage des victimes").id, day=day, structure_ids=[far.id])
    return codes


def _everything(at) -> str:
    """All a page shows: texts, metrics, tables (as CSV), pick lists, tabs, expanders."""
    parts = [texts(at)]
    parts += [f"{m.label} {m.value} {m.delta or ''}" for m in at.metric]
    parts += [d.value.to_csv() for d in (*at.dataframe, *at.table)]
    parts += [" ".join(str(o) for o in s.options) for s in at.selectbox]
    parts += [t.label for t in at.tabs] + [e.label for e in at.expander]
    parts += [str(getattr(t, "value", "")) for t in at.get("text")]
    return "\n".join(parts)


def _assert_no_code(shown: str, codes: list[str], where: str) -> None:
    leaked = [code for code in codes if code in shown]
    assert not leaked, f"{where}: child codes {leaked}"


def _workbook_text(blob: bytes) -> str:
    book = load_workbook(BytesIO(blob))
    return "\n".join(
        str(v) for sheet in book for row in sheet.iter_rows(values_only=True) for v in row if v is not None
    )


def test_every_page_of_the_funder_shows_aggregates_only(sqlite_db):
    codes = _network()
    assert len(codes) == 9
    funder = make_user(Role.FINANCEUR)
    for spec in pages_for(Role.FINANCEUR.value):
        at = open_page(funder, spec.key)
        assert not at.exception, (spec.key, at.exception)
        assert not at.error, (spec.key, [e.value for e in at.error])
        _assert_no_code(_everything(at), codes, spec.key)
    at = open_page(funder, "funder_indicators")
    assert any((t.value == "< 5").any().any() for t in at.table)  # a small count of this network, as a cell
    for info in indicator_list(actor=funder):
        if info.available:
            at.selectbox(key="funder_indicator").set_value(info.key).run()
            assert not at.exception and not at.error, info.key
            _assert_no_code(_everything(at), codes, f"funder_indicators/{info.key}")
    at.selectbox(key="funder_period_kind").set_value("annee").run()
    assert not at.exception and not at.error
    _assert_no_code(_everything(at), codes, "funder_indicators/année")


def test_every_export_of_the_funder_holds_no_child_record(sqlite_db):
    codes = _network(LAST_YEAR_END)
    funder = make_user(Role.FINANCEUR)
    exports = {
        "indicateurs du mois (XLSX)": _workbook_text(indicator_workbook(actor=funder, period=LAST_YEAR_END)),
        "rapport annuel (XLSX)": _workbook_text(annual_report_xlsx(actor=funder, year=TODAY.year - 1)),
        "rapport annuel (HTML)": annual_report_html(actor=funder, year=TODAY.year - 1),
    }
    for name, text in exports.items():
        _assert_no_code(text, codes, name)
        assert ("&lt; 5" if name.endswith("(HTML)") else "< 5") in text, name
        assert "Foyer de l'enfance Les Cèdres" not in text  # no structure named beside a child count
        if "rapport" in name:  # the publication rules are in the « Méthode »
            assert "seulement pour des mois terminés" in text and "zéros compris" in text, name
    with pytest.raises(AccessDenied) as refused:
        indicator_records(actor=funder, key="placed", period=LAST_YEAR_END)
    _assert_no_code(str(refused.value), codes, "refusal")


def _child_counts(view):
    """Every published number that counts children in a view: headline, secondary counts, tables."""
    if not view.info.counts_children or view.headline is None:
        return
    h = view.headline
    for figure in (h.value, h.previous):
        if view.info.unit not in ("%", "jours"):
            yield figure.value
    for table in view.tables:
        assert table.protected, (view.info.key, table.key)
        yield from (c for row in table.cells for c in row)
        yield from (table.column_totals or ())
        yield from (table.row_totals or ())
        yield table.total


@pytest.mark.parametrize("kind", ["mois", "annee", "trimestre"])
def test_no_count_of_children_from_1_to_4_reaches_the_funder(sqlite_db, kind):
    _network(LAST_YEAR_END)
    funder = make_user(Role.FINANCEUR)
    period = period_of(kind, LAST_YEAR_END.start)
    seen_small = False
    for info in indicator_list(actor=funder):
        for value in _child_counts(indicator_view(actor=funder, key=info.key, period=period)):
            if isinstance(value, Mark) or value is None:
                seen_small = seen_small or value is Mark.SMALL
                continue
            assert value == 0 or (value >= THRESHOLD and value % ROUNDING == 0), (info.key, value)
    assert seen_small
    content = annual_report_content(actor=funder, year=TODAY.year - 1)
    for view in content.views:
        for value in _child_counts(view):
            assert isinstance(value, Mark) or value is None or value == 0 or value % ROUNDING == 0


def test_the_funder_view_of_the_dashboard_equals_the_funder_page(sqlite_db):
    _network()
    funder, coordinator = make_user(Role.FINANCEUR), make_user(Role.COORDINATION)
    theirs = indicator_overview(actor=funder, period=LAST_MONTH)
    preview = indicator_overview(actor=coordinator, period=LAST_MONTH, protected=True)
    assert [v.headline for v in theirs] == [v.headline for v in preview]
    exact = {
        v.info.key: v.headline.value.value
        for v in indicator_overview(actor=coordinator, period=LAST_MONTH)
        if v.headline is not None
    }
    assert exact["placed"] == 8 and exact["requests"] == 9
    assert next(v for v in theirs if v.info.key == "placed").headline.value.text == "10"
