"""Every import reads the same files: UTF-8 with or without BOM or Windows-1252, separated by « ; »,
« , » or a tab, headers matched without case or accents; and each one writes all rows or none."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest

from core.errors import ValidationFailed
from models.user import Role
from services.directory.structure_import import structure_import
from services.directory.structure_listing import StructureFilters, structure_list
from services.training.imports import training_import_read, training_session_import
from services.training.session_listing import training_session_list
from services.weekly.imports import weekly_import_file
from services.weekly.reports import weekly_entry_get
from tests.factories import make_module, make_structure, make_user, make_weekly_elements

ENCODINGS = ("utf-8", "utf-8-sig", "cp1252")
DELIMITERS = (";", ",", "\t")
FORMATS = [pytest.param(e, d, id=f"{e}-{'tab' if d == chr(9) else d}") for e in ENCODINGS for d in DELIMITERS]


def _file(rows: list[list[str]], encoding: str, delimiter: str) -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)


# --- directory -----------------------------------------------------------------------------------

DIRECTORY_HEADER = [
    "NOM",
    "Type",
    "Departement",
    "Commune",
    "Places",
    "Âge minimum",
    "Age maximum",
    "Sexes accueillis",
    "Formes d’exploitation",
    "Statut",
    "Date d'adhésion",
]


def _structure(name: str, capacity: str = "6") -> list[str]:
    return [name, "Lieu de vie et d'accueil", "42", "Saint-Étienne", capacity, "12", "17", "Fille, Garçon",
            "Exploitation sexuelle", "Active", "01/02/2024"]  # fmt: skip


@pytest.mark.parametrize(("encoding", "delimiter"), FORMATS)
def test_directory_import_reads_every_encoding_and_delimiter(db, encoding, delimiter):
    coordinator = make_user(Role.COORDINATION)
    content = _file([DIRECTORY_HEADER, _structure("Maison Élan")], encoding, delimiter)
    report = structure_import(actor=coordinator, content=content, filename="annuaire.csv")
    assert report.errors == [] and report.written == 1
    (row,) = structure_list(actor=coordinator, filters=StructureFilters(departement_code="42")).rows
    assert (row.name, row.commune, row.sexes) == ("Maison Élan", "Saint-Étienne", ["F", "M"])


@pytest.mark.parametrize("delimiter", DELIMITERS)
def test_directory_import_writes_nothing_when_one_row_is_faulty(db, delimiter):
    coordinator = make_user(Role.COORDINATION)
    rows = [DIRECTORY_HEADER, _structure("Maison Élan"), [""] * len(DIRECTORY_HEADER), _structure("Trop", "-1")]
    report = structure_import(actor=coordinator, content=_file(rows, "utf-8", delimiter), filename="a.csv")
    assert report.written == 0 and [(e.row, e.field) for e in report.errors] == [(4, "Places")]
    assert structure_list(actor=coordinator).total == 0


# --- training ------------------------------------------------------------------------------------

TRAINING_HEADER = ["Date de debut", "DATE DE FIN", "Module", "Organisme formateur", "Lieu", "Heures",
                   "Éducateur spécialisé", "Satisfaction"]  # fmt: skip


def _session(organisation: str, hours: str = "7") -> list[str]:
    return ["12/03/2024", "12/03/2024", "Repérage des victimes", organisation, "35", hours, "6", "4"]


@pytest.fixture
def catalogue(db):
    make_module(title="Repérage des victimes", duration_min_hours=6, duration_max_hours=7)
    return make_user(Role.COORDINATION)


@pytest.mark.parametrize(("encoding", "delimiter"), FORMATS)
def test_training_import_reads_every_encoding_and_delimiter(catalogue, encoding, delimiter):
    content = _file([TRAINING_HEADER, _session("Institut Émile")], encoding, delimiter)
    report = training_session_import(actor=catalogue, rows=training_import_read(content=content, filename="s.csv"))
    assert report.errors == [] and report.written == 1
    (row,) = training_session_list(actor=catalogue).rows
    assert (row.module_title, row.trainer_organisation, row.participants) == (
        "Repérage des victimes",
        "Institut Émile",
        6,
    )


@pytest.mark.parametrize("delimiter", DELIMITERS)
def test_training_import_writes_nothing_when_one_row_is_faulty(catalogue, delimiter):
    rows = [TRAINING_HEADER, _session("Institut A"), [""] * len(TRAINING_HEADER), _session("Institut B", "sept")]
    content = _file(rows, "utf-8", delimiter)
    report = training_session_import(actor=catalogue, rows=training_import_read(content=content, filename="s.csv"))
    assert report.written == 0 and {(e.row, e.field) for e in report.errors} == {(4, "Heures")}
    assert training_session_list(actor=catalogue).total == 0


# --- weekly figures ------------------------------------------------------------------------------

NOW = datetime(2025, 3, 5, 10, 0, tzinfo=UTC)
WEEKLY_HEADER = ["Structure", "Semaine", "places_disponibles", "Enfants présents", "ARRIVÉES", "Départs", "fugues"]


@pytest.fixture
def partner(db):
    make_weekly_elements()
    return make_user(Role.PARTENAIRE, structure_id=make_structure(name="Maison Écluse", capacity=10).id)


@pytest.mark.parametrize(("encoding", "delimiter"), FORMATS)
def test_weekly_import_reads_every_encoding_and_delimiter(partner, encoding, delimiter):
    content = _file([WEEKLY_HEADER, ["Maison Écluse", "2025-W07", "2", "8", "1", "1", "0"]], encoding, delimiter)
    report = weekly_import_file(actor=partner, filename="semaines.csv", content=content, now=NOW)
    assert report.written == 1
    entry = weekly_entry_get(actor=partner, structure_id=partner.structure_id, week_start=date(2025, 2, 10), now=NOW)
    assert {r.code: r.value for r in entry.rows if r.value is not None} == {
        "places_disponibles": 2,
        "enfants_presents": 8,
        "arrivees": 1,
        "departs": 1,
        "fugues": 0,
    }


@pytest.mark.parametrize("delimiter", DELIMITERS)
def test_weekly_import_writes_nothing_when_one_row_is_faulty(partner, delimiter):
    rows = [
        WEEKLY_HEADER,
        ["", "2025-W07", "2", "8", "1", "1", "0"],
        [""] * len(WEEKLY_HEADER),
        ["", "2025-W08", "2", "huit", "1", "1", "0"],
    ]
    with pytest.raises(ValidationFailed) as refused:
        weekly_import_file(actor=partner, filename="s.csv", content=_file(rows, "utf-8", delimiter), now=NOW)
    assert {e.row for e in refused.value.errors} == {4}
    entry = weekly_entry_get(actor=partner, structure_id=partner.structure_id, week_start=date(2025, 2, 10), now=NOW)
    assert all(r.value is None for r in entry.rows)
