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
from core.spreadsheet import xlsx_append
from services.indicators.catalogue import indicator_scope_label
from services.indicators.disclosure import Mark
from services.indicators.disclosure_policy import publication_rules
from services.indicators.publication import IndicatorView, SeriesPoint, Table

SUMMARY_SHEET = "Synthèse"
METHOD_SHEET = "Méthode"
INTERNAL_NOTE = (
    "Version interne : chiffres exacts, petits effectifs non protégés. Document réservé à la coordination, "
    "à ne pas diffuser ; la version remise au ministère est la version protégée."
)


def _method_legend(content) -> str:
    return content.rule.legend if content.protected else INTERNAL_NOTE


SECTIONS_SHEET = "Rapport qualitatif"


def sheet_name(view: IndicatorView) -> str:
    """'01 Sollicitations' (Excel allows 31 characters and no []:*?/\\)."""
    name = f"{view.info.number:02d} {view.info.short_title}"
    for char in "[]:*?/\\":
        name = name.replace(char, " ")
    return name[:31]


def _cell_value(table: Table, cell, unit: str):
    """A number when published, else its French mark."""
    if isinstance(cell, Mark) or cell is None:
        return table.text(cell, unit)
    if unit == "percent":
        return round(float(cell), 4)
    return cell


# --- XLSX ----------------------------------------------------------------------------------------


def workbook_bytes(content) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    bold = Font(bold=True)
    title_font = Font(bold=True, size=14)
    wrap = Alignment(wrap_text=True, vertical="top")
    book = Workbook()
    summary = book.active
    summary.title = SUMMARY_SHEET
    xlsx_append(summary, [content.title])
    summary["A1"].font = title_font
    xlsx_append(
        summary,
        [
            f"Période : {content.period.label} (du {fr_date(content.period.start)} au "
            f"{fr_date(content.period.end - timedelta(days=1))})"
        ],
    )
    xlsx_append(summary, [f"Territoire : {indicator_scope_label(content.scope)}"])
    xlsx_append(
        summary,
        [
            f"Produit le {fr_datetime(content.generated_at)} — "
            + ("effectifs d'enfants protégés (voir « Méthode »)" if content.protected else INTERNAL_NOTE)
        ],
    )
    xlsx_append(summary, [])
    header = [
        "N°",
        "Indicateur",
        content.period.label,
        content.period.previous().label,
        "Évolution",
        "Unité",
        "Précisions",
    ]
    xlsx_append(summary, header)
    for cell in summary[summary.max_row]:
        cell.font = bold
    for view in content.views:
        if view.headline is None:
            xlsx_append(summary, [view.info.number, view.info.title, "non disponible"])
            continue
        h = view.headline
        details = " ; ".join(
            [h.value.detail] * bool(h.value.detail) + [f"{label} : {f.text}" for label, f in h.secondary]
        )
        xlsx_append(
            summary,
            [
                view.info.number,
                view.info.title,
                _figure_value(h.value, view.info.unit),
                _figure_value(h.previous, view.info.unit),
                h.change or "",
                view.info.unit,
                details,
            ],
        )
    for column, width in zip("ABCDEFG", (5, 70, 16, 16, 12, 14, 60)):
        summary.column_dimensions[column].width = width
    for row in summary.iter_rows(min_row=7):
        row[1].alignment = wrap
        row[6].alignment = wrap

    for view in content.views:
        sheet = book.create_sheet(sheet_name(view))
        _indicator_sheet(
            sheet,
            view,
            content.series.get(view.info.key, []),
            SHORT_LEGEND.format(small=content.rule.small_text),
            bold,
            title_font,
            wrap,
        )

    if content.sections:
        sheet = book.create_sheet(SECTIONS_SHEET)
        sheet.column_dimensions["A"].width = 30
        sheet.column_dimensions["B"].width = 110
        for section in content.sections:
            xlsx_append(sheet, [section.label, section.text or "(non renseigné)"])
            sheet.cell(sheet.max_row, 1).font = bold
            sheet.cell(sheet.max_row, 2).alignment = wrap

    method = book.create_sheet(METHOD_SHEET)
    method.column_dimensions["A"].width = 120
    lines = ["Protection des petits effectifs (effectifs d'enfants)", _method_legend(content)]
    if content.protected:
        lines += [
            "Les parts sont calculées à partir des effectifs publiés (arrondis). Une médiane n'est publiée que si elle "
            f"porte sur au moins {content.rule.threshold} enfants.",
            "Les structures, départements, conventions et professionnels formés ne sont pas des effectifs d'enfants : "
            "ils sont publiés tels quels.",
            *publication_rules(threshold=content.rule.threshold),
        ]
    for line in lines:
        xlsx_append(method, [line])
        method.cell(method.max_row, 1).alignment = wrap
    method["A1"].font = bold
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _figure_value(figure, unit: str):
    if figure.value is None:
        return figure.text
    if unit == "%":
        return round(float(figure.value), 4)
    return figure.value


def _indicator_sheet(
    sheet, view: IndicatorView, series: list[SeriesPoint], legend: str, bold, title_font, wrap
) -> None:
    info = view.info
    sheet.column_dimensions["A"].width = 42
    for column in "BCDEFGH":
        sheet.column_dimensions[column].width = 16
    xlsx_append(sheet, [f"{info.number}. {info.title}"])
    sheet["A1"].font = title_font
    xlsx_append(sheet, ["Définition", info.definition])
    xlsx_append(sheet, ["Unité", info.unit])
    xlsx_append(sheet, ["Effectifs d'enfants (protégés)", "oui" if info.counts_children else "non"])
    xlsx_append(sheet, ["Période", view.period.label])
    for row in sheet.iter_rows(min_row=2, max_row=5):
        row[0].font = bold
        row[1].alignment = wrap
    xlsx_append(sheet, [])
    if view.headline is None:
        xlsx_append(sheet, [view.note])
        return
    h = view.headline
    xlsx_append(sheet, ["Valeur", _figure_value(h.value, info.unit), h.value.detail])
    xlsx_append(sheet, [f"Période précédente ({view.previous_period.label})", _figure_value(h.previous, info.unit)])
    xlsx_append(sheet, ["Évolution", h.change or ""])
    for label, figure in h.secondary:
        xlsx_append(
            sheet, [label.capitalize(), _figure_value(figure, "%" if figure.text.endswith("%") else ""), figure.detail]
        )
    if series:
        xlsx_append(sheet, [])
        xlsx_append(sheet, ["Évolution par période"])
        sheet.cell(sheet.max_row, 1).font = bold
        for point in series:
            xlsx_append(sheet, [point.period.label, _figure_value(point.figure, info.unit)])
    for table in view.tables:
        xlsx_append(sheet, [])
        xlsx_append(sheet, [table.title])
        sheet.cell(sheet.max_row, 1).font = bold
        if table.withheld:
            xlsx_append(sheet, [table.note])
            continue
        if not table.cells:
            xlsx_append(sheet, ["Aucune donnée pour cette période."])
            continue
        units = table.units or ("count",) * len(table.column_labels)
        header = [table.dimension, *table.column_labels] + (["Total"] if table.row_totals is not None else [])
        xlsx_append(sheet, header)
        for cell in sheet[sheet.max_row]:
            cell.font = bold
        for i, (label, row) in enumerate(zip(table.row_labels, table.cells)):
            values = [_cell_value(table, c, u) for c, u in zip(row, units)]
            if table.row_totals is not None:
                values.append(_cell_value(table, table.row_totals[i], "count"))
            xlsx_append(sheet, [label, *values])
        if table.column_totals is not None:
            totals = [_cell_value(table, c, "count") for c in table.column_totals]
            if table.row_totals is not None:
                totals.append(_cell_value(table, table.total, "count"))
            xlsx_append(sheet, ["Total", *totals])
            for cell in sheet[sheet.max_row]:
                cell.font = bold
        if table.note:
            xlsx_append(sheet, [table.note])
        if table.protected:
            xlsx_append(sheet, [legend])


# --- HTML ----------------------------------------------------------------------------------------


CSS = """
@page { size: A4; margin: 16mm 14mm; }
body { font-family: "DejaVu Sans", Arial, sans-serif; color: #1b1b1b; font-size: 10.5pt; line-height: 1.4;
       max-width: 190mm; margin: 0 auto; }
h1 { font-size: 20pt; margin: 0 0 4pt; color: #123c69; }
h2 { font-size: 14pt; color: #123c69; border-bottom: 1.5pt solid #123c69; padding-bottom: 2pt; margin-top: 18pt; }
h3 { font-size: 11pt; margin: 10pt 0 4pt; }
p.meta, p.note, p.definition { color: #555; font-size: 9pt; margin: 2pt 0; }
table { border-collapse: collapse; margin: 4pt 0 8pt; font-size: 9pt; page-break-inside: avoid; }
th, td { border: 0.6pt solid #b8c2cc; padding: 2pt 6pt; text-align: left; vertical-align: top; }
th.num, td.num { text-align: right; white-space: nowrap; }
thead th { background: #e8eef5; }
tr.total td { font-weight: bold; background: #f4f6f8; }
.headline { font-size: 16pt; font-weight: bold; color: #123c69; }
.indicator { page-break-inside: avoid; }
.indicator.new-page { page-break-before: always; }
.section-text { white-space: pre-wrap; }
svg text { font-family: "DejaVu Sans", Arial, sans-serif; }
@media print { a { color: inherit; text-decoration: none; } }
"""


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
        f"<style>{CSS}</style></head><body>",
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

    if content.sections:
        out.append("<h2>Rapport qualitatif</h2>")
        for section in content.sections:
            out.append(f"<h3>{_e(section.label)}</h3>")
            out.append(f'<p class="section-text">{_e(section.text or "(non renseigné)")}</p>')

    out.append('<h2 style="page-break-before: always">Indicateurs détaillés</h2>')
    for view in content.views:
        info = view.info
        out.append(f'<div class="indicator"><h2>{info.number}. {_e(info.title)}</h2>')
        out.append(f'<p class="definition">{_e(info.definition)}</p>')
        if view.headline is None:
            out.append(f'<p class="note">{_e(view.note)}</p></div>')
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
        series = content.series.get(info.key, [])
        if series:
            out.append("<h3>Par mois</h3>" if content.period.kind == "annee" else "<h3>Par période</h3>")
            out.append(svg_bars(series))
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
