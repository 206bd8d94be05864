"""The contributors rule: at least 3 other structures, none above 85 % of their total; differences too."""

import doctest

import pytest

from services.weekly import contributors
from services.weekly.contributors import Contributors, contributors_publishable, contributors_withheld_parts


def test_examples_in_the_docstrings_hold():
    assert doctest.testmod(contributors).failed == 0


@pytest.mark.parametrize(
    ("values", "published"),
    [
        ([], True),  # nobody else: at most the reader's own figure
        ([3], False),
        ([3, 3], False),
        ([3, 3, 3], True),
        ([85, 10, 5], True),  # exactly 85 %
        ([86, 9, 5], False),
        ([0, 0, 0], True),
    ],
)
def test_publishable(values, published):
    assert contributors_publishable(Contributors.of(values)) is published


def test_withheld_parts_cover_the_difference_with_the_whole():
    parts = {
        "lone": Contributors.of([9]),
        "pair": Contributors.of([4, 4]),
        "big": Contributors.of([5, 5, 5, 5]),
        "own_only": Contributors(),
    }
    assert contributors_withheld_parts(parts, whole_published=False) == {"lone", "pair"}
    # lone + pair: three structures, the largest 9 of 17 (53 %): their sum may be known by difference
    assert contributors_withheld_parts(parts, whole_published=True) == {"lone", "pair"}
    parts["pair"] = Contributors.of([1, 0])  # lone + pair: 9 of 10, over 85 %: "big" is withheld too
    assert contributors_withheld_parts(parts, whole_published=True) == {"lone", "pair", "big"}
