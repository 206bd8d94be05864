"""The request export's columns on the Human Trafficking Case Data Standard (HTCDS, IOM), version 2.0.

Columns named with a standard prefix (``cas_``, ``prs_``, ``vic_``) carry the standard's field names
and picklist value names exactly (tests/data/htcds_2.0_fields.csv keeps the field list the test
checks them against). The other columns are the network's own, in French, and every local convention
is written in the export's notes (:data:`NOTES`), shown as a sheet of the XLSX.
"""

from __future__ import annotations

from models.child import ClosureReason, ExitReason, RequestStatus
from models.structure import ExploitationForm

HTCDS_VERSION = "2.0"
HTCDS_SOURCE = "https://github.com/UNMigration/HTCDS (HTCDS Field Standards 2.0)"

# vic_TypeOfExploitation (multiselect) and, for labour in a household, vic_ForcedLabourIndustry (ISIC v4
# section). Forced criminality has no type of its own in the standard: it is recorded as "Other".
EXPLOITATION_TYPE: dict[str, str] = {
    ExploitationForm.SEXUAL.value: "SexualExploitation",
    ExploitationForm.LABOUR.value: "ForcedLabour",
    ExploitationForm.CRIMINALITY.value: "Other",
    ExploitationForm.BEGGING.value: "ForcedBegging",
    ExploitationForm.DOMESTIC.value: "Servitude",
    ExploitationForm.MARRIAGE.value: "ForcedMarriage",
    ExploitationForm.OTHER.value: "Other",
}
FORCED_LABOUR_INDUSTRY: dict[str, str] = {
    ExploitationForm.DOMESTIC.value: "T_ActivitiesOfHouseholdsAsEmployers",
}
GENDER: dict[str, str] = {"F": "Feminine", "M": "Masculine", "X": "NonSpecifiedUnknown"}

# A child who left towards another protection service is "ClosedReferred"; any other end "Closed".
REFERRED_EXITS = {ExitReason.REORIENTED.value, ExitReason.ASE.value, ExitReason.FAMILY.value}
REFERRED_CLOSURES = {ClosureReason.HANDLED_LOCALLY.value}
MULTI_SEPARATOR = ";"


def case_status(status: str, *, left: bool, exit_reason: str | None, closure_reason: str | None) -> str:
    """``cas_Status``: Active while the request is handled or the child is in a shelter; Closed or
    ClosedReferred once the request closed without placement or the child has left."""
    if status == RequestStatus.CLOSED.value:
        return "ClosedReferred" if closure_reason in REFERRED_CLOSURES else "Closed"
    if status == RequestStatus.PLACED.value and left:
        return "ClosedReferred" if exit_reason in REFERRED_EXITS else "Closed"
    return "Active"


def exploitation_types(forms: list[str]) -> str:
    """``vic_TypeOfExploitation``: the distinct types, sorted, joined by ";"."""
    return MULTI_SEPARATOR.join(sorted({EXPLOITATION_TYPE[f] for f in forms}))


def forced_labour_industry(forms: list[str]) -> str:
    """``vic_ForcedLabourIndustry`` (a single picklist): the industry when the forms name one, else empty."""
    industries = sorted({FORCED_LABOUR_INDUSTRY[f] for f in forms if f in FORCED_LABOUR_INDUSTRY})
    return industries[0] if len(industries) == 1 else ""


def location_code(departement_code: str) -> str:
    """A département as an ISO 3166-2 subdivision code: "FR-93", "FR-2A", "FR-971"."""
    return f"FR-{departement_code}" if departement_code else ""


NOTES: list[tuple[str, str]] = [
    (
        "Standard",
        f"Human Trafficking Case Data Standard (HTCDS, OIM), version {HTCDS_VERSION} ; source : {HTCDS_SOURCE}. "
        "Les colonnes préfixées cas_, prs_ et vic_ portent les noms de champs et les valeurs du standard ; "
        "les autres colonnes sont propres au réseau.",
    ),
    (
        "vic_LocationOfExploitation",
        "Convention locale : le standard prévoit un lien vers une localisation ; l'export écrit le département "
        "d'exploitation sous la forme de son code ISO 3166-2 (FR-93 pour la Seine-Saint-Denis, FR-2A, FR-971).",
    ),
    (
        "departement_demandeur",
        "Même écriture FR-xx, pour qu'un tableur garde le code tel quel (09 deviendrait 9).",
    ),
    (
        "vic_TypeOfExploitation",
        "Plusieurs valeurs séparées par « ; ». La criminalité forcée n'a pas de type propre dans le standard : "
        "elle est écrite Other, la colonne formes_exploitation garde la forme du réseau.",
    ),
    (
        "vic_ForcedLabourIndustry",
        "Secteur (sections de la CITI rév. 4) : l'exploitation domestique est rattachée à "
        "T_ActivitiesOfHouseholdsAsEmployers ; vide quand le secteur n'est pas connu.",
    ),
    (
        "cas_Status",
        "Active tant que la sollicitation est traitée ou que l'enfant est accueilli ; après la sortie ou une "
        "clôture sans placement, ClosedReferred si l'enfant est confié à un autre service (réorientation, ASE, "
        "retour en famille sous protection, prise en charge locale), Closed sinon.",
    ),
    ("prs_Gender", "F : Feminine, M : Masculine, non précisé : NonSpecifiedUnknown."),
    ("Dates", "Dates au format jj/mm/aaaa dans le classeur, AAAA-MM-JJ dans le CSV."),
]


def export_workbook(columns: list[str], rows: list[dict]) -> bytes:
    """The request export as XLSX: one sheet of rows (dates as dates, header frozen and repeated on
    every printed page) and a sheet of notes on the standard and the local conventions."""
    from io import BytesIO

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from core.xlsx_layout import append_row, fit_row_heights, page_setup, set_widths

    title = "Sollicitations — export HTCDS"
    book = Workbook()
    sheet = book.active
    sheet.title = "Sollicitations"
    append_row(sheet, columns)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        append_row(sheet, [row[c] for c in columns])
    set_widths(sheet, [max(12, min(40, len(c) + 2)) for c in columns])
    page_setup(sheet, title=title, version=f"HTCDS {HTCDS_VERSION}", landscape=True, title_rows="1:1", freeze="B2")
    sheet.auto_filter.ref = sheet.dimensions

    notes = book.create_sheet("Notes")
    append_row(notes, ["Colonne", "Convention"])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for column, text in NOTES:
        append_row(notes, [column, text])
        notes.cell(notes.max_row, 2).alignment = Alignment(wrap_text=True, vertical="top")
    set_widths(notes, [28, 100])
    fit_row_heights(notes)
    page_setup(notes, title=title, version=f"HTCDS {HTCDS_VERSION}", landscape=True, title_rows="1:1", freeze="A2")
    out = BytesIO()
    book.save(out)
    return out.getvalue()
