"""Small-count protection: hand-computed tables and property-based checks.

The property tests attack each protected table with an exact solver that knows the TRUE value
of every published cell and total (stronger than the real reader, who sees rounded values) and
the meaning of the marks ("< T": 1..T-1, or 0..T-1 in a row or column whose total is "< T"),
and checks that every small count still admits at least two values. Two readings of "s": any
value >= 0 (the guarantee), and "0 or at least T" (a reader who knows that small counts are
always shown "< T"), which must hold too unless the table says it is fragile.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.admin.settings import SETTINGS
from services.indicators.disclosure import (
    HIDDEN_LABEL,
    Mark,
    ProtectedTable,
    disclosure_legend,
    fr_cell,
    is_hidden,
    protect_frame,
    protect_series,
    protect_table,
    round_count,
)

S, H = Mark.SMALL, Mark.HIDDEN
RULE = {"threshold": 5, "rounding": 5}

FAST = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


# --- settings ---------------------------------------------------------------------------------


def test_settings_declare_threshold_and_rounding_with_defaults_of_five():
    threshold, rounding = SETTINGS["disclosure_threshold"], SETTINGS["disclosure_rounding"]
    assert (threshold.default, rounding.default) == (5, 5)
    assert threshold.minimum == 3 and rounding.minimum == 1
    protect_series([1, 7], threshold=threshold.maximum, rounding=rounding.maximum)
    protect_series([1, 7], threshold=threshold.minimum, rounding=rounding.minimum)


@pytest.mark.parametrize(
    "threshold, rounding",
    [(2, 5), (0, 5), (21, 5), (5, 0), (5, 11), (5.5, 5), (5, 2.5)],
)
def test_a_rule_outside_the_bounds_is_refused(threshold, rounding):
    with pytest.raises(ValueError):
        protect_series([1, 8], threshold=threshold, rounding=rounding)


@pytest.mark.parametrize("counts", [[-1, 6], [2.5, 6]])
def test_only_counts_are_accepted(counts):
    with pytest.raises(ValueError):
        protect_series(counts, **RULE)


def test_ragged_rows_are_refused():
    with pytest.raises(ValueError):
        protect_table([[1, 2], [3]], **RULE)


# --- rounding ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, threshold, rounding, published",
    [
        (0, 5, 5, 0),
        (5, 5, 5, 5),
        (7, 5, 5, 5),
        (8, 5, 5, 10),
        (1234, 5, 5, 1235),
        (5, 5, 4, 8),  # the nearest multiple, 4, would look like a small count
        (9, 5, 4, 8),
        (10, 5, 4, 12),  # halves go up
        (15, 5, 10, 20),
        (14, 5, 10, 10),
        (3, 3, 10, 10),
        (6, 5, 1, 6),
    ],
)
def test_round_count(value, threshold, rounding, published):
    assert round_count(value, threshold=threshold, rounding=rounding) == published


def test_a_small_count_is_not_rounded_but_suppressed():
    with pytest.raises(ValueError):
        round_count(3, **RULE)


# --- one-way tables, by hand ------------------------------------------------------------------


@pytest.mark.parametrize(
    "counts, cells, total",
    [
        # The smallest other cell that can absorb a change (7, not 10) is hidden.
        ([3, 10, 7, 0, 12], [S, 10, H, 0, 10], 30),
        # 5 is "s" only if it can go down, and it cannot (4 would be a small count): 9 is hidden.
        ([1, 5, 9], [S, 5, H], 15),
        # Two small counts of 2 protect each other (1+3, 2+2, 3+1).
        ([2, 2, 30], [S, S, 30], 35),
        # Two 1s do not: "< 5" + "< 5" = 2 forces 1 and 1, so a third cell is hidden.
        ([1, 1, 30], [S, S, H], 30),
        # No other cell can absorb the change: the total is hidden.
        ([1, 5], [S, 5], H),
        # Zero is published; a small total is suppressed like any count...
        ([0, 3, 8], [0, S, H], 10),
        # ...and then its zeros are not published: "< 5" means "fewer than 5".
        ([3, 0], [S, S], S),
        ([1, 1, 1, 1, 0], [S, S, S, S, S], S),
        ([0, 0], [0, 0], 0),
        ([], [], 0),
        # The total is rounded from the true total (18 -> 20), not summed from rounded cells.
        ([6, 6, 6], [5, 5, 5], 20),
    ],
)
def test_protect_series_by_hand(counts, cells, total):
    result = protect_series(counts, **RULE)
    assert list(result.cells) == cells
    assert result.total == total


def test_series_labels_in_french():
    result = protect_series([3, 1234, 7], **RULE)
    assert result.labels() == (["< 5", "1 235", HIDDEN_LABEL], "1 245")


# --- two-way tables, by hand ------------------------------------------------------------------


def test_protect_table_by_hand():
    #          A   B   C | total
    #   r0     3  10  12 |  25
    #   r1     8   7  20 |  35
    #   r2    15   9   6 |  30
    #  total  26  26  38 |  90
    # 3 is small. The cheapest cycle through it: 10 (row r0), 7 (column B), 8 (row r1, column A).
    result = protect_table([[3, 10, 12], [8, 7, 20], [15, 9, 6]], **RULE)
    assert result.cells == ((S, H, 10), (H, H, 20), (15, 10, 5))
    assert result.row_totals == (25, 35, 30)
    assert result.column_totals == (25, 25, 40)
    assert result.total == 90


def test_a_hidden_zero_cannot_protect_so_the_cycle_avoids_it():
    # Through Var (10 and 0) no cycle can carry a change: a hidden 0 must stay "0 or >= 5".
    result = protect_table([[3, 8], [10, 0], [12, 20]], **RULE)
    assert result.cells == ((S, H), (10, 0), (H, H))
    assert result.row_totals == (10, 10, 30) and result.column_totals == (25, 30) and result.total == 55


def test_a_small_margin_is_suppressed_and_protected():
    # Column B holds 1 + 2 = 3 children: its total is small too.
    result = protect_table([[1, 9], [2, 20]], **RULE)
    assert result.cells[0][0] is S and result.cells[1][0] is S
    assert result.column_totals[0] is S
    assert_no_small_count_recoverable([[1, 9], [2, 20]], result)


@pytest.mark.parametrize("threshold, counts", [(4, [[1, 3]] * 3), (5, [[1, 4]] * 4)])
def test_a_table_whose_marks_pin_a_count_for_a_knowing_reader_is_flagged_fragile(threshold, counts):
    # Each row total is T, so each "< T" on the right is at most T-1 and each left cell at least 1;
    # the left column's total is "< T": every left cell is 1 for whoever knows that an "s" is never
    # a small count, whatever is hidden. The table is still protected when "s" may be anything.
    result = protect_table(counts, threshold=threshold, rounding=1)
    assert result.fragile
    assert_no_small_count_recoverable(counts, result, threshold)
    assert not protect_table([[3, 10, 12], [8, 7, 20], [15, 9, 6]], **RULE).fragile


def test_empty_tables():
    assert protect_table([], **RULE).total == 0
    result = protect_table([[], []], **RULE)
    assert result.row_totals == (0, 0) and result.column_totals == () and result.total == 0


def test_without_rounding_published_counts_are_exact():
    result = protect_table([[3, 10, 12], [8, 7, 20], [15, 9, 6]], threshold=5, rounding=1)
    assert result.cells[2] == (15, 9, 6) and result.total == 90


# --- pandas display ---------------------------------------------------------------------------


def test_protect_frame_two_way():
    counts = pd.DataFrame(
        {"Filles": [3, 10, 12], "Garçons": [8, 0, 20]},
        index=pd.Index(["Nord", "Var", "Oise"], name="Département"),
    )
    shown = protect_frame(counts, **RULE)
    expected = pd.DataFrame(
        [["< 5", "s", "10"], ["10", "0", "10"], ["s", "s", "30"], ["25", "30", "55"]],
        index=pd.Index(["Nord", "Var", "Oise", "Total"], name="Département"),
        columns=pd.Index(["Filles", "Garçons", "Total"]),
    )
    pd.testing.assert_frame_equal(shown, expected)
    assert shown.attrs["fragile"] is False
    assert protect_frame(pd.DataFrame([[1, 4]] * 4), **RULE).attrs["fragile"] is True


def test_protect_frame_one_way_from_a_series_or_a_single_column():
    series = pd.Series([3, 10, 7, 0, 12], index=list("abcde"), name="Enfants accueillis")
    shown = protect_frame(series, **RULE, total_label="Ensemble")
    assert shown["Enfants accueillis"].tolist() == ["< 5", "10", "s", "0", "10", "30"]
    assert shown.index[-1] == "Ensemble"
    pd.testing.assert_frame_equal(protect_frame(series.to_frame(), **RULE), protect_frame(series, **RULE))


def test_protect_frame_counts_missing_combinations_as_zero():
    pivot = pd.DataFrame({"F": [12.0, None], "M": [6.0, 30.0]}, index=["a", "b"])
    shown = protect_frame(pivot, **RULE)
    assert shown.loc["b", "F"] == "0" and shown.loc["Total", "Total"] == "50"


def test_display_helpers():
    assert fr_cell(S, threshold=5) == "< 5"
    assert fr_cell(H, threshold=5) == "s"
    assert fr_cell(12345, threshold=5) == "12 345"
    legend = disclosure_legend(threshold=5, rounding=5)
    assert "« < 5 » : moins de 5 (de 1 à 4" in legend and "5 près" in legend
    assert "près" not in disclosure_legend(threshold=5, rounding=1)


def test_a_new_child_between_two_weeks_cannot_be_read_from_the_published_difference():
    before, after = protect_series([12, 20], **RULE), protect_series([13, 20], **RULE)
    assert (before.cells[0], after.cells[0]) == (10, 15)
    # Every true pair behind "10 then 15" (with the count never decreasing): several differences.
    pairs = {
        (x, y)
        for x in range(5, 30)
        for y in range(x, 30)
        if round_count(x, **RULE) == 10 and round_count(y, **RULE) == 15
    }
    assert {y - x for x, y in pairs} == {1, 2, 3, 4, 5, 6, 7, 8, 9}
    # And a cell going from 10 to 11 does not change what is published at all.
    assert protect_series([10, 20], **RULE) == protect_series([11, 20], **RULE)


# --- the exact attacker -----------------------------------------------------------------------


def _series_system(counts: list[int], result) -> tuple[list[int], list, list[list[tuple[int, int]]]]:
    values = counts + [sum(counts)]
    published = list(result.cells) + [result.total]
    equation = [(k, 1) for k in range(len(counts))] + [(len(counts), -1)]
    return values, published, [equation]


def _table_system(counts: list[list[int]], result: ProtectedTable):
    n_rows, n_cols = len(counts), len(counts[0])
    grid = [row + [sum(row)] for row in counts]
    grid.append([sum(row[j] for row in counts) for j in range(n_cols)] + [sum(map(sum, counts))])
    width = n_cols + 1
    values = [v for row in grid for v in row]
    published = [c for row in result.augmented() for c in row]
    equations = []
    for i in range(n_rows + 1):  # each row, and the row of column totals, against its total
        equations.append([(i * width + j, 1) for j in range(n_cols)] + [(i * width + n_cols, -1)])
    for j in range(n_cols + 1):  # each column, and the column of row totals, against its total
        equations.append([(i * width + j, 1) for i in range(n_rows)] + [(n_rows * width + j, -1)])
    return values, published, equations


def _feasible(published, values, equations, threshold, fixed: dict[int, int], strict: bool) -> bool:
    """Exact search: is there a table matching everything the attacker knows, with `fixed`?"""
    known = {k: v for k, (c, v) in enumerate(zip(published, values)) if not is_hidden(c)}
    grand = len(values) - 1
    # A "< T" cell may be 0 when one of its lines has a "< T" total (the rule is public).
    may_be_zero = {k for eq in equations for k, coef in eq if coef > 0 and published[_total_of(eq)] is Mark.SMALL}
    # Bounds: a cell never exceeds a published total of one of its lines (all values >= 0).
    upper = {}
    for k, c in enumerate(published):
        if is_hidden(c):
            caps = [
                known[t] for eq in equations if any(k == m for m, _ in eq) for t, coef in eq if coef < 0 and t in known
            ]
            cap = min(caps) if caps else known.get(grand, 2 * values[grand] + 2 * threshold)
            upper[k] = threshold - 1 if c is Mark.SMALL else cap

    def domain(k):
        if published[k] is Mark.SMALL:
            return range(0 if k in may_be_zero else 1, threshold)
        return [0, *range(threshold, upper[k] + 1)] if strict else range(upper[k] + 1)

    def allowed(k, v):
        if published[k] is Mark.SMALL:
            return (0 if k in may_be_zero else 1) <= v < threshold
        return v == 0 or (threshold if strict else 0) <= v <= upper[k]

    def search(assigned):
        # Propagate: an equation with one unknown fixes it; prune on intervals.
        assigned = dict(assigned)
        changed = True
        while changed:
            changed = False
            for eq in equations:
                rest, open_ = 0, []
                for k, coef in eq:
                    if k in assigned:
                        rest += coef * assigned[k]
                    else:
                        open_.append((k, coef))
                if not open_:
                    if rest != 0:
                        return False
                elif len(open_) == 1:
                    k, coef = open_[0]
                    if (-rest) % coef:
                        return False
                    v = -rest // coef
                    if not allowed(k, v):
                        return False
                    assigned[k] = v
                    changed = True
                else:
                    lo = sum(coef * (min(domain(k)) if coef > 0 else max(domain(k))) for k, coef in open_)
                    hi = sum(coef * (max(domain(k)) if coef > 0 else min(domain(k))) for k, coef in open_)
                    if not lo <= -rest <= hi:
                        return False
        free = [k for k in upper if k not in assigned]
        if not free:
            return True
        k = min(free, key=lambda k: len(domain(k)))
        return any(search({**assigned, k: v}) for v in domain(k))

    return search({**known, **fixed})


def _total_of(equation) -> int:
    return next(k for k, coef in equation if coef < 0)


def assert_no_small_count_recoverable(counts, result, threshold=5):
    if isinstance(result, ProtectedTable):
        values, published, equations = _table_system(counts, result)
    else:
        values, published, equations = _series_system(counts, result)
    for strict in (False, True) if not result.fragile else (False,):
        # The true table is a solution (checks the solver itself).
        assert _feasible(published, values, equations, threshold, {}, strict)
        for k, c in enumerate(published):
            if 0 < values[k] < threshold:
                assert c is Mark.SMALL
                others = [v for v in range(0, threshold) if v != values[k]]
                assert any(_feasible(published, values, equations, threshold, {k: v}, strict) for v in others), (
                    f"small count at {k} (true {values[k]}) is recoverable ({strict=})"
                )


# --- properties -------------------------------------------------------------------------------

counts_values = st.one_of(st.integers(0, 4), st.integers(0, 14))
rules = st.tuples(st.integers(3, 6), st.integers(1, 6))


def tables(max_side: int):
    return st.integers(1, max_side).flatmap(
        lambda n_cols: st.lists(
            st.lists(counts_values, min_size=n_cols, max_size=n_cols), min_size=1, max_size=max_side
        )
    )


def _lines(result: ProtectedTable):
    grid = result.augmented()
    return grid + [list(col) for col in zip(*grid)]


def _check_publication(values, published, equations, threshold: int, rounding: int):
    small_lines = [eq for eq in equations if published[_total_of(eq)] is Mark.SMALL]
    for k, (value, cell) in enumerate(zip(values, published)):
        if cell is Mark.SMALL:
            assert 1 <= value < threshold or (
                value == 0 and any(k == m for eq in small_lines for m, coef in eq if coef > 0)
            )
        elif cell is Mark.HIDDEN:
            assert not 1 <= value < threshold
        else:
            # (a) nothing published between 1 and threshold - 1; (d) multiples of the base,
            # each rounded from its own true value (totals included).
            assert not 1 <= cell < threshold
            assert cell % rounding == 0
            assert cell == round_count(value, threshold=threshold, rounding=rounding)
            first_allowed = -(-threshold // rounding) * rounding
            assert abs(cell - value) <= max(rounding / 2, first_allowed - threshold)


@FAST
@given(counts=st.lists(counts_values, max_size=7), rule=rules)
def test_property_series(counts, rule):
    threshold, rounding = rule
    result = protect_series(counts, threshold=threshold, rounding=rounding)
    values, published, equations = _series_system(counts, result)
    _check_publication(values, published, equations, threshold, rounding)
    # (b) the one line (cells and total) never holds a single hidden cell.
    assert sum(map(is_hidden, published)) != 1
    # (c)
    assert_no_small_count_recoverable(counts, result, threshold)


@FAST
@given(counts=tables(5), rule=rules)
def test_property_table_shape(counts, rule):
    threshold, rounding = rule
    result = protect_table(counts, threshold=threshold, rounding=rounding)
    values, published, equations = _table_system(counts, result)
    _check_publication(values, published, equations, threshold, rounding)
    # (b) every row and column (with its total) holding a hidden cell holds at least two.
    for line in _lines(result):
        assert sum(map(is_hidden, line)) != 1


@FAST
@given(counts=tables(3), rule=st.tuples(st.integers(3, 5), st.integers(1, 5)))
def test_property_table_no_small_count_recoverable(counts, rule):
    threshold, rounding = rule
    result = protect_table(counts, threshold=threshold, rounding=rounding)
    # (c) against exact knowledge of every published cell and total.
    assert_no_small_count_recoverable(counts, result, threshold)


def test_a_large_sparse_table_is_protected_quickly():
    # 101 départements × 6 age bands, mostly small counts: shape holds, no blanket suppression.
    counts = [[(d * 7 + a * 3) % 11 for a in range(6)] for d in range(101)]
    result = protect_table(counts, **RULE)
    for line in _lines(result):
        assert sum(map(is_hidden, line)) != 1
    assert not is_hidden(result.total)
    assert math.isclose(result.total, 5 * round(sum(map(sum, counts)) / 5))
