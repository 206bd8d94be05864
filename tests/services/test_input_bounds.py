"""Every input bounded: over-long texts, NUL characters, huge numbers and « nan » are refused in French,
by the services and the imports, with nothing written; the forms carry the same limits as the schema."""

from __future__ import annotations

import ast
import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import Workbook

from core.access import SYSTEM
from core.bounds import NUL_REFUSED, text_limit
from core.config import PROJECT_ROOT
from core.errors import ValidationFailed
from core.imports import FILE_TOO_BIG, MAX_IMPORT_BYTES, MAX_IMPORT_ROWS, TOO_MANY_ROWS
from models.signalement import Signalement, SignalementEvent
from models.structure import Structure, StructureCreate, StructureUpdate
from models.user import Role
from services.directory import structure_import as importer
from services.directory.structure_listing import structure_list
from services.directory.structures import structure_create, structure_update
from services.signalements.declarations import Transmission, signalement_pass_on
from services.training.imports import training_import_read
from services.weekly import imports as weekly_import
from tests.factories import make_request, make_signalement, make_structure, make_user, make_weekly_elements

NOW = datetime(2025, 3, 5, 10, 0, tzinfo=UTC)  # week 2025-W07 still open for corrections
# Names of exceptions, tables or drivers a user must never read.
TECHNICAL = re.compile(r"Error|Exception|psycopg|sqlite|varchar|StringData|Numeric|\bNUL\b|\\x00|\(\w+\)$")
HEADER = [
    "N°",
    "Nom",
    "Type",
    "Département",
    "Commune",
    "Places",
    "Âge minimum",
    "Âge maximum",
    "Sexes accueillis",
    "Formes d'exploitation",
    "Statut",
    "Date d'adhésion",
    "Téléphone",
    "E-mail",
]
GOOD = [
    "",
    "Lieu de vie Nouveau",
    "Lieu de vie et d'accueil",
    "48",
    "Mende",
    "6",
    "12",
    "17",
    "Fille",
    "Exploitation sexuelle",
    "Active",
    "01/02/2024",
    "",
    "",
]


def _french(messages: list[str]) -> None:
    assert messages
    for message in messages:
        assert not TECHNICAL.search(message), message


def _refused(call) -> list[str]:
    with pytest.raises(ValidationFailed) as refused:
        call()
    messages = [str(e) for e in refused.value.errors]
    _french(messages)
    return messages


def _csv(rows: list[list], header: list[str] = HEADER) -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=";").writerows([header, *rows])
    return out.getvalue().encode()


def _xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- services --------------------------------------------------------------------------------------


def test_signalement_texts_are_bounded(db):
    partner = make_user(Role.PARTENAIRE)
    limit = text_limit(Signalement, "actions_detail")
    messages = _refused(lambda: make_signalement(partner, actions_detail="x" * 700))
    assert f"Précisions sur les mesures : {limit} caractères au plus" in messages
    assert any(m.startswith("Faits : 5") for m in _refused(lambda: make_signalement(partner, facts="f" * 100_000)))
    assert f"Faits : {NUL_REFUSED}" in _refused(lambda: make_signalement(partner, facts="Les faits\x00 sont là."))
    summary = make_signalement(partner)
    coordination = make_user(Role.COORDINATION)
    detail_limit = text_limit(SignalementEvent, "recipient_detail")
    messages = _refused(
        lambda: signalement_pass_on(
            actor=coordination,
            signalement_id=summary.id,
            data=Transmission(
                recipient_kinds=["police"],
                channel="telephone",
                at=datetime.now(UTC) - timedelta(minutes=5),
                detail="p" * (detail_limit + 1),
            ),
        )
    )
    assert f"Précisions : {detail_limit} caractères au plus" in messages


def _create(**values):
    # As the directory page builds it: the form's values, unchecked until the service.
    data = dict(
        name="Maison",
        kind="mecs",
        departement_code="35",
        commune="Rennes",
        capacity=10,
        age_min=12,
        age_max=17,
        sexes=["F"],
        exploitation_forms=["sexuelle"],
        services=[],
        status="active",
    )
    return structure_create(actor=SYSTEM, data=StructureCreate.model_construct(**{**data, **values}))


def test_structure_texts_are_bounded_on_create_and_update(db):
    commune = text_limit(Structure, "commune")
    assert f"Commune : {commune} caractères au plus" in _refused(lambda: _create(commune="c" * 100_000))
    assert f"Nom : {NUL_REFUSED}" in _refused(lambda: _create(name="Maison\x00"))
    existing = make_structure()
    messages = _refused(
        lambda: structure_update(
            actor=SYSTEM,
            structure_id=existing.id,
            expected_version=existing.version,
            changes=StructureUpdate.model_construct(commune="c" * (commune + 1)),
        )
    )
    assert f"Commune : {commune} caractères au plus" in messages


def test_the_guard_refuses_what_a_service_did_not_check(db):
    request = make_request()
    from services.path.requests import request_close

    messages = _refused(
        lambda: request_close(
            actor=SYSTEM, request_id=request.id, expected_version=request.version, reason="autre", detail="d" * 5000
        )
    )
    assert any("300 caractères au plus" in m for m in messages)


def test_weekly_figures_out_of_range_are_refused(db):
    make_weekly_elements()
    partner = make_user(Role.PARTENAIRE)
    header = "structure;semaine;professionnels_en_poste;commentaire_professionnels_en_poste\n"
    messages = _refused(
        lambda: weekly_import.weekly_import_file(
            actor=partner,
            filename="s.csv",
            confirm_unusual=True,
            now=NOW,
            content=(header + ";2025-W07;1000000000000;\n").encode(),
        )
    )
    assert any("hors des limites" in m for m in messages)
    messages = _refused(
        lambda: weekly_import.weekly_import_file(
            actor=partner,
            filename="s.csv",
            confirm_unusual=True,
            now=NOW,
            content=(header + ";2025-W07;nan;\n").encode(),
        )
    )
    assert any("nombre attendu" in m for m in messages)
    messages = _refused(
        lambda: weekly_import.weekly_import_file(
            actor=partner, filename="s.csv", now=NOW, content=(header + ";2025-W07;3;avec\x00nul\n").encode()
        )
    )
    assert any(NUL_REFUSED in m for m in messages)


# --- imports --------------------------------------------------------------------------------------


def _import_errors(content: bytes, filename: str = "a.csv") -> list[str]:
    report = importer.structure_import(actor=make_user(Role.COORDINATION), content=content, filename=filename)
    assert not report.ok and report.written == 0
    messages = [str(e) for e in report.errors]
    _french(messages)
    return messages


def test_structure_import_refuses_nul_huge_numbers_and_long_texts(db):
    nul = [*GOOD[:1], "Maison\x00", *GOOD[2:]]
    huge_id = ["1" + "0" * 30, *GOOD[1:]]
    long_commune = [*GOOD[:4], "c" * 100_000, *GOOD[5:]]
    assert any(NUL_REFUSED in m for m in _import_errors(_csv([nul])))
    assert any(m.startswith("ligne 2 — N° : nombre hors des limites") for m in _import_errors(_csv([huge_id])))
    assert any("Commune : 120 caractères au plus" in m for m in _import_errors(_csv([long_commune])))
    assert not structure_list(actor=make_user(Role.COORDINATION)).rows


def test_xlsx_formula_cells_are_refused_by_name(db):
    formula = [*GOOD[:5], "=5+1", *GOOD[6:]]
    messages = _import_errors(_xlsx([HEADER, GOOD, formula]), "a.xlsx")
    assert any("formule refusée en F3" in m for m in messages)


def test_every_import_has_a_size_and_a_row_limit(db):
    make_weekly_elements()
    coordination = make_user(Role.COORDINATION)
    too_big = b"x" * (MAX_IMPORT_BYTES + 1)
    too_long = _csv([GOOD] * (MAX_IMPORT_ROWS + 1))
    assert FILE_TOO_BIG in _import_errors(too_big)[0]
    assert TOO_MANY_ROWS in _import_errors(too_long)[0]
    for content, expected in ((too_big, FILE_TOO_BIG), (too_long, TOO_MANY_ROWS)):
        assert expected in _refused(lambda: training_import_read(content=content, filename="f.csv"))[0]  # noqa: B023
        assert (
            expected
            in _refused(
                lambda: weekly_import.weekly_import_file(actor=coordination, filename="f.csv", content=content)  # noqa: B023
            )[0]
        )


def test_unreadable_files_are_named_without_technical_words(db):
    make_weekly_elements()
    coordination = make_user(Role.COORDINATION)
    _refused(lambda: weekly_import.weekly_import_file(actor=coordination, filename="f.xlsx", content=b"not a zip"))
    _refused(lambda: weekly_import.weekly_import_file(actor=coordination, filename="f.csv", content=b""))
    _refused(lambda: training_import_read(content=b"PK\x03\x04 broken", filename="f.xlsx"))
    _import_errors(b"PK\x03\x04 broken", "f.xlsx")


def test_text_nan_is_kept_as_text(db):
    make_weekly_elements()
    rows = [["Nom", "Commune"], ["nan", "NA"]]
    from core.imports import read_table

    assert read_table("f.xlsx", _xlsx(rows)) == rows
    assert read_table("f.csv", _csv([["nan", "NA"]], header=["Nom", "Commune"])) == rows


# --- forms -----------------------------------------------------------------------------------------

# Inputs that store nothing: a list to copy.
DISPLAY_ONLY = {("pages/completude.py", "Adresses à copier pour la relance")}


def _text_inputs():
    for path in sorted([*PROJECT_ROOT.glob("pages/*.py"), *PROJECT_ROOT.glob("ui/*.py")]):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) in ("text_input", "text_area"):
                label = node.args[0].value if node.args and isinstance(node.args[0], ast.Constant) else "?"
                yield str(path.relative_to(PROJECT_ROOT)), label, {k.arg: k.value for k in node.keywords}


def test_every_text_field_of_a_form_has_the_schemas_limit():
    missing, literal = [], []
    for path, label, keywords in _text_inputs():
        if (path, label) in DISPLAY_ONLY:
            continue
        if "max_chars" not in keywords:
            missing.append((path, label))
        elif isinstance(keywords["max_chars"], ast.Constant):
            literal.append((path, label))  # a number typed again instead of read from the schema
    assert missing == []
    assert literal == []


def _faulty_rows(n: int) -> bytes:
    # One fault per row (an unreadable number of places), every name distinct.
    return _csv(
        [
            [
                "",
                f"Maison {i}",
                "MECS",
                "35",
                "Rennes",
                "beaucoup",
                "12",
                "17",
                "Fille",
                "Exploitation sexuelle",
                "Active",
                "01/02/2024",
                "",
                "",
            ]
            for i in range(n)
        ]
    )


def test_directory_import_queries_grow_linearly_with_faulty_rows(db):
    """At most one query per faulty row, never a query per pair of rows (the import used to grow with
    the square of the faulty rows). Counted in statements, not seconds, so the machine's load cannot
    change the verdict."""
    from sqlalchemy import event

    from core.db import engine

    coordination = make_user(Role.COORDINATION)
    statements: dict[int, int] = {}
    for n in (200, 800):
        content = _faulty_rows(n)
        seen = []

        def record(conn, cursor, statement, parameters, context, executemany, seen=seen):
            seen.append(statement)

        event.listen(engine(), "before_cursor_execute", record)
        try:
            report = importer.structure_import(actor=coordination, content=content, filename="a.csv")
        finally:
            event.remove(engine(), "before_cursor_execute", record)
        assert len(report.errors) == n
        statements[n] = len(seen)
    assert statements[800] <= 4 * statements[200] and statements[800] <= 800 + 20, statements


def _written_directly(row) -> list[str]:
    from core.db import session_scope

    def write():
        with session_scope(SYSTEM) as session:
            session.add(row)

    return _refused(write)


@pytest.mark.parametrize(
    "field, value, expected",
    [
        ("capacity", 10**12, "nombre hors des limites acceptées"),
        ("commune", "c" * 121, "120 caractères au plus"),
        ("name", "Maison\x00", NUL_REFUSED),
    ],
)
def test_the_flush_guard_bounds_every_column(db, field, value, expected):
    from models.structure import Structure as Table

    values = dict(
        name="Maison directe",
        kind="mecs",
        departement_code="35",
        commune="Rennes",
        capacity=10,
        age_min=12,
        age_max=17,
        sexes=["F"],
        exploitation_forms=["sexuelle"],
        services=[],
        status="active",
    )
    values[field] = value
    assert any(expected in m for m in _written_directly(Table(**values)))


def test_the_flush_guard_refuses_a_float_that_is_not_a_number(db):
    from core.bounds import NOT_A_NUMBER
    from models.weekly import WeeklyElement

    element = WeeklyElement(code="essai", label="Essai", minimum=float("nan"), position=99)
    assert any(NOT_A_NUMBER in m for m in _written_directly(element))
