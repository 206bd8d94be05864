"""Writing a report's content (services.report.annual.ReportContent) as printable HTML.

The HTML needs no script and no network: charts are inline SVG drawn here, and it prints on A4 with a
running header that carries the version on every page. The figures are the content's own, already
protected by the catalogue for the protected version.
"""

from __future__ import annotations

import html
from datetime import timedelta

from core.formatting import fr_date, fr_datetime
from services.indicators.catalogue import indicator_scope_label
from services.indicators.disclosure_policy import publication_rules
from services.indicators.publication import SeriesPoint, Table
from services.indicators.territories import TERRITORY_CAVEAT, indicator_territory
from services.report.export import SHORT_LEGEND, method_legend, territory_caveat, version_banner, version_mark

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
    out.append(f'<p class="note">{_e(method_legend(content))}</p>')
    if territory_caveat(content):
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
    method = _e(method_legend(content))
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
