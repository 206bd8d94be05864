"""French number typing: one reader for the grid, imports and forms."""

import pytest

from core.numbers import NOT_A_NUMBER, NOT_AN_INTEGER, NumberUnreadable, fr_input, parse_fr_number


@pytest.mark.parametrize(
    "typed,expected",
    [
        ("8,5", 8.5),
        ("8.5", 8.5),
        ("1 234", 1234),
        ("1\u00a0234,75", 1234.75),
        ("12\u202f345", 12345),
        ("-3", -3),
        ("\u22122,5", -2.5),
        ("  7 ", 7),
        ("", None),
        (None, None),
        (float("nan"), None),
        (4, 4),
    ],
)
def test_reads_french_typing(typed, expected):
    assert parse_fr_number(typed) == expected


@pytest.mark.parametrize("typed", ["85,", "8,5,1", "12 34", "1 2345", "abc", "1e3", "nan", "inf", ",5", True])
def test_refuses_what_is_not_a_number(typed):
    with pytest.raises(NumberUnreadable) as raised:
        parse_fr_number(typed)
    assert raised.value.message == NOT_A_NUMBER


@pytest.mark.parametrize("typed", ["2,5", "0,1", 2.5])
def test_integer_fields_refuse_decimals(typed):
    with pytest.raises(NumberUnreadable) as raised:
        parse_fr_number(typed, integer=True)
    assert raised.value.message == NOT_AN_INTEGER


def test_integer_fields_give_integers():
    assert parse_fr_number("3,0", integer=True) == 3 and isinstance(parse_fr_number("1 200", integer=True), int)


@pytest.mark.parametrize("value", [0, 3, 8.5, 0.25, 12345, 1234567.5, -2.5, 99.75])
def test_what_a_field_shows_reads_back_unchanged(value):
    shown = fr_input(value)
    assert "." not in shown and parse_fr_number(shown) == value
