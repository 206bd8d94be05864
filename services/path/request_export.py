"""Requests exported for the coordination (CSV or spreadsheet), one row per request with the
HTCDS-compatible columns (formulas neutralised by the core export cell helpers).
"""

from __future__ import annotations

import csv
import io
from datetime import date

from sqlmodel import select

from core.access import Action, Actor, require
from core.db import session_scope
from core.spreadsheet import csv_dict_rows
from models.child import (
    Child,
    ChildRequest,
    NationalityGroup,
    Placement,
    RequesterKind,
    RequestStatus,
    RiskFlag,
)
from models.structure import ExploitationForm, Structure
from services.report import htcds

EXPORT_COLUMNS = [
    "code_enfant",
    "cas_IncomingReferralDate",
    "cas_Status",
    "statut",
    "demandeur",
    "departement_demandeur",
    "age",
    "prs_Gender",
    "groupe_nationalite",
    "vic_TypeOfExploitation",
    "vic_ForcedLabourIndustry",
    "formes_exploitation",
    "vic_LocationOfExploitation",
    "risques",
    "structure_accueil",
    "date_arrivee",
    "date_sortie",
    "motif_sortie",
]


def request_export_rows(*, actor: Actor, start: date | None = None, end: date | None = None) -> list[dict]:
    """Coordination only: one row per request received in the period, with HTCDS columns (pseudonymous)."""
    require(actor, Action.PATH_REQUEST_MANAGE)
    from models.child import ExitReason

    conditions = []
    if start:
        conditions.append(ChildRequest.received_on >= start)
    if end:
        conditions.append(ChildRequest.received_on <= end)
    with session_scope(actor) as session:
        rows = session.exec(
            select(
                ChildRequest,
                Child.code,
                Child.sex,
                Child.nationality_group,
                Structure.name,
                Placement.arrival_date,
                Placement.end_date,
                Placement.exit_reason,
            )
            .join(Child, Child.id == ChildRequest.child_id)
            .join(Placement, Placement.request_id == ChildRequest.id, isouter=True)
            .join(Structure, Structure.id == Placement.structure_id, isouter=True)
            .where(*conditions)
            .order_by(ChildRequest.received_at)
        ).all()
    out = []
    for r, code, sex, nationality, structure, arrival, end_date, exit_reason in rows:
        out.append(
            {
                "code_enfant": code,
                "cas_IncomingReferralDate": r.received_on,
                "cas_Status": htcds.case_status(
                    r.status, left=end_date is not None, exit_reason=exit_reason, closure_reason=r.closure_reason
                ),
                "statut": RequestStatus.label_of(r.status),
                "demandeur": RequesterKind.label_of(r.requester_kind),
                "departement_demandeur": htcds.location_code(r.requester_departement_code),
                "age": r.child_age,
                "prs_Gender": htcds.GENDER.get(sex, "NonSpecifiedUnknown"),
                "groupe_nationalite": NationalityGroup.label_of(nationality) or "Inconnu",
                "vic_TypeOfExploitation": htcds.exploitation_types(r.exploitation_forms),
                "vic_ForcedLabourIndustry": htcds.forced_labour_industry(r.exploitation_forms),
                "formes_exploitation": ";".join(ExploitationForm.label_of(f) for f in r.exploitation_forms),
                "vic_LocationOfExploitation": htcds.location_code(r.exploitation_departement_code),
                "risques": ";".join(RiskFlag.label_of(f) for f in r.risk_flags),
                "structure_accueil": structure or "",
                "date_arrivee": arrival,
                "date_sortie": end_date,
                "motif_sortie": ExitReason.label_of(exit_reason) if exit_reason else "",
            }
        )
    return out


def request_export(*, actor: Actor, fmt: str = "csv", start: date | None = None, end: date | None = None) -> bytes:
    """Coordination only: the request export as CSV (UTF-8, semicolons, ISO dates) or XLSX bytes (real
    dates, and a sheet of notes on the HTCDS conventions)."""
    rows = request_export_rows(actor=actor, start=start, end=end)
    if fmt == "xlsx":
        return htcds.export_workbook(EXPORT_COLUMNS, rows)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS, delimiter=";")
    writer.writeheader()
    writer.writerows(csv_dict_rows([{k: "" if v is None else v for k, v in row.items()} for row in rows]))
    return buffer.getvalue().encode("utf-8-sig")
