"""Writing a report's content (services.report.annual.ReportContent) as XLSX and as printable HTML.

Both files show the very figures of the content, which the catalogue has already protected: a
published count is written as a number, a suppressed one as its mark ("< 5", "s"). The
coordination's internal version (``content.protected`` false) holds exact figures and says so on
every page.
The HTML needs no script and no network: charts are inline SVG drawn here, and it prints on A4.
"""

from __future__ import annotations

import html
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


def _territory_caveat(content) -> str:
    """On a territory (not the whole country): why orientations and placements do not compare."""
    return "" if content.scope.is_national else " — " + TERRITORY_CAVEAT


def _method_legend(content) -> str:
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
        f"Territoire : {indicator_scope_label(content.scope)}" + _territory_caveat(content),
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
    lines = [_method_legend(content)]
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


CSS = """
@page { size: A4; margin: 18mm 14mm 16mm; }
body { font-family: "DejaVu Sans", Arial, sans-serif; color: #1b1b1b; font-size: 10.5pt; line-height: 1.4;
       max-width: 190mm; margin: 0 auto; }
h1 { font-size: 20pt; margin: 0 0 4pt; color: #123c69; }
h2 { font-size: 14pt; color: #123c69; border-bottom: 1.5pt solid #123c69; padding-bottom: 2pt; margin-top: 18pt; }
h3 { font-size: 11pt; margin: 10pt 0 4pt; }
h1, h2, h3 { break-after: avoid; page-break-after: avoid; break-inside: avoid; }
p.meta, p.note, p.definition { color: #555; font-size: 9pt; margin: 2pt 0; }
p { orphans: 3; widows: 3; }
p.version { font-weight: bold; font-size: 9pt; margin: 0 0 6pt; }
p.version.internal { color: #b00020; }
table { border-collapse: collapse; margin: 4pt 0 8pt; font-size: 9pt; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
th, td { border: 0.6pt solid #b8c2cc; padding: 2pt 6pt; text-align: left; vertical-align: top; }
th.num, td.num { text-align: right; white-space: nowrap; }
thead th { background: #e8eef5; }
tr.total td { font-weight: bold; background: #f4f6f8; }
.headline { font-size: 16pt; font-weight: bold; color: #123c69; }
.keep { break-inside: avoid; page-break-inside: avoid; }
svg { break-inside: avoid; page-break-inside: avoid; }
.section-text { white-space: pre-wrap; }
svg text { font-family: "DejaVu Sans", Arial, sans-serif; }
@media print { a { color: inherit; text-decoration: none; } }
"""


def _css_string(text: str) -> str:
    """A CSS string literal (for the page margin boxes)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ").replace("\n", " ")
    return '"' + escaped + '"'


def page_css(content) -> str:
    """The running header and footer of every printed page: the report's title, its version, the page."""
    colour = "#b00020" if not content.protected else "#555"
    weight = "bold" if not content.protected else "normal"
    return (
        "@page { "
        f"@top-left {{ content: {_css_string(content.title)}; font-size: 8pt; color: #555; }} "
        f"@top-right {{ content: {_css_string(version_mark(content))}; font-size: 8pt; color: {colour}; "
        f"font-weight: {weight}; }} "
        f"@bottom-left {{ content: {_css_string(version_mark(content))}; font-size: 8pt; color: {colour}; }} "
        '@bottom-right { content: "Page " counter(page) " / " counter(pages); font-size: 8pt; color: #555; } '
        "}"
    )


SHORT_MONTHS = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."]
SHORT_LEGEND = "« {small} » et « s » : petits effectifs protégés, voir « Méthode »."


def _e(text) -> str:
    return html.escape(str(text), quote=False)


def svg_bars(points: list[SeriesPoint], *, width: int = 640, height: int = 170) -> str:
    """A vertical bar chart of published values as inline SVG; a value not published draws no bar
    and shows its text ("< 5", "—") instead."""
    if not points:
        return ""
    top, bottom, left = 18, 34, 8
    values = [p.figure.value for p in points]
    peak = max([v for v in values if v is not None] or [0]) or 1
    slot = (width - left) / len(points)
    bar = max(4.0, slot * 0.62)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img">',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width}" y2="{height - bottom}" stroke="#888" '
        'stroke-width="0.8"/>',
    ]
    usable = height - top - bottom
    for i, (point, value) in enumerate(zip(points, values)):
        x = left + i * slot + (slot - bar) / 2
        centre = x + bar / 2
        if value is not None:
            h = usable * (value / peak)
            y = height - bottom - h
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="#1f5fa8"/>')
        else:
            y = height - bottom
        parts.append(
            f'<text x="{centre:.1f}" y="{y - 3:.1f}" font-size="9" text-anchor="middle" '
            f'fill="#333">{_e(point.figure.text)}</text>'
        )
        label = point.period.label
        short = SHORT_MONTHS[point.period.start.month - 1] if point.period.kind == "mois" else label
        parts.append(
            f'<text x="{centre:.1f}" y="{height - bottom + 13}" font-size="8.5" text-anchor="middle" '
            f'fill="#555">{_e(short)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _table_html(table: Table, legend: str) -> str:
    out = [f"<h3>{_e(table.title)}</h3>"]
    if table.withheld:
        return "".join(out + [f'<p class="note">{_e(table.note)}</p>'])
    if not table.cells:
        return "".join(out + ['<p class="note">Aucune donnée pour cette période.</p>'])
    units = table.units or ("count",) * len(table.column_labels)
    head = [*table.column_labels] + (["Total"] if table.row_totals is not None else [])
    out.append(
        f"<table><thead><tr><th>{_e(table.dimension)}</th>"
        + "".join(f'<th class="num">{_e(h)}</th>' for h in head)
        + "</tr></thead><tbody>"
    )
    for i, (label, row) in enumerate(zip(table.row_labels, table.cells)):
        cells = [table.text(c, u) for c, u in zip(row, units)]
        if table.row_totals is not None:
            cells.append(table.text(table.row_totals[i]))
        out.append("<tr><td>" + _e(label) + "</td>" + "".join(f'<td class="num">{_e(c)}</td>' for c in cells) + "</tr>")
    if table.column_totals is not None:
        cells = [table.text(c) for c in table.column_totals]
        if table.row_totals is not None:
            cells.append(table.text(table.total))
        out.append(
            '<tr class="total"><td>Total</td>' + "".join(f'<td class="num">{_e(c)}</td>' for c in cells) + "</tr>"
        )
    out.append("</tbody></table>")
    notes = [n for n in (table.note, legend if table.protected else "") if n]
    if notes:
        out.append(f'<p class="note">{_e(" ".join(notes))}</p>')
    return "".join(out)


def report_html(content) -> str:
    last_day = content.period.end - timedelta(days=1)
    out = [
        "<!DOCTYPE html>",
        '<html lang="fr"><head><meta charset="utf-8">',
        f"<title>{_e(content.title)}</title>",
        f"<style>{CSS}\n{page_css(content)}</style></head><body>",
        f'<p class="version{"" if content.protected else " internal"}">{_e(version_banner(content))}</p>',
        f"<h1>{_e(content.title)}</h1>",
        f"<p class=\"meta\">Réseau national de lieux d'accueil des mineurs victimes de traite et d'exploitation — "
        f"{_e(indicator_scope_label(content.scope))} — du {fr_date(content.period.start)} au {fr_date(last_day)}. "
        f"Produit le {_e(fr_datetime(content.generated_at))}.</p>",
        "<h2>Synthèse des indicateurs</h2>",
        "<table><thead><tr><th>N°</th><th>Indicateur</th>",
        f'<th class="num">{_e(content.period.label)}</th><th class="num">{_e(content.period.previous().label)}</th>'
        '<th class="num">Évolution</th></tr></thead><tbody>',
    ]
    for view in content.views:
        h = view.headline
        cells = [h.value.text, h.previous.text, h.change or ""] if h else ["non disponible", "", ""]
        out.append(
            f"<tr><td>{view.info.number}</td><td>{_e(view.info.title)}</td>"
            + "".join(f'<td class="num">{_e(c)}</td>' for c in cells)
            + "</tr>"
        )
    out.append("</tbody></table>")
    out.append(f'<p class="note">{_e(_method_legend(content))}</p>')
    if _territory_caveat(content):
        out.append(f'<p class="note">{_e(TERRITORY_CAVEAT)}</p>')

    if content.sections:
        out.append("<h2>Rapport qualitatif</h2>")
        for section in content.sections:
            out.append(f"<h3>{_e(section.label)}</h3>")
            out.append(f'<p class="section-text">{_e(section.text or "(non renseigné)")}</p>')

    out.append("<h2>Indicateurs détaillés</h2>")
    for view in content.views:
        info = view.info
        out.append(f'<div class="indicator"><div class="keep"><h2>{info.number}. {_e(info.title)}</h2>')
        out.append(f'<p class="definition">{_e(info.definition)}</p>')
        territory = indicator_territory(info.key)
        if territory:
            out.append(f'<p class="definition">Territoire : {_e(territory)}</p>')
        if view.headline is None:
            out.append(f'<p class="note">{_e(view.note)}</p></div></div>')
            continue
        h = view.headline
        line = f'<p><span class="headline">{_e(h.value.text)}</span> {_e(info.unit if info.unit != "%" else "")}'
        if h.value.detail:
            line += f" — {_e(h.value.detail)}"
        line += f" — {_e(view.previous_period.label)} : {_e(h.previous.text)}"
        if h.change:
            line += f" ({_e(h.change)})"
        out.append(line + "</p>")
        if h.secondary:
            out.append("<p>" + " · ".join(f"{_e(label)} : <b>{_e(f.text)}</b>" for label, f in h.secondary) + "</p>")
        out.append("</div>")
        series = content.series.get(info.key, [])
        if series:
            heading = "Par mois" if content.period.kind == "annee" else "Par période"
            out.append(f'<div class="keep"><h3>{heading}</h3>{svg_bars(series)}</div>')
        for table in view.tables:
            out.append(_table_html(table, SHORT_LEGEND.format(small=content.rule.small_text)))
        out.append("</div>")
    method = _e(_method_legend(content))
    if content.protected:
        method += (
            " Les parts sont calculées à partir des effectifs publiés (arrondis). Les structures, départements, "
            "conventions et professionnels formés ne sont pas des effectifs d'enfants : ils sont publiés tels quels."
        )
        method += "".join(
            f'</p><p class="note">{_e(rule)}' for rule in publication_rules(threshold=content.rule.threshold)
        )
    out.append(f'<h2>Méthode</h2><p class="note">{method}</p>')
    out.append("</body></html>")
    return "\n".join(out)
