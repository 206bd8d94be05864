"""Importing several weeks of figures from CSV or XLSX, and loading past reports in bulk.

All or nothing: every row is checked (structure, week, rights, lock, values, cross rules, unusual
values) before a single one is written; the faults come back row by row, in French.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import select

from core.access import Action, Actor, require
from core.audit import audit_record
from core.db import session_scope
from core.errors import FieldError, ImportReport, ValidationFailed
from core.formatting import fr_week
from core.imports import MAX_IMPORT_ROWS, TOO_MANY_ROWS, by_line, header_key, is_blank, read_table, records
from core.spreadsheet import csv_write
from models.base import utcnow
from models.structure import Structure
from models.weekly import ReportStatus, WeeklyReport, WeeklyValue
from services.admin.settings import setting_get
from services.weekly.elements import element_rules
from services.weekly.reports import _write_report, _write_values
from services.weekly.schedule import deadline_rule, is_locked, unusual_rule
from services.weekly.totals import weekly_totals_refresh
from services.weekly.validation import ElementRule, check_week, find_unusual, parse_week_values
from services.weekly.weeks import current_week, parse_week, weeks_back

STRUCTURE_COLUMN, WEEK_COLUMN, COMMENT_PREFIX = "structure", "semaine", "commentaire_"
MAX_ROWS = MAX_IMPORT_ROWS

EMPTY_FILE = "le fichier ne contient aucune ligne de chiffres"
UNKNOWN_COLUMN = "colonne inconnue (ni un élément de saisie actif, ni structure, semaine ou commentaire_…)"
WEEK_COLUMN_MISSING = "colonne « semaine » absente"
WEEK_UNREADABLE = (
    "semaine illisible : écrivez la date d'un jour de la semaine (10/02/2025) ou son numéro (semaine 7 de 2025)"
)
WEEK_IN_FUTURE = "cette semaine n'a pas encore commencé"
STRUCTURE_REQUIRED = "indiquez la structure (nom exact ou numéro)"
STRUCTURE_UNKNOWN = "structure inconnue"
STRUCTURE_OTHER = "vous ne pouvez importer que les chiffres de votre structure"
DUPLICATE_ROW = "cette structure et cette semaine figurent déjà à la ligne {line}"
WEEK_LOCKED = "semaine verrouillée (validée ou trop ancienne) : demandez à la coordination de la rouvrir"
UNUSUAL_IMPORT = "valeur inhabituelle ({detail}) : vérifiez-la, puis confirmez les valeurs inhabituelles pour importer"
REPORT_EXISTS = "des chiffres existent déjà pour cette structure et cette semaine"
BAD_STATUS = "statut inconnu"
SUBMISSION_MISSING = "date d'envoi absente pour des chiffres envoyés"


# --- file import -------------------------------------------------------------------------------


def weekly_import_template(*, actor: Actor, weeks: int = 4, now: datetime | None = None) -> bytes:
    """Coordination and partner staff: a CSV model (semicolon, UTF-8) with the active elements as columns."""
    require(actor, Action.WEEKLY_ENTER)
    now = now or utcnow()
    with session_scope(actor) as session:
        elements = element_rules(session)
        name = session.get(Structure, actor.structure_id).name if actor.is_partner else ""
    out = io.StringIO()
    csv_write(
        out,
        [
            [STRUCTURE_COLUMN, WEEK_COLUMN, *[e.code for e in elements]],
            *([name, fr_week(week), *[""] * len(elements)] for week in weeks_back(current_week(now), weeks)),
        ],
        delimiter=";",
    )
    return out.getvalue().encode("utf-8-sig")


def weekly_import_file(
    *, actor: Actor, filename: str, content: bytes, confirm_unusual: bool = False, now: datetime | None = None
) -> ImportReport:
    """Coordination (any structure) and partner staff (their own): import a CSV or XLSX file of weeks, all or nothing."""
    require(actor, Action.WEEKLY_ENTER)
    return weekly_import_rows(
        actor=actor, rows=_read_table(filename, content), confirm_unusual=confirm_unusual, now=now
    )


def weekly_import_rows(
    *, actor: Actor, rows: list[dict[str, object]], confirm_unusual: bool = False, now: datetime | None = None
) -> ImportReport:
    """Coordination (any structure) and partner staff (their own): import rows of weeks (header → cell), all or nothing.

    Each row submits one structure-week; columns are element codes or labels. Row numbers in
    errors are spreadsheet lines (the header is line 1).
    """
    require(actor, Action.WEEKLY_ENTER)
    now = now or utcnow()
    rule = deadline_rule()
    if not rows:
        raise ValidationFailed(FieldError("Fichier", EMPTY_FILE))
    if len(rows) > MAX_ROWS:
        raise ValidationFailed(FieldError("Fichier", TOO_MANY_ROWS))
    # The file is read and checked before the writing transaction opens, so a large faulty file
    # never holds it open.
    with session_scope(actor) as session:
        elements = element_rules(session)
        structures = _structures(session, actor)
    columns, errors = _columns(rows[0].keys(), elements)
    if errors:
        raise ValidationFailed(errors)
    checked, errors = _read_rows(actor, rows, columns, elements, structures, now)
    with session_scope(actor) as session:
        existing = _existing(session, {(r.structure_id, r.week_start) for r in checked})
        old_values = _existing_values(session, [rep.id for rep in existing.values()])
        history = _history_window(session, checked)
        unusual = unusual_rule()
        for row in checked:
            report = existing.get((row.structure_id, row.week_start))
            if is_locked(report, rule, row.week_start, now):
                errors.append(FieldError("Semaine", WEEK_LOCKED, row.line))
                continue
            merged = {**_by_code(old_values.get(report.id, {}) if report else {}, elements), **row.values}
            errors += check_week(
                elements=elements,
                values=merged,
                comments=row.comments,
                capacity=structures[row.structure_id][1],
                complete=True,
                row=row.line,
            )
            if not confirm_unusual:
                past = _past_of(history, row)
                errors += [
                    FieldError(u.label, UNUSUAL_IMPORT.format(detail=str(u)), row.line)
                    for u in find_unusual(elements=elements, values=merged, history=past, rule=unusual)
                ]
        if errors:
            raise ValidationFailed(by_line(errors))
        fresh = [r for r in checked if (r.structure_id, r.week_start) not in existing]
        _insert_reports(
            session,
            actor,
            elements,
            [
                NewReport(r.structure_id, r.week_start, r.values, r.comments, ReportStatus.SUBMITTED.value, now)
                for r in fresh
            ],
            rule,
        )
        for row in checked:
            report = existing.get((row.structure_id, row.week_start))
            if report is not None:
                report = _write_report(session, actor, report, row.structure_id, row.week_start, True, rule, now)
                _write_values(session, report.id, elements, row.values, row.comments)
        weekly_totals_refresh(session, weeks={r.week_start for r in checked})
    return ImportReport(written=len(checked))


@dataclass
class _Row:
    line: int
    structure_id: int
    week_start: date
    values: dict[str, float | None]
    comments: dict[str, str]


def _read_table(filename: str, content: bytes) -> list[dict[str, object]]:
    return [
        {k: (None if is_blank(v) else v) for k, v in record.items()}
        for record in records(read_table(filename, content, max_rows=MAX_ROWS))
    ]


def _columns(headers, elements: list[ElementRule]) -> tuple[dict[str, tuple[str, str | None]], list[FieldError]]:
    """header → (kind, element code): kind is 'structure', 'week', 'value' or 'comment'."""
    by_key = {header_key(e.code): e.code for e in elements} | {header_key(e.label): e.code for e in elements}
    columns, errors = {}, []
    for header in headers:
        key = header_key(header)
        if key == STRUCTURE_COLUMN:
            columns[header] = ("structure", None)
        elif key == WEEK_COLUMN:
            columns[header] = ("week", None)
        elif key in by_key:
            columns[header] = ("value", by_key[key])
        elif key.startswith(COMMENT_PREFIX) and key.removeprefix(COMMENT_PREFIX) in by_key:
            columns[header] = ("comment", by_key[key.removeprefix(COMMENT_PREFIX)])
        elif key.startswith("unnamed"):
            continue  # an empty spreadsheet column
        else:
            errors.append(FieldError(str(header), UNKNOWN_COLUMN, 1))
    if not any(kind == "week" for kind, _ in columns.values()):
        errors.append(FieldError("semaine", WEEK_COLUMN_MISSING, 1))
    return columns, errors


def _structures(session, actor: Actor) -> dict[int, tuple[str, int]]:
    stmt = select(Structure.id, Structure.name, Structure.capacity)
    if actor.is_partner:
        stmt = stmt.where(Structure.id == actor.structure_id)
    return {sid: (name, capacity) for sid, name, capacity in session.execute(stmt)}


def _read_rows(actor: Actor, rows, columns, elements, structures, now) -> tuple[list[_Row], list[FieldError]]:
    by_name = {name.strip().lower(): sid for sid, (name, _) in structures.items()}
    checked, errors, seen = [], [], {}
    for index, raw in enumerate(rows):
        line = index + 2
        if all(is_blank(v) for v in raw.values()):
            continue
        cells = {kind: [] for kind in ("structure", "week", "value", "comment")}
        for header, value in raw.items():
            if header in columns:
                kind, code = columns[header]
                cells[kind].append((code, value))
        structure_id = _structure_of(actor, cells["structure"], by_name, structures, line, errors)
        week = parse_week(cells["week"][0][1]) if cells["week"] and not is_blank(cells["week"][0][1]) else None
        if week is None:
            errors.append(FieldError("semaine", WEEK_UNREADABLE, line))
        elif week > current_week(now):
            errors.append(FieldError("semaine", WEEK_IN_FUTURE, line))
        parsed = parse_week_values(
            elements=elements, values=dict(cells["value"]), comments=dict(cells["comment"]), row=line
        )
        errors += parsed.errors
        if structure_id is None or week is None:
            continue
        if (structure_id, week) in seen:
            errors.append(FieldError("semaine", DUPLICATE_ROW.format(line=seen[(structure_id, week)]), line))
            continue
        seen[(structure_id, week)] = line
        checked.append(_Row(line, structure_id, week, parsed.values, parsed.comments))
    if not checked and not errors:
        errors.append(FieldError("Fichier", EMPTY_FILE))
    return checked, errors


def _structure_of(actor, cells, by_name, structures, line, errors) -> int | None:
    value = cells[0][1] if cells else None
    if is_blank(value):
        if actor.is_partner:
            return actor.structure_id
        errors.append(FieldError("structure", STRUCTURE_REQUIRED, line))
        return None
    text = str(value).strip()
    if text.endswith(".0"):
        text = text[:-2]  # a number read from a spreadsheet
    found = int(text) if text.isdigit() and int(text) in structures else by_name.get(text.lower())
    if found is None:
        errors.append(FieldError("structure", STRUCTURE_OTHER if actor.is_partner else STRUCTURE_UNKNOWN, line))
    return found


def _existing(session, keys: set[tuple[int, date]]) -> dict[tuple[int, date], WeeklyReport]:
    if not keys:
        return {}
    structure_ids = sorted({k[0] for k in keys})
    weeks = [k[1] for k in keys]
    reports = session.exec(
        select(WeeklyReport).where(
            WeeklyReport.structure_id.in_(structure_ids), WeeklyReport.week_start.between(min(weeks), max(weeks))
        )
    ).all()
    return {(r.structure_id, r.week_start): r for r in reports if (r.structure_id, r.week_start) in keys}


def _existing_values(session, report_ids: list[int]) -> dict[int, dict[int, float | None]]:
    values: dict[int, dict[int, float | None]] = {}
    if not report_ids:
        return values
    rows = session.execute(
        select(WeeklyValue.report_id, WeeklyValue.element_id, WeeklyValue.value).where(
            WeeklyValue.report_id.in_(report_ids)
        )
    ).all()
    for report_id, element_id, value in rows:
        values.setdefault(report_id, {})[element_id] = value
    return values


def _by_code(values: dict[int, float | None], elements: list[ElementRule]) -> dict[str, float | None]:
    return {e.code: values[e.id] for e in elements if e.id in values}


def _history_window(session, rows: list[_Row]) -> dict[int, list[tuple[date, int, float]]]:
    """Counted values of the structures imported, over the history window of the earliest week imported."""
    if not rows:
        return {}
    weeks = int(setting_get(key="weekly_unusual_history_weeks"))
    first, last = min(r.week_start for r in rows), max(r.week_start for r in rows)
    result: dict[int, list[tuple[date, int, float]]] = {}
    stmt = (
        select(WeeklyReport.structure_id, WeeklyReport.week_start, WeeklyValue.element_id, WeeklyValue.value)
        .join(WeeklyValue, WeeklyValue.report_id == WeeklyReport.id)
        .where(
            WeeklyReport.structure_id.in_(sorted({r.structure_id for r in rows})),
            WeeklyReport.week_start >= first - timedelta(weeks=weeks),
            WeeklyReport.week_start < last,
            WeeklyReport.status.in_((ReportStatus.SUBMITTED.value, ReportStatus.APPROVED.value)),
            WeeklyValue.value.is_not(None),
        )
    )
    for structure_id, week, element_id, value in session.execute(stmt):
        result.setdefault(structure_id, []).append((week, element_id, value))
    return result


def _past_of(history, row: _Row) -> dict[int, list[float]]:
    weeks = int(setting_get(key="weekly_unusual_history_weeks"))
    past: dict[int, list[float]] = {}
    for week, element_id, value in history.get(row.structure_id, []):
        if row.week_start - timedelta(weeks=weeks) <= week < row.week_start:
            past.setdefault(element_id, []).append(value)
    return past


# --- bulk insertion shared by imports and history loads ----------------------------------------


@dataclass
class NewReport:
    structure_id: int
    week_start: date
    values: dict[str, float | None]
    comments: dict[str, str]
    status: str
    submitted_at: datetime | None
    reviewed_at: datetime | None = None
    reviewed_by: str | None = None
    sent_back_reason: str | None = None


def _insert_reports(session, actor: Actor, elements: list[ElementRule], items: list[NewReport], rule) -> None:
    """Insert new reports and their values in a few statements, with one audit entry per report."""
    if not items:
        return
    now = utcnow()
    reports = WeeklyReport.__table__
    session.execute(
        reports.insert(),
        [
            {
                "version": 1,
                "structure_id": i.structure_id,
                "week_start": i.week_start,
                "status": i.status,
                "first_submitted_at": i.submitted_at,
                "submitted_at": i.submitted_at,
                "submitted_late": None if i.submitted_at is None else i.submitted_at > rule.deadline(i.week_start),
                "sent_back_reason": i.sent_back_reason,
                "reviewed_at": i.reviewed_at,
                "reviewed_by": i.reviewed_by,
                "unlocked": i.status == ReportStatus.SENT_BACK.value,
                "unlock_reason": None,
                "updated_by": actor.username,
                "created_at": now,
                "updated_at": now,
            }
            for i in items
        ],
    )
    wanted = {(i.structure_id, i.week_start) for i in items}
    ids = {
        (sid, week): rid
        for rid, sid, week in session.execute(
            sa.select(reports.c.id, reports.c.structure_id, reports.c.week_start).where(
                reports.c.structure_id.in_(sorted({k[0] for k in wanted})),
                reports.c.week_start.between(min(k[1] for k in wanted), max(k[1] for k in wanted)),
            )
        )
        if (sid, week) in wanted
    }
    by_code = {e.code: e.id for e in elements}
    values = [
        {
            "report_id": ids[(i.structure_id, i.week_start)],
            "element_id": by_code[code],
            "value": value,
            "comment": i.comments.get(code),
        }
        for i in items
        for code, value in i.values.items()
        if code in by_code and (value is not None or i.comments.get(code))
    ]
    if values:
        session.execute(WeeklyValue.__table__.insert(), values)
    audit_record(
        session,
        [
            (
                "create",
                reports.name,
                str(ids[(i.structure_id, i.week_start)]),
                None,
                {
                    "structure_id": i.structure_id,
                    "week_start": i.week_start,
                    "status": i.status,
                    "submitted_at": i.submitted_at,
                    "valeurs": {k: v for k, v in i.values.items() if v is not None},
                },
            )
            for i in items
        ],
    )


@dataclass
class HistoricReport:
    """A past report with its original dates, as kept in a previous spreadsheet."""

    structure_id: int
    week_start: date
    values: dict[str, float | None]
    status: str = ReportStatus.APPROVED.value
    submitted_at: datetime | None = None
    reviewed_at: datetime | None = None
    sent_back_reason: str | None = None
    comments: dict[str, str] = field(default_factory=dict)


def weekly_history_load(*, actor: Actor, reports: list[HistoricReport], now: datetime | None = None) -> int:
    """Coordination only: load past reports with their original submission dates (taking over a spreadsheet
    history), all or nothing; weeks already reported are refused. Returns the reports written."""
    require(actor, Action.WEEKLY_REVIEW)
    now = now or utcnow()
    rule = deadline_rule()
    with session_scope(actor) as session:
        elements = element_rules(session)
        structures = _structures(session, actor)
        existing = _existing(session, {(r.structure_id, r.week_start) for r in reports})
        errors, seen = [], set()
        for n, item in enumerate(reports, start=1):
            errors += _history_faults(item, n, structures, existing, seen, now)
            if item.structure_id in structures:
                errors += check_week(
                    elements=elements,
                    values=item.values,
                    comments=item.comments,
                    capacity=structures[item.structure_id][1],
                    complete=item.status != ReportStatus.DRAFT.value,
                    row=n,
                )
            seen.add((item.structure_id, item.week_start))
        if errors:
            raise ValidationFailed(errors[:200])
        _insert_reports(
            session,
            actor,
            elements,
            [
                NewReport(
                    r.structure_id,
                    r.week_start,
                    r.values,
                    r.comments,
                    r.status,
                    r.submitted_at,
                    r.reviewed_at,
                    actor.username if r.reviewed_at else None,
                    r.sent_back_reason,
                )
                for r in reports
            ],
            rule,
        )
        weekly_totals_refresh(session, weeks={r.week_start for r in reports})
    return len(reports)


def _history_faults(item: HistoricReport, n: int, structures, existing, seen, now) -> list[FieldError]:
    faults = []
    if item.structure_id not in structures:
        faults.append(FieldError("structure", STRUCTURE_UNKNOWN, n))
    if item.week_start.weekday() != 0 or item.week_start > current_week(now):
        faults.append(FieldError("semaine", WEEK_UNREADABLE, n))
    if (item.structure_id, item.week_start) in existing or (item.structure_id, item.week_start) in seen:
        faults.append(FieldError("semaine", REPORT_EXISTS, n))
    if item.status not in ReportStatus.labels():
        faults.append(FieldError("statut", BAD_STATUS, n))
    elif item.status != ReportStatus.DRAFT.value and item.submitted_at is None:
        faults.append(FieldError("statut", SUBMISSION_MISSING, n))
    if item.status == ReportStatus.SENT_BACK.value and not item.sent_back_reason:
        faults.append(FieldError("motif", "motif de renvoi absent", n))
    return faults
