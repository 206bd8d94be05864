"""The annual evaluation report: qualitative sections written in the app, and the report files.

The coordination writes, for each year, five short sections (highlights, difficulties, partnerships,
training strategy, outlook); each save checks the version it started from and is audited, so the
previous texts stay in the audit log (:func:`annual_report_section_history`).

The report itself (:func:`annual_report_xlsx`, :func:`annual_report_html`) holds every indicator of
the catalogue for the calendar year. The version sent to the ministry is the one the funder reads
(``protected=True``, the default and the only one a funder gets): small counts of children suppressed,
rounded, complementary suppression in the tables; its numbers are those of the dashboard for that year
in the funder's view and of the funder's page. The coordination can also produce an internal version
with the exact figures (``protected=False``), whose numbers are those of its own dashboard.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import select

from core.access import Action, Actor, require
from core.clock import paris_today
from core.concurrency import check_version
from core.db import session_scope
from core.errors import FieldError, ValidationFailed
from models.annual_report import AnnualReportSection, ReportSection
from models.audit import AuditEntry
from models.base import utcnow
from services.indicators.catalogue import indicator_series, indicator_view
from services.indicators.publication import IndicatorView, ProtectionRule, SeriesPoint, protection_rule
from services.people import people_names
from services.periods import Period, Scope, period_of, scope_for

TEXT_LIMIT = 20000
YEAR_INVALID = "année invalide (de 2000 à 2100)"
SECTION_UNKNOWN = "rubrique inconnue"
TEXT_TOO_LONG = f"texte trop long ({TEXT_LIMIT} caractères au plus)"
FIRST_YEAR = 2000


@dataclass(frozen=True)
class SectionPublic:
    year: int
    section: str
    label: str
    text: str
    version: int | None  # None: never written
    updated_by: str = ""
    updated_at: datetime | None = None


@dataclass(frozen=True)
class SectionVersion:
    at: datetime
    author: str  # the person's name (their log-in when the account is gone)
    text: str


def _check_year(year: int) -> list[FieldError]:
    return [] if FIRST_YEAR <= year <= 2100 else [FieldError("Année", YEAR_INVALID)]


def annual_report_sections(*, actor: Actor, year: int) -> list[SectionPublic]:
    """Coordination and funders: the five qualitative sections of a year, in order (empty when unwritten)."""
    require(actor, Action.ANNUAL_REPORT_READ)
    if _check_year(year):
        raise ValidationFailed(_check_year(year))
    with session_scope(actor) as session:
        rows = {r.section: r for r in session.exec(select(AnnualReportSection).where(AnnualReportSection.year == year))}
    out = []
    for section in ReportSection:
        row = rows.get(section.value)
        out.append(
            SectionPublic(
                year,
                section.value,
                section.label,
                row.text if row else "",
                row.version if row else None,
                row.updated_by if row else "",
                row.updated_at if row else None,
            )
        )
    return out


def annual_report_section_save(
    *, actor: Actor, year: int, section: str, text: str, expected_version: int | None
) -> SectionPublic:
    """Coordination only: write one section of a year's report; refused if someone saved it meanwhile."""
    require(actor, Action.ANNUAL_REPORT_WRITE)
    errors = _check_year(year)
    if section not in ReportSection.labels():
        errors.append(FieldError("Rubrique", SECTION_UNKNOWN))
    text = (text or "").strip()
    if len(text) > TEXT_LIMIT:
        errors.append(FieldError(ReportSection.label_of(section), TEXT_TOO_LONG))
    if errors:
        raise ValidationFailed(errors)
    label = ReportSection.label_of(section)
    with session_scope(actor) as session:
        row = session.exec(
            select(AnnualReportSection).where(AnnualReportSection.year == year, AnnualReportSection.section == section)
        ).first()
        if row is None:
            row = AnnualReportSection(year=year, section=section)
        elif expected_version is None:
            check_version(row, -1, seen={"text": ""}, labels={"text": label})
        else:
            check_version(row, expected_version, seen={"text": text}, labels={"text": label})
        row.text = text
        row.updated_by = actor.display_name or actor.username
        row.updated_at = utcnow()
        session.add(row)
        session.flush()
        return SectionPublic(year, section, label, row.text, row.version, row.updated_by, row.updated_at)


def annual_report_section_history(*, actor: Actor, year: int, section: str) -> list[SectionVersion]:
    """Coordination only: the successive texts of one section, newest first (from the audit log)."""
    require(actor, Action.ANNUAL_REPORT_WRITE)
    with session_scope(actor) as session:
        row = session.exec(
            select(AnnualReportSection.id).where(
                AnnualReportSection.year == year, AnnualReportSection.section == section
            )
        ).first()
        if row is None:
            return []
        entries = session.exec(
            select(AuditEntry)
            .where(AuditEntry.entity == AnnualReportSection.__tablename__, AuditEntry.entity_id == str(row))
            .order_by(AuditEntry.id.desc())
        ).all()
        names = people_names(session, [entry.username for entry in entries])
    out = []
    for entry in entries:
        after = json.loads(entry.after) if entry.after else {}
        if "text" in after:
            out.append(SectionVersion(entry.at, names.get(entry.username, entry.username), after["text"] or ""))
    return out


def annual_report_years(*, actor: Actor) -> list[int]:
    """Coordination and funders: the years a report can be produced for, newest first (the last full
    year first). A funder reads only years that are over (services.indicators.disclosure_policy)."""
    require(actor, Action.ANNUAL_REPORT_READ)
    today = paris_today()
    if not actor.is_coordination:
        return [today.year - 1, today.year - 2, today.year - 3]
    return [today.year - 1, today.year, today.year - 2, today.year - 3]


# --- the report's content ----------------------------------------------------------------------


@dataclass(frozen=True)
class ReportContent:
    title: str
    period: Period
    scope: Scope
    generated_at: datetime
    rule: ProtectionRule
    protected: bool  # False: the coordination's exact figures (internal version)
    views: tuple[IndicatorView, ...]
    series: dict  # indicator key -> list[SeriesPoint] (months, or the periods before)
    sections: tuple[SectionPublic, ...]


INTERNAL_SUFFIX = " — version interne (chiffres exacts)"


def _content(
    actor: Actor, period: Period, scope: Scope | None, *, title: str, sections: list[SectionPublic], protected: bool
) -> ReportContent:
    from services.indicators.catalogue import indicator_list

    pinned = scope_for(actor, scope)
    protected = protected or not actor.is_coordination  # only the coordination reads exact figures
    views, series = [], {}
    for info in indicator_list(actor=actor):
        view = indicator_view(actor=actor, key=info.key, period=period, scope=pinned, protected=protected)
        views.append(view)
        if view.headline is not None:
            series[info.key] = _months(actor, info.key, period, pinned, protected)
    if not protected:
        title += INTERNAL_SUFFIX
    return ReportContent(
        title, period, pinned, utcnow(), protection_rule(), protected, tuple(views), series, tuple(sections)
    )


def _months(actor: Actor, key: str, period: Period, scope: Scope, protected: bool) -> list[SeriesPoint]:
    """The months of a year (or of a longer custom period); the periods before for a shorter one."""
    if period.kind == "annee":
        return indicator_series(
            actor=actor,
            key=key,
            period=period_of("mois", date(period.start.year, 12, 1)),
            scope=scope,
            protected=protected,
            length=12,
        )
    return indicator_series(actor=actor, key=key, period=period, scope=scope, protected=protected)


def annual_report_content(
    *, actor: Actor, year: int, scope: Scope | None = None, protected: bool = True
) -> ReportContent:
    """Coordination and funders (their territory): every indicator of the year as published (or, for the
    coordination only, with ``protected=False``, exact), by month, and the qualitative sections."""
    require(actor, Action.ANNUAL_REPORT_READ)
    sections = annual_report_sections(actor=actor, year=year)
    return _content(
        actor,
        period_of("annee", date(year, 1, 1)),
        scope,
        title=f"Rapport annuel d'évaluation {year}",
        sections=sections,
        protected=protected,
    )


def annual_report_xlsx(*, actor: Actor, year: int, scope: Scope | None = None, protected: bool = True) -> bytes:
    """Coordination and funders: the year's report as an XLSX workbook (a sheet per indicator; funder
    protection applied unless the coordination asks for its exact figures)."""
    from services.report.export import workbook_bytes

    return workbook_bytes(annual_report_content(actor=actor, year=year, scope=scope, protected=protected))


def annual_report_html(*, actor: Actor, year: int, scope: Scope | None = None, protected: bool = True) -> str:
    """Coordination and funders: the year's report as a printable, self-contained HTML page (protected
    unless the coordination asks for its exact figures)."""
    from services.report.html import report_html

    return report_html(annual_report_content(actor=actor, year=year, scope=scope, protected=protected))


def indicator_workbook(*, actor: Actor, period: Period, scope: Scope | None = None, protected: bool = True) -> bytes:
    """Coordination and funders: every indicator of any period as an XLSX workbook (funder protection
    applied unless the coordination asks for its exact figures), without the qualitative sections."""
    require(actor, Action.DASHBOARD_READ)
    from services.report.export import workbook_bytes

    content = _content(
        actor, period, scope, title=f"Indicateurs du réseau — {period.label}", sections=[], protected=protected
    )
    return workbook_bytes(content)
