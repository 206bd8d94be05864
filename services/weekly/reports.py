"""Weekly figures of one structure: entry, submission, review (send back, approve, unlock).

A structure-week has no row until someone saves it: it is then *due* (deadline not passed) or
*overdue*. Saved, it is a draft, then submitted, maybe sent back with a reason, and approved.
After approval, or once the lock delay after the deadline has passed, only the coordination can
reopen it (an audited unlock). Every save names the version it started from: a second concurrent
save is refused with the figures someone else changed meanwhile.

The calendar (weeks owed, their state, deadlines, locks) is in services/weekly/schedule.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import select

from core.access import Action, Actor, require, require_structure
from core.audit import audit_record
from core.db import session_scope
from core.errors import AccessDenied, Change, ConcurrentEdit, FieldError, NotFound, ValidationFailed
from models.base import utcnow
from models.structure import Structure
from models.weekly import ReportStatus, WeeklyElement, WeeklyReport, WeeklyValue
from services.admin.settings import setting_get
from services.people import people_names
from services.weekly.elements import element_rules
from services.weekly.schedule import WeekState, _structure, deadline_rule, is_locked, unusual_rule, week_state
from services.weekly.stock_flow import check_stock_flow
from services.weekly.totals import COUNTED, weekly_totals_refresh
from services.weekly.validation import (
    CHILDREN_PRESENT,
    ElementRule,
    UnusualValues,
    check_week,
    find_unusual,
    fr_value,
    parse_week_values,
)
from services.weekly.weeks import DeadlineRule, current_week, week_label

NOT_A_MONDAY = "la semaine doit être désignée par son lundi"
FUTURE_WEEK = "cette semaine n'a pas encore commencé"
LOCKED = (
    "Semaine verrouillée (validée ou échéance dépassée depuis plus de {weeks} semaines) : seule la "
    "coordination peut la rouvrir."
)
ALREADY_SUBMITTED = "déjà envoyés : enregistrez vos corrections avec « Envoyer à la coordination »"
REASON_REQUIRED = "indiquez le motif"
NOT_SUBMITTED = "ces chiffres n'ont pas été envoyés"
NOT_LOCKED = "cette semaine n'est pas verrouillée"
NOTHING_TO_REVIEW = "Aucun chiffre enregistré pour cette semaine."
STATUS_FIELD = "Statut"
SEEN_STATUS = "_statut"


@dataclass(frozen=True)
class EntryRow:
    element_id: int
    code: str
    label: str
    help_text: str
    value_kind: str
    required: bool
    value: float | None
    comment: str | None
    previous_value: float | None


@dataclass(frozen=True)
class WeekEntry:
    """One structure-week as the entry page shows it, with what the acting person may do."""

    structure_id: int
    structure_name: str
    capacity: int
    week_start: date
    version: int  # 0 while nothing is saved
    status: str | None
    state: WeekState
    deadline: datetime
    lock_at: datetime
    locked: bool
    editable: bool
    first_submitted_at: datetime | None
    submitted_at: datetime | None
    submitted_late: bool | None
    sent_back_reason: str | None
    reviewed_at: datetime | None
    reviewed_by: str | None  # people's names, as shown (their log-in name if the account is gone)
    unlocked: bool
    unlock_reason: str | None
    updated_by: str | None
    rows: list[EntryRow] = field(default_factory=list)

    @property
    def label(self) -> str:
        return week_label(self.week_start)

    def seen(self) -> dict[str, float | str | None]:
        """What the page had on screen: handed back on save to name what others changed meanwhile."""
        return {SEEN_STATUS: self.status, **{row.code: row.value for row in self.rows}}


def weekly_entry_get(*, actor: Actor, structure_id: int, week_start: date, now: datetime | None = None) -> WeekEntry:
    """Coordination (any structure) and partner staff (their own): one week's figures, last week's beside."""
    require(actor, Action.WEEKLY_ENTER)
    require_structure(actor, structure_id)
    now = now or utcnow()
    _check_week(week_start, now)
    with session_scope(actor) as session:
        return _entry(session, actor, _structure(session, structure_id), week_start, now, deadline_rule())


def weekly_save(
    *,
    actor: Actor,
    structure_id: int,
    week_start: date,
    values: dict[str, object],
    comments: dict[str, object] | None = None,
    expected_version: int,
    seen: dict | None = None,
    submit: bool = False,
    confirm_unusual: bool = False,
    now: datetime | None = None,
) -> WeekEntry:
    """Coordination (any structure) and partner staff (their own): save a week's figures as a draft or submit them.

    Everything is checked before writing (faults listed in French); values far from the
    structure's history need `confirm_unusual`; a save started from an older `expected_version`
    (0 when no report existed) is refused with what changed meanwhile.
    """
    require(actor, Action.WEEKLY_ENTER)
    require_structure(actor, structure_id)
    now = now or utcnow()
    _check_week(week_start, now)
    rule = deadline_rule()
    with session_scope(actor) as session:
        structure = _structure(session, structure_id)
        elements = element_rules(session)
        report = _report(session, structure_id, week_start)
        _check_seen_version(session, report, expected_version, seen)
        if is_locked(report, rule, week_start, now):
            raise AccessDenied(LOCKED.format(weeks=rule.lock_weeks))
        if not submit and report is not None and report.status == ReportStatus.SUBMITTED.value:
            raise ValidationFailed(FieldError(STATUS_FIELD, ALREADY_SUBMITTED))
        parsed = parse_week_values(elements=elements, values=values, comments=comments)
        errors = parsed.errors + check_week(
            elements=elements,
            values=parsed.values,
            comments=parsed.comments,
            capacity=structure.capacity,
            complete=submit,
        )
        if submit:
            errors += _stock_flow_faults(session, structure_id, week_start, elements, parsed.values, parsed.comments)
        if errors:
            raise ValidationFailed(errors)
        if not confirm_unusual:
            history = _history(
                session, [structure_id], week_start, int(setting_get(key="weekly_unusual_history_weeks"))
            )
            unusual = find_unusual(
                elements=elements, values=parsed.values, history=history.get(structure_id, {}), rule=unusual_rule()
            )
            if unusual:
                raise UnusualValues(unusual)
        report = _write_report(session, actor, report, structure_id, week_start, submit, rule, now)
        _write_values(session, report.id, elements, parsed.values, parsed.comments)
        weekly_totals_refresh(session, weeks=[week_start])
        return _entry(session, actor, structure, week_start, now, rule)


def weekly_send_back(
    *,
    actor: Actor,
    structure_id: int,
    week_start: date,
    reason: str,
    expected_version: int,
    now: datetime | None = None,
) -> WeekEntry:
    """Coordination only: return submitted figures to the structure with the reason; it may correct them."""
    require(actor, Action.WEEKLY_REVIEW)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(FieldError("Motif", REASON_REQUIRED))

    def change(report: WeeklyReport, now: datetime) -> None:
        if report.status not in COUNTED:
            raise ValidationFailed(FieldError(STATUS_FIELD, NOT_SUBMITTED))
        report.status, report.sent_back_reason, report.unlocked = ReportStatus.SENT_BACK.value, reason, True

    return _review(actor, structure_id, week_start, expected_version, now, change)


def weekly_approve(
    *, actor: Actor, structure_id: int, week_start: date, expected_version: int, now: datetime | None = None
) -> WeekEntry:
    """Coordination only: approve submitted figures; they lock until an unlock."""
    require(actor, Action.WEEKLY_REVIEW)

    def change(report: WeeklyReport, now: datetime) -> None:
        if report.status != ReportStatus.SUBMITTED.value:
            raise ValidationFailed(FieldError(STATUS_FIELD, NOT_SUBMITTED))
        report.status, report.unlocked = ReportStatus.APPROVED.value, False

    return _review(actor, structure_id, week_start, expected_version, now, change)


def weekly_unlock(
    *,
    actor: Actor,
    structure_id: int,
    week_start: date,
    reason: str,
    expected_version: int,
    now: datetime | None = None,
) -> WeekEntry:
    """Coordination only: reopen a locked or approved week for correction, with the reason (audited)."""
    require(actor, Action.WEEKLY_REVIEW)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(FieldError("Motif", REASON_REQUIRED))
    now = now or utcnow()
    _check_week(week_start, now)
    rule = deadline_rule()
    with session_scope(actor) as session:
        structure = _structure(session, structure_id)
        report = _report(session, structure_id, week_start)
        _check_seen_version(session, report, expected_version, None)
        if not is_locked(report, rule, week_start, now):
            raise ValidationFailed(FieldError(STATUS_FIELD, NOT_LOCKED))
        if report is None:
            report = WeeklyReport(structure_id=structure_id, week_start=week_start, updated_by=actor.username)
        if report.status == ReportStatus.APPROVED.value:
            report.status = ReportStatus.SUBMITTED.value
        report.unlocked, report.unlock_reason = True, reason
        report.reviewed_at, report.reviewed_by = now, actor.username
        _flush_report(session, report, actor, now)
        weekly_totals_refresh(session, weeks=[week_start])
        return _entry(session, actor, structure, week_start, now, rule)


# --- internals shared by the weekly services -------------------------------------------------------


def _check_week(week_start: date, now: datetime) -> None:
    if week_start.weekday() != 0:
        raise ValidationFailed(FieldError("Semaine", NOT_A_MONDAY))
    if week_start > current_week(now):
        raise ValidationFailed(FieldError("Semaine", FUTURE_WEEK))


def _report(session, structure_id: int, week_start: date) -> WeeklyReport | None:
    return session.exec(
        select(WeeklyReport).where(WeeklyReport.structure_id == structure_id, WeeklyReport.week_start == week_start)
    ).first()


def _values(session, report_id: int | None) -> dict[int, tuple[float | None, str | None]]:
    """element id → (value, comment) of a report."""
    if report_id is None:
        return {}
    rows = session.execute(
        select(WeeklyValue.element_id, WeeklyValue.value, WeeklyValue.comment).where(WeeklyValue.report_id == report_id)
    ).all()
    return {element_id: (value, comment) for element_id, value, comment in rows}


def _stock_flow_faults(session, structure_id, week_start, elements, values, comments) -> list[FieldError]:
    """A submitted week whose children present do not follow from last week's and the flows needs a comment."""
    present = next((e for e in elements if e.code == CHILDREN_PRESENT), None)
    previous = _report(session, structure_id, week_start - timedelta(weeks=1))
    if present is None or previous is None:
        return []
    previous_present = _values(session, previous.id).get(present.id, (None, None))[0]
    return check_stock_flow(
        values=values, comments=comments, previous_present=previous_present, present_label=present.label
    )


def _check_seen_version(session, report: WeeklyReport | None, expected_version: int, seen: dict | None) -> None:
    """Refuse a save started from another version, naming each value someone else changed."""
    current = report.version if report is not None else 0
    if current == expected_version:
        return
    changes = []
    if seen:
        if SEEN_STATUS in seen and seen[SEEN_STATUS] != (report.status if report else None):
            changes.append(
                Change(
                    STATUS_FIELD,
                    ReportStatus.label_of(seen[SEEN_STATUS]) or "non enregistré",
                    ReportStatus.label_of(report.status) if report else "non enregistré",
                )
            )
        now_values = {k: v for k, (v, _) in _values(session, report.id if report else None).items()}
        for element in element_rules(session, active_only=False):
            if element.code in seen and seen[element.code] != now_values.get(element.id):
                changes.append(
                    Change(element.label, fr_value(seen[element.code]), fr_value(now_values.get(element.id)))
                )
    raise ConcurrentEdit(changes)


def _write_report(
    session,
    actor: Actor,
    report: WeeklyReport | None,
    structure_id: int,
    week_start: date,
    submit: bool,
    rule: DeadlineRule,
    now: datetime,
) -> WeeklyReport:
    if report is None:
        report = WeeklyReport(structure_id=structure_id, week_start=week_start, updated_by=actor.username)
    if submit:
        if report.first_submitted_at is None:
            report.first_submitted_at = now
            report.submitted_late = now > rule.deadline(week_start)
        report.submitted_at = now
        report.status = ReportStatus.SUBMITTED.value
        report.unlocked = False
    _flush_report(session, report, actor, now)
    return report


def _flush_report(session, report: WeeklyReport, actor: Actor, now: datetime) -> None:
    """Write the report row; its version moves, so a concurrent save from the same version fails here."""
    report.updated_at, report.updated_by = now, actor.username
    session.add(report)
    if report.id is not None:
        flag_modified(report, "updated_at")  # always an UPDATE: the version moves even if nothing else did
    try:
        session.flush()
    except StaleDataError as error:
        raise ConcurrentEdit() from error
    except IntegrityError as error:  # two first saves of the same week at once
        raise ConcurrentEdit() from error


def _write_values(
    session, report_id: int, elements: list[ElementRule], values: dict[str, float | None], comments: dict[str, str]
) -> None:
    """Replace the report's values of the given elements, with one audit entry listing what changed."""
    table = WeeklyValue.__table__
    old = _values(session, report_id)
    before, after, rows = {}, {}, []
    for element in elements:
        if element.code not in values and element.code not in comments:
            continue
        new = (values.get(element.code), comments.get(element.code) or None)
        previous = old.get(element.id, (None, None))
        if new != previous:
            before[element.code], after[element.code] = _audit_value(*previous), _audit_value(*new)
        if new != (None, None):
            rows.append({"report_id": report_id, "element_id": element.id, "value": new[0], "comment": new[1]})
    touched = [e.id for e in elements if e.code in values or e.code in comments]
    if touched:
        session.execute(table.delete().where(table.c.report_id == report_id, table.c.element_id.in_(touched)))
    if rows:
        session.execute(table.insert(), rows)
    if after:
        audit_record(session, [("update" if old else "create", table.name, str(report_id), before, after)])


def _audit_value(value: float | None, comment: str | None):
    return value if comment is None else {"valeur": value, "commentaire": comment}


def _history(session, structure_ids: list[int], before_week: date, weeks: int) -> dict[int, dict[int, list[float]]]:
    """Recent counted values per structure and element, before `before_week` (small: weeks × elements)."""
    rows = session.execute(
        select(WeeklyReport.structure_id, WeeklyValue.element_id, WeeklyValue.value)
        .join(WeeklyValue, WeeklyValue.report_id == WeeklyReport.id)
        .where(
            WeeklyReport.structure_id.in_(structure_ids),
            WeeklyReport.week_start < before_week,
            WeeklyReport.week_start >= before_week - timedelta(weeks=weeks),
            WeeklyReport.status.in_(COUNTED),
            WeeklyValue.value.is_not(None),
        )
    ).all()
    history: dict[int, dict[int, list[float]]] = {}
    for structure_id, element_id, value in rows:
        history.setdefault(structure_id, {}).setdefault(element_id, []).append(value)
    return history


def _review(actor: Actor, structure_id: int, week_start: date, expected_version: int, now, change) -> WeekEntry:
    now = now or utcnow()
    _check_week(week_start, now)
    rule = deadline_rule()
    with session_scope(actor) as session:
        structure = _structure(session, structure_id)
        report = _report(session, structure_id, week_start)
        if report is None:
            raise NotFound(NOTHING_TO_REVIEW)
        _check_seen_version(session, report, expected_version, None)
        change(report, now)
        report.reviewed_at, report.reviewed_by = now, actor.username
        _flush_report(session, report, actor, now)
        weekly_totals_refresh(session, weeks=[week_start])
        return _entry(session, actor, structure, week_start, now, rule)


def _entry(
    session, actor: Actor, structure: Structure, week_start: date, now: datetime, rule: DeadlineRule
) -> WeekEntry:
    report = _report(session, structure.id, week_start)
    previous = _report(session, structure.id, week_start - timedelta(weeks=1))
    values = _values(session, report.id if report else None)
    previous_values = _values(session, previous.id if previous else None)
    elements = session.exec(
        select(WeeklyElement).where(WeeklyElement.active == True).order_by(WeeklyElement.position, WeeklyElement.id)
    ).all()
    locked = is_locked(report, rule, week_start, now)
    names = people_names(session, [report.updated_by, report.reviewed_by] if report else [])
    rows = [
        EntryRow(
            e.id,
            e.code,
            e.label,
            e.help_text,
            e.value_kind,
            e.required,
            *values.get(e.id, (None, None)),
            previous_values.get(e.id, (None, None))[0],
        )
        for e in elements
    ]
    return WeekEntry(
        structure_id=structure.id,
        structure_name=structure.name,
        capacity=structure.capacity,
        week_start=week_start,
        version=report.version if report else 0,
        status=report.status if report else None,
        state=week_state(report, rule.deadline(week_start), now),
        deadline=rule.deadline(week_start),
        lock_at=rule.lock_at(week_start),
        locked=locked,
        editable=not locked and not (report is not None and report.status == ReportStatus.APPROVED.value),
        first_submitted_at=report.first_submitted_at if report else None,
        submitted_at=report.submitted_at if report else None,
        submitted_late=report.submitted_late if report else None,
        sent_back_reason=report.sent_back_reason if report else None,
        reviewed_at=report.reviewed_at if report else None,
        reviewed_by=names.get(report.reviewed_by, report.reviewed_by) if report else None,
        unlocked=report.unlocked if report else False,
        unlock_reason=report.unlock_reason if report else None,
        updated_by=names.get(report.updated_by, report.updated_by) if report else None,
        rows=rows,
    )
