"""Numbers typed the French way in forms: read, bounded, refused in French (ui.inputs)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from core.errors import ValidationFailed
from core.numbers import NOT_AN_INTEGER, NumberUnreadable
from models.structure import StructureCreate
from services.directory.structure_rules import LABELS
from ui.inputs import Unreadable, read_number, validated


@pytest.mark.parametrize(
    ("raw", "options", "expected"),
    [
        ("1,5", {}, 1.5),
        ("1 200", {"integer": True}, 1200),
        ("  ", {"integer": True, "min_value": 1}, None),
        ("0,5", {"min_value": 0.5, "max_value": 24}, 0.5),
    ],
)
def test_french_numbers_are_read(raw, options, expected):
    assert read_number(raw, **options) == expected


@pytest.mark.parametrize(
    ("raw", "options", "message"),
    [
        ("2,5", {"integer": True}, NOT_AN_INTEGER),
        ("deux", {}, "nombre attendu"),
        ("1000", {"max_value": 999}, "999 au plus"),
        ("0,25", {"min_value": 0.5}, "0,5 au moins"),
    ],
)
def test_unreadable_or_out_of_bounds_numbers_are_said_in_french(raw, options, message):
    with pytest.raises(NumberUnreadable) as caught:
        read_number(raw, **options)
    assert caught.value.message == message


def test_validated_refuses_an_unreadable_number_with_the_other_faults():
    from core.errors import FieldError

    values = {
        "name": "Maison",
        "kind": "mecs",
        "departement_code": None,
        "commune": "Mende",
        "capacity": Unreadable(FieldError("Places", NOT_AN_INTEGER)),
    }
    with pytest.raises(ValidationFailed) as caught:
        validated(StructureCreate, values, labels=LABELS)
    assert [str(e) for e in caught.value.errors] == ["Places : nombre entier attendu", "Département : obligatoire"]


def _field_app() -> None:
    import streamlit as st

    from ui.inputs import fr_number_input

    got = fr_number_input("Heures", key="hours", value=2.5, min_value=0.5, max_value=24)
    st.write(f"got {got!r}")


def test_the_field_shows_french_text_and_says_its_fault_below_it():
    at = AppTest.from_function(_field_app).run()
    assert at.text_input(key="hours").value == "2,5"
    assert at.markdown[0].value == "got 2.5"
    at.text_input(key="hours").input("30").run()
    assert at.text_input(key="hours").value == "30"
    assert ":red[**Heures : 24 au plus**]" in [m.value for m in at.markdown]
