"""Writing a report's content (services.report.annual.ReportContent) as XLSX; the printable HTML is
in services.report.html and shares the version marks and legends defined here.

Both files show the very figures of the content, which the catalogue has already protected: a
published count is written as a number, a suppressed one as its mark ("< 5", "s"). The
coordination's internal version (``content.protected`` false) holds exact figures and says so on
every page.
"""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

from core.formatting import fr_date, fr_datetime
from core.xlsx_layout import append_row, fit_row_heights, page_setup, set_widths, sheet_title
from services.indicators.catalogue import indicator_scope_label
from services.indicators.disclosure import Mark
from services.indicators.disclosure_policy import publication_rules
from services.indicators.publication import IndicatorView, SeriesPoint, Table
from services.indicators.territories import TERRITORY_CAVEAT, indicator_territory

SUMMARY_SHEET = "Synthèse"
METHOD_SHEET = "Méthode"
SECTIONS_SHEET = "Rapport qualitatif"
INTERNAL_NOTE = (
    "Version interne : chiffres exacts, petits effectifs non protégés. Document réservé à la coordination, "
    "à ne pas diffuser ; la version remise au ministère est la version protégée."
)
INTERNAL_BANNER = (
    "VERSION INTERNE — chiffres exacts, petits effectifs non protégés — réservée à la coordination, à ne pas diffuser"
)
PROTECTED_BANNER = "Version protégée — petits effectifs d'enfants non publiés (voir « Méthode »)"
INTERNAL_MARK = "VERSION INTERNE — à ne pas diffuser"
PROTECTED_MARK = "Version protégée"
SHORT_LEGEND = "« {small} » et « s » : petits effectifs protégés, voir « Méthode »."


def territory_caveat(content) -> str:
    """On a territory (not the whole country): why orientations and placements do not compare."""
    return "" if content.scope.is_national else " — " + TERRITORY_CAVEAT


def method_legend(content) -> str:
    return content.rule.legend if content.protected else INTERNAL_NOTE


def version_banner(content) -> str:
    """The line that opens every sheet and every printed page: which version this is."""
    return PROTECTED_BANNER if content.protected else INTERNAL_BANNER


def version_mark(content) -> str:
    """The short version label of the page headers and footers."""
    return PROTECTED_MARK if content.protected else INTERNAL_MARK


def children_counts_line(content, view: IndicatorView) -> str:
    """What an indicator sheet says, truthfully, of its counts of children."""
    if not view.info.counts_children:
        return "sans objet : cet indicateur ne compte pas des enfants (publié tel quel)"
    if content.protected:
        return "oui : petits effectifs protégés (voir « Méthode »)"
    return "NON : chiffres exacts, petits effectifs non protégés (version interne)"


def sheet_name(view: IndicatorView, taken: tuple[str, ...] = ()) -> str:
    """'01 Sollicitations': within Excel's 31 characters, cut at a word."""
    return sheet_title(f"{view.info.number:02d} {view.info.short_title}", taken)


def _cell_value(table: Table, cell, unit: str):
    """A number when published, else its French mark."""
    if isinstance(cell, Mark) or cell is None:
        return table.text(cell, unit)
    if unit == "percent":
        return round(float(cell), 4)
    return cell


# --- XLSX ----------------------------------------------------------------------------------------

BANNER_INTERNAL_COLOUR = "B00020"
HEADER_FILL = "E8EEF5"


class _Styles:
    def __init__(self, content) -> None:
        from openpyxl.styles import Alignment, Font, PatternFill

        self.bold = Font(bold=True)
        self.title = Font(bold=True, size=14)
        self.banner = Font(bold=True, color=BANNER_INTERNAL_COLOUR) if not content.protected else Font(italic=True)
        self.wrap = Alignment(wrap_text=True, vertical="top")
        self.top = Alignment(vertical="top")
        self.header_fill = PatternFill("solid", fgColor=HEADER_FILL)


def _opening(sheet, content, styles: _Styles, title: str, ncols: int) -> None:
    """Rows 1 and 2 of every sheet: the version, then the title, each across the sheet's columns."""
    for text, font in ((version_banner(content), styles.banner), (title, styles.title)):
        row = append_row(sheet, [text])
        cell = sheet.cell(row, 1)
        cell.font = font
        cell.alignment = styles.wrap
        if ncols > 1:
            sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncols)


def _header_row(sheet, values, styles: _Styles) -> int:
    row = append_row(sheet, values)
    for cell in sheet[row]:
        cell.font = styles.bold
        cell.fill = styles.header_fill
        cell.alignment = styles.wrap
    return row


def _finish(sheet, content, *, landscape: bool, title_rows: str, freeze: str | None) -> None:
    fit_row_heights(sheet)
    page_setup(
        sheet,
        title=content.title,
        version=version_mark(content),
        landscape=landscape,
        title_rows=title_rows,
        freeze=freeze,
    )


SUMMARY_WIDTHS = (5, 58, 14, 14, 11, 11, 48)


def workbook_bytes(content) -> bytes:
    from openpyxl import Workbook

    styles = _Styles(content)
    book = Workbook()
    summary = book.active
    summary.title = SUMMARY_SHEET
    set_widths(summary, SUMMARY_WIDTHS)
    _opening(summary, content, styles, content.title, len(SUMMARY_WIDTHS))
    for line in (
        f"Période : {content.period.label} (du {fr_date(content.period.start)} au "
        f"{fr_date(content.period.end - timedelta(days=1))})",
        f"Territoire : {indicator_scope_label(content.scope)}" + territory_caveat(content),
        f"Produit le {fr_datetime(content.generated_at)} — "
        + ("effectifs d'enfants protégés (voir « Méthode »)" if content.protected else INTERNAL_NOTE),
    ):
        row = append_row(summary, [line])
        summary.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(SUMMARY_WIDTHS))
        summary.cell(row, 1).alignment = styles.wrap
    append_row(summary, [])
    header = ["N°", "Indicateur", content.period.label, content.period.previous().label, "Évolution", "Unité"]
    header_row = _header_row(summary, [*header, "Précisions"], styles)
    for view in content.views:
        if view.headline is None:
            append_row(summary, [view.info.number, view.info.title, "non disponible"])
        else:
            h = view.headline
            details = " ; ".join(
                [h.value.detail] * bool(h.value.detail) + [f"{label} : {f.text}" for label, f in h.secondary]
            )
            unit = view.info.unit
            append_row(
                summary,
                [
                    view.info.number,
                    view.info.title,
                    _figure_value(h.value, unit),
                    _figure_value(h.previous, unit),
                    h.change or "",
                    unit,
                    details,
                ],
                ("", "", unit, unit),
            )
        for cell in summary[summary.max_row]:
            cell.alignment = styles.wrap if cell.column in (2, 7) else styles.top
    _finish(summary, content, landscape=True, title_rows=f"{header_row}:{header_row}", freeze=f"C{header_row + 1}")

    for view in content.views:
        sheet = book.create_sheet(sheet_name(view, tuple(book.sheetnames)))
        _indicator_sheet(
            sheet,
            content,
            view,
            content.series.get(view.info.key, []),
            SHORT_LEGEND.format(small=content.rule.small_text),
            styles,
        )

    if content.sections:
        sheet = book.create_sheet(SECTIONS_SHEET)
        set_widths(sheet, (28, 100))
        _opening(sheet, content, styles, f"{content.title} — rapport qualitatif", 2)
        for section in content.sections:
            append_row(sheet, [section.label, section.text or "(non renseigné)"])
            sheet.cell(sheet.max_row, 1).font = styles.bold
            sheet.cell(sheet.max_row, 1).alignment = styles.wrap
            sheet.cell(sheet.max_row, 2).alignment = styles.wrap
        _finish(sheet, content, landscape=True, title_rows="1:2", freeze="A3")

    method = book.create_sheet(METHOD_SHEET)
    set_widths(method, (80,))
    _opening(method, content, styles, "Méthode — protection des petits effectifs (effectifs d'enfants)", 1)
    lines = [method_legend(content)]
    if content.protected:
        lines += [
            "Les parts sont calculées à partir des effectifs publiés (arrondis). Une médiane n'est publiée que si elle "
            f"porte sur au moins {content.rule.threshold} enfants.",
            "Les structures, départements, conventions et professionnels formés ne sont pas des effectifs d'enfants : "
            "ils sont publiés tels quels.",
            *publication_rules(threshold=content.rule.threshold),
        ]
    for line in lines:
        append_row(method, [line])
        method.cell(method.max_row, 1).alignment = styles.wrap
    _finish(method, content, landscape=False, title_rows="1:2", freeze=None)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _figure_value(figure, unit: str):
    if figure.value is None:
        return figure.text
    if unit == "%":
        return round(float(figure.value), 4)
    return figure.value


def _indicator_columns(view: IndicatorView) -> int:
    widest = max(
        [1 + len(t.column_labels) + (t.row_totals is not None) for t in view.tables if t.cells and not t.withheld]
        or [3]
    )
    return max(3, widest)


def _indicator_sheet(sheet, content, view: IndicatorView, series: list[SeriesPoint], legend: str, styles) -> None:
    info = view.info
    ncols = _indicator_columns(view)
    set_widths(sheet, (40, *(14,) * (ncols - 1)))
    _opening(sheet, content, styles, f"{info.number}. {info.title}", ncols)
    for label, text in (
        ("Définition", info.definition),
        ("Territoire", indicator_territory(info.key)),
        ("Unité", info.unit),
        ("Effectifs d'enfants protégés", children_counts_line(content, view)),
        ("Période", view.period.label),
    ):
        if not text:
            continue
        row = append_row(sheet, [label, text])
        sheet.cell(row, 1).font = styles.bold
        sheet.cell(row, 1).alignment = styles.top
        sheet.cell(row, 2).alignment = styles.wrap
        if ncols > 2:
            sheet.merge_cells(start_row=row, start_column=2, end_row=row, end_column=ncols)
    append_row(sheet, [])
    if view.headline is None:
        append_row(sheet, [view.note])
        _finish(sheet, content, landscape=ncols > 6, title_rows="1:2", freeze="A3")
        return
    h = view.headline
    unit = info.unit
    append_row(sheet, ["Valeur", _figure_value(h.value, unit), h.value.detail], ("", unit))
    append_row(
        sheet, [f"Période précédente ({view.previous_period.label})", _figure_value(h.previous, unit)], ("", unit)
    )
    append_row(sheet, ["Évolution", h.change or ""])
    for label, figure in h.secondary:
        figure_unit = "%" if figure.text.endswith("%") else ""
        append_row(sheet, [label.capitalize(), _figure_value(figure, figure_unit), figure.detail], ("", figure_unit))
    for row in sheet.iter_rows(min_row=sheet.max_row - 2 - len(h.secondary), max_row=sheet.max_row):
        row[0].alignment = styles.wrap
    if series:
        append_row(sheet, [])
        row = append_row(sheet, ["Évolution par période"])
        sheet.cell(row, 1).font = styles.bold
        for point in series:
            append_row(sheet, [point.period.label, _figure_value(point.figure, unit)], ("", unit))
    for table in view.tables:
        append_row(sheet, [])
        row = append_row(sheet, [table.title])
        sheet.cell(row, 1).font = styles.bold
        if table.withheld or not table.cells:
            append_row(sheet, [table.note if table.withheld else "Aucune donnée pour cette période."])
            sheet.cell(sheet.max_row, 1).alignment = styles.wrap
            if ncols > 1:
                sheet.merge_cells(start_row=sheet.max_row, start_column=1, end_row=sheet.max_row, end_column=ncols)
            continue
        units = table.units or ("count",) * len(table.column_labels)
        header = [table.dimension, *table.column_labels] + (["Total"] if table.row_totals is not None else [])
        _header_row(sheet, header, styles)
        row_units = ("", *units, "count")
        for i, (label, cells) in enumerate(zip(table.row_labels, table.cells)):
            values = [_cell_value(table, c, u) for c, u in zip(cells, units)]
            if table.row_totals is not None:
                values.append(_cell_value(table, table.row_totals[i], "count"))
            append_row(sheet, [label, *values], row_units)
            sheet.cell(sheet.max_row, 1).alignment = styles.wrap
        if table.column_totals is not None:
            totals = [_cell_value(table, c, "count") for c in table.column_totals]
            if table.row_totals is not None:
                totals.append(_cell_value(table, table.total, "count"))
            append_row(sheet, ["Total", *totals], ("",) + ("count",) * len(totals))
            for cell in sheet[sheet.max_row]:
                cell.font = styles.bold
        for note in (table.note, legend if table.protected else ""):
            if note:
                append_row(sheet, [note])
                sheet.cell(sheet.max_row, 1).alignment = styles.wrap
                if ncols > 1:
                    sheet.merge_cells(start_row=sheet.max_row, start_column=1, end_row=sheet.max_row, end_column=ncols)
    _finish(sheet, content, landscape=ncols > 6, title_rows="1:2", freeze="A3")


# --- HTML ----------------------------------------------------------------------------------------
