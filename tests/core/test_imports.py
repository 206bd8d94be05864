"""The importer toolkit: one way to decode, split, match headers and number the rows of a file."""

from __future__ import annotations

import pytest

from core.errors import FieldError
from core.imports import by_line, cell_text, data_rows, detect_delimiter, fold, header_key, is_blank, read_table

ROWS = [["Nom", "Commune"], ["Maison Élan", "Saint-Étienne, centre"]]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_read_table_decodes_and_splits_every_accepted_csv(encoding, delimiter):
    lines = [delimiter.join(f'"{v}"' if delimiter in v else v for v in row) for row in ROWS]
    content = "\r\n".join(lines).encode(encoding)
    assert read_table("annuaire.csv", content) == ROWS


def test_a_delimiter_inside_quotes_does_not_count():
    assert detect_delimiter('"Nom, prénom";Commune\n') == ";"
    assert detect_delimiter('"a;b;c"\t"d;e"\tf') == "\t"


def test_the_first_non_empty_line_decides_the_delimiter():
    assert detect_delimiter("\n\nnom,commune\n") == ","


def test_headers_match_without_case_accents_or_punctuation():
    assert header_key("Formes d’exploitation") == header_key("FORMES D'EXPLOITATION") == "formes_d_exploitation"
    assert fold("  Âge\u00a0minimum ") == "age minimum"


def test_blank_and_text_of_cells():
    assert [is_blank(v) for v in (None, "", " \t", float("nan"), 0, 0.0, "0", "nan")] == [
        True,
        True,
        True,
        True,
        False,
        False,
        False,
        False,
    ]
    assert [cell_text(v) for v in (None, 7.0, 7.5, " a ", 12)] == ["", "7", "7.5", "a", "12"]


def test_data_rows_skip_blank_rows_and_keep_the_spreadsheet_line_numbers():
    table = [["h"], ["a"], [None], ["", " "], [float("nan")], ["b"]]
    assert list(data_rows(table)) == [(2, ["a"]), (6, ["b"])]


def test_faults_come_back_in_file_order_with_file_faults_first():
    faults = [FieldError("x", "3", row=3), FieldError("Fichier", "f"), FieldError("y", "2", row=2)]
    assert [f.message for f in by_line(faults)] == ["f", "2", "3"]
