"""Small-count protection (statistical disclosure control) for the funder's view and the report.

Pure functions, no database: the caller reads the two settings (``disclosure_threshold``,
``disclosure_rounding`` in ``services/admin/settings.py``) and passes them in. Apply them to every
count that describes children (by département, structure, age, sex, exploitation form…).

The rule, with threshold ``T`` (default 5) and rounding base ``B`` (default 5):

1. **Primary suppression.** A count from 1 to ``T - 1`` is not published; it is shown as
   ``"< T"`` (:data:`Mark.SMALL`). Totals are counts too: a small total is suppressed the same way.

   *Zero is published as 0*, with one exception. A zero describes no child, so it cannot
   identify one; the funder needs to see where nobody was received (coverage gaps); suppressing
   zeros would blank most of a sparse table. The exception: in a row or column whose own total is
   small, every cell is shown ``"< T"``, zeros included. Otherwise the marks alone would give the
   counts away: four cells ``"< 5"`` under a total ``"< 5"`` can only be 1, 1, 1 and 1. The
   rule depends only on what is shown (the total is ``"< T"``), so it leaks nothing itself, and
   ``"< 5"`` keeps its plain meaning, "fewer than 5" (from 1 to 4 outside such a line). The
   threshold is at least 3 (``"< 2"`` would mean exactly 1).

2. **Complementary suppression.** Other cells are hidden, shown as ``"s"``
   (:data:`Mark.HIDDEN`, the *secret statistique* sign of French official statistics; the dash
   "—" already means "no value" in this application, see ``fr_number``), so that no small count
   can be computed back from the totals. The table with its margins is a set of lines: each row
   with its row total, each column with its column total, the row of column totals and the
   column of row totals with the grand total (a one-way table is one line: its cells and total).
   A small count can be recovered exactly unless some other table, consistent with everything
   published, gives it another value. Changing cells by +1 and -1 alternately around a cycle of
   hidden cells (row, column, row…, totals included) keeps every line's sum, so for each small
   count the module looks for such a cycle whose every change stays within what the marks
   allow; if there is none, it hides the cheapest set of cells that closes one (shortest path:
   inner cells before totals, then the smallest sum of values; a hidden 0 never helps since it
   cannot become 1). Then any line left with a single hidden cell gets a second one (its
   smallest cell). This repeats until nothing changes. Hence: every row or column holding a
   hidden cell holds at least two, and every small count admits at least two values.

   What "within the marks" means: a ``"< T"`` cell stays from 1 to T-1 (from 0 in a line whose
   total is ``"< T"``). An ``"s"`` is read first as "0 or at least T" (a reader who knows that
   every small count is shown ``"< T"`` knows that much). In rare tables no pattern can protect
   a small count against that reader: four rows "1 | 4" with totals 5 and a first-column total
   ``"< 5"`` give 1, 1, 1, 1 from the marks alone, whatever is hidden. The count is then
   protected against the reader who takes an ``"s"`` as any value, and the result says
   ``fragile=True``: a page may prefer not to show such a table, or to merge categories.

3. **Rounding.** Every published count other than 0 is rounded to the nearest multiple of ``B``
   (halves up), and never below the first multiple of ``B`` that is at least ``T`` (so a
   published number never looks like a small count: with ``T = 5, B = 4``, 5 becomes 8, not 4).
   Totals are rounded from the true totals, not summed from rounded cells, so a table's cells do
   not always add up to its published total.

Guarantee: against someone who knew the exact value of every published cell and total, each
small count of a table still admits at least two values (for the strict reading of "s" unless
the table is fragile). The published numbers are in fact rounded, which only widens what that
person can consider. The figures are refreshed every week, so the realistic attack is
differencing two periods or two filters: with every published count rounded to ``B`` and small
ones replaced by ``"< T"``, the difference of two published tables is only known within about
``B`` per cell, which does not give an exact small count.

Limits: the protection is per table. Tables that share cells (the same count by département and
by région, or one filter nested in another) are not protected jointly, and rounding blurs but
does not provably defeat combining many overlapping tables (only added noise would). Rounding is
deterministic, so asking the same question again gives the same answer and no average can be
taken. The choice of complements depends on the values (as in any cell-suppression method), so
someone replaying this very algorithm on every candidate table could, in principle, rule some
out. A hidden complement ``"s"`` is not itself guaranteed to admit two values, only not to be
alone in its row or column.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from numbers import Integral
from typing import TYPE_CHECKING, SupportsInt

from core.formatting import fr_number

if TYPE_CHECKING:
    import pandas as pd

DEFAULT_THRESHOLD = 5
DEFAULT_ROUNDING = 5
MIN_THRESHOLD = 3
MAX_THRESHOLD = 20
MAX_ROUNDING = 10

HIDDEN_LABEL = "s"
DEFAULT_TOTAL_LABEL = "Total"
DEFAULT_SERIES_LABEL = "Effectif"


class Mark(Enum):
    """What stands in for a count that is not published."""

    SMALL = "small"  # "< T": a count from 1 to T - 1 (or a 0 in a row/column whose total is small)
    HIDDEN = "hidden"  # complementary suppression


Cell = int | Mark


@dataclass(frozen=True)
class ProtectedSeries:
    """A one-way table as published: each cell and the total is an int or a :class:`Mark`.

    ``fragile``: some small count is safe only if "s" may be any value (see the module docstring).
    """

    cells: tuple[Cell, ...]
    total: Cell
    threshold: int
    rounding: int
    fragile: bool = False

    def labels(self) -> tuple[list[str], str]:
        """French display strings: (cells, total)."""
        return [fr_cell(c, threshold=self.threshold) for c in self.cells], fr_cell(self.total, threshold=self.threshold)


@dataclass(frozen=True)
class ProtectedTable:
    """A two-way table (rows × columns) as published, with its margins (``fragile`` as above)."""

    cells: tuple[tuple[Cell, ...], ...]
    row_totals: tuple[Cell, ...]
    column_totals: tuple[Cell, ...]
    total: Cell
    threshold: int
    rounding: int
    fragile: bool = False

    def augmented(self) -> list[list[Cell]]:
        """The table with its margins: each row followed by its total, then the totals row."""
        rows = [list(row) + [rt] for row, rt in zip(self.cells, self.row_totals)]
        rows.append(list(self.column_totals) + [self.total])
        return rows


def is_hidden(cell: Cell) -> bool:
    """True for a cell that is not published (small or complementary)."""
    return isinstance(cell, Mark)


def small_label(threshold: int) -> str:
    """>>> small_label(5)
    '< 5'
    """
    return f"< {threshold}"


def fr_cell(cell: Cell, *, threshold: int) -> str:
    """French display of one published cell: '1 235', '< 5' or 's'."""
    if cell is Mark.SMALL:
        return small_label(threshold)
    if cell is Mark.HIDDEN:
        return HIDDEN_LABEL
    return fr_number(cell)


def disclosure_legend(*, threshold: int, rounding: int) -> str:
    """The French footnote to print under a protected table."""
    text = (
        f"« {small_label(threshold)} » : moins de {threshold} (de 1 à {threshold - 1}, ou 0 dans une ligne "
        f"ou une colonne dont le total est lui-même « {small_label(threshold)} » ou dont tous les effectifs "
        "non nuls sont masqués), non publié. "
        f"« {HIDDEN_LABEL} » : valeur masquée (secret statistique) pour qu'aucun petit effectif "
        "ne puisse être retrouvé à partir des totaux."
    )
    if rounding > 1:
        text += (
            f" Les autres effectifs sont arrondis à {rounding} près, les totaux étant arrondis "
            "séparément : la somme des cellules publiées peut différer du total publié."
        )
    return text


def round_count(value: int, *, threshold: int, rounding: int) -> int:
    """A publishable count (0 or at least the threshold) rounded for publication.

    >>> [round_count(v, threshold=5, rounding=5) for v in (0, 5, 7, 8, 12, 13)]
    [0, 5, 5, 10, 10, 15]
    """
    _check_rule(threshold, rounding)
    if value == 0:
        return 0
    if value < threshold:
        raise ValueError(f"{value} is a small count: it is suppressed, not rounded")
    nearest = (2 * value + rounding) // (2 * rounding) * rounding
    first_allowed = -(-threshold // rounding) * rounding
    return max(nearest, first_allowed)


def protect_series(counts: Sequence[int], *, threshold: int, rounding: int) -> ProtectedSeries:
    """A one-way table of counts with its total, protected for the funder."""
    _check_rule(threshold, rounding)
    values = [_as_count(v) for v in counts]
    total = sum(values)
    n = len(values)
    # Nodes: 0 = the single line, 1 = a free node; the total enters the line with sign -1.
    ends = [(0, 1)] * (n + 1)
    signs = [1] * n + [-1]
    problem = _Problem(
        values=values + [total],
        ends=ends,
        signs=signs,
        is_total=[False] * n + [True],
        lines=[list(range(n + 1))],
        threshold=threshold,
    )
    published, fragile = _publish(problem, rounding)
    return ProtectedSeries(tuple(published[:n]), published[n], threshold, rounding, fragile)


def protect_table(counts: Sequence[Sequence[int]], *, threshold: int, rounding: int) -> ProtectedTable:
    """A two-way table of counts (rows × columns) with row, column and grand totals, protected."""
    _check_rule(threshold, rounding)
    rows = [[_as_count(v) for v in row] for row in counts]
    n_rows = len(rows)
    n_cols = len(rows[0]) if rows else 0
    if any(len(row) != n_cols for row in rows):
        raise ValueError("every row must have the same number of columns")
    # Augmented (n_rows + 1) × (n_cols + 1) table: last row and column are the totals.
    grid = [row + [sum(row)] for row in rows]
    grid.append([sum(row[j] for row in rows) for j in range(n_cols)] + [sum(sum(row) for row in rows)])
    width = n_cols + 1
    values, ends, signs, is_total = [], [], [], []
    for i, row in enumerate(grid):
        for j, value in enumerate(row):
            values.append(value)
            # Row node i, column node (n_rows + 1) + j; totals enter their lines with sign -1.
            ends.append((i, n_rows + 1 + j))
            signs.append((-1 if i == n_rows else 1) * (-1 if j == n_cols else 1))
            is_total.append(i == n_rows or j == n_cols)
    lines = [[i * width + j for j in range(width)] for i in range(n_rows + 1)]
    lines += [[i * width + j for i in range(n_rows + 1)] for j in range(width)]
    problem = _Problem(values, ends, signs, is_total, lines, threshold)
    published, fragile = _publish(problem, rounding)
    out = [published[i * width : (i + 1) * width] for i in range(n_rows + 1)]
    return ProtectedTable(
        cells=tuple(tuple(row[:n_cols]) for row in out[:n_rows]),
        row_totals=tuple(row[n_cols] for row in out[:n_rows]),
        column_totals=tuple(out[n_rows][:n_cols]),
        total=out[n_rows][n_cols],
        threshold=threshold,
        rounding=rounding,
        fragile=fragile,
    )


def protect_frame(
    counts: pd.DataFrame | pd.Series,
    *,
    threshold: int,
    rounding: int,
    total_label: str = DEFAULT_TOTAL_LABEL,
) -> pd.DataFrame:
    """The protected display (strings) of a small frame of counts, with its totals added.

    A Series, or a DataFrame with one column, is a one-way table: a total row is added. A wider
    DataFrame (index × columns) is a two-way table: a total column and a total row are added.
    Missing values (absent combinations of a pivot) count as 0. ``attrs["fragile"]`` carries
    the result's flag (see the module docstring).
    """
    import pandas as pd

    if isinstance(counts, pd.DataFrame) and counts.shape[1] == 1:
        counts = counts.iloc[:, 0]
    if isinstance(counts, pd.Series):
        series = protect_series(counts.fillna(0).tolist(), threshold=threshold, rounding=rounding)
        cells, total = series.labels()
        name = counts.name if counts.name is not None else DEFAULT_SERIES_LABEL
        index = pd.Index([*counts.index, total_label], name=counts.index.name)
        frame = pd.DataFrame({name: cells + [total]}, index=index)
        frame.attrs["fragile"] = series.fragile
        return frame
    table = protect_table(counts.fillna(0).values.tolist(), threshold=threshold, rounding=rounding)
    shown = [[fr_cell(c, threshold=threshold) for c in row] for row in table.augmented()]
    index = pd.Index([*counts.index, total_label], name=counts.index.name)
    columns = pd.Index([*counts.columns, total_label], name=counts.columns.name)
    frame = pd.DataFrame(shown, index=index, columns=columns)
    frame.attrs["fragile"] = table.fragile
    return frame


# --- engine -----------------------------------------------------------------------------------


def _check_rule(threshold: int, rounding: int) -> None:
    if not isinstance(threshold, Integral) or not MIN_THRESHOLD <= threshold <= MAX_THRESHOLD:
        raise ValueError(f"threshold must be an integer from {MIN_THRESHOLD} to {MAX_THRESHOLD}")
    if not isinstance(rounding, Integral) or not 1 <= rounding <= MAX_ROUNDING:
        raise ValueError(f"rounding base must be an integer from 1 to {MAX_ROUNDING}")


def _as_count(value: SupportsInt) -> int:
    count = int(value)
    if count != value or count < 0:
        raise ValueError(f"not a count: {value!r}")
    return count


@dataclass
class _Problem:
    """A table with its margins seen as a bipartite graph.

    Each cell is an edge between a row node and a column node; each line (node) says that the
    signed sum of its cells is zero (a total enters its lines with sign -1, hence the signs).
    Changing cells by +1/-1 alternately along a cycle of the graph keeps every line's sum.
    """

    values: list[int]
    ends: list[tuple[int, int]]
    signs: list[int]
    is_total: list[bool]
    lines: list[list[int]]  # cell indexes of each line, its total last
    threshold: int

    def __post_init__(self) -> None:
        t = self.threshold
        #: true small counts, the ones whose value must stay uncertain
        self.small = {k for k, v in enumerate(self.values) if 0 < v < t}
        #: lines whose own total is small: none of their cells is published, zeros included
        small_lines = [line for line in self.lines if line[-1] in self.small]
        self.open_zero = {k for line in small_lines for k in line[:-1]}
        #: cells shown "< T": the small counts and the zeros of small lines
        self.primary = self.small | {k for k in self.open_zero if self.values[k] == 0}
        self.n_nodes = 1 + max((max(e) for e in self.ends), default=0)
        # Every cell's possible moves, as if it were hidden (a published cell is not small).
        self.moves: dict[bool, list[list[tuple[int, int]]]] = {}
        for strict in (True, False):
            moves = self.moves[strict] = [[] for _ in range(self.n_nodes)]
            for k in range(len(self.values)):
                for u, v in self.arcs(k, strict=strict):
                    moves[u].append((v, k))

    def arcs(self, k: int, *, strict: bool) -> list[tuple[int, int]]:
        """The unit changes a hidden cell k can take (+1, -1 on its value) as arcs between its nodes.

        A cycle of arcs changes its cells alternately by +1 and -1 in signed value, which keeps
        every line's sum, and each change stays within what the cell's mark allows. ``strict``:
        the reader knows an "s" is never a small count; otherwise an "s" is any value >= 0.
        """
        v, t = self.values[k], self.threshold
        if k in self.primary:  # "< T": 1..T-1, or 0..T-1 in a line whose total is small
            lowest = 0 if k in self.open_zero else 1
            up, down = v + 1 <= t - 1, v - 1 >= lowest
        elif strict:  # "s": 0 or at least the threshold
            up, down = v >= t, v >= t + 1
        else:
            up, down = True, v >= 1
        row, col = self.ends[k]
        forward, backward = ((row, col), (col, row)) if self.signs[k] > 0 else ((col, row), (row, col))
        return ([forward] if up else []) + ([backward] if down else [])

    def cost(self, k: int) -> tuple:
        v = self.values[k]
        return (self.is_total[k], v == 0, v, k)


def _publish(problem: _Problem, rounding: int) -> tuple[list[Cell], bool]:
    hidden, fragile = _suppress(problem)
    out: list[Cell] = []
    for k, v in enumerate(problem.values):
        if k in problem.primary:
            out.append(Mark.SMALL)
        elif k in hidden:
            out.append(Mark.HIDDEN)
        else:
            out.append(round_count(v, threshold=problem.threshold, rounding=rounding))
    return out, fragile


def _suppress(problem: _Problem) -> tuple[set[int], bool]:
    """The hidden cells (small counts, then complements until stable), and whether it is fragile.

    Each small count gets a cycle for the strict reader if one can exist; if none can, a cycle
    for the reader who takes an "s" as any value, and the table is fragile.
    """
    hidden = set(problem.primary)
    while True:
        graphs = {strict: _Graph(problem, hidden, strict) for strict in (True, False)}
        added = False
        for p in sorted(problem.small):
            if graphs[True].protects(p):
                continue
            path = _cheapest_cycle(problem, hidden, p, strict=True)
            if path is None:
                if graphs[False].protects(p):
                    continue
                path = _cheapest_cycle(problem, hidden, p, strict=False)
            if path:
                hidden.update(path)
                graphs = {strict: _Graph(problem, hidden, strict) for strict in (True, False)}
                added = True
        lone = _lone_line_complement(problem, hidden)
        if lone is not None:
            hidden.add(lone)
            added = True
        if not added:
            return hidden, any(not graphs[True].protects(p) for p in problem.small)


def _lone_line_complement(problem: _Problem, hidden: set[int]) -> int | None:
    """The smallest other cell of the first line holding exactly one hidden cell, if any."""
    for line in problem.lines:
        if sum(k in hidden for k in line) == 1:
            return min((k for k in line if k not in hidden), key=problem.cost)
    return None


def _cheapest_cycle(problem: _Problem, hidden: set[int], p: int, *, strict: bool) -> list[int] | None:
    """The cheapest published cells whose hiding gives small count p a cycle of allowed moves.

    Shortest path (Dijkstra) between the two ends of a move of p, where a hidden cell costs
    nothing and a published one costs (is a total, value + 1): inner cells before totals, then
    the smallest sum of values. None if no cycle can exist.
    """
    best: tuple | None = None
    for a, b in problem.arcs(p, strict=strict):
        found = _shortest_path(problem, hidden, p, start=b, goal=a, strict=strict)
        if found is not None and (best is None or found[0] < best[0]):
            best = found
    return None if best is None else [k for k in best[1] if k not in hidden]


def _shortest_path(
    problem: _Problem, hidden: set[int], p: int, *, start: int, goal: int, strict: bool
) -> tuple[tuple[int, int], list[int]] | None:
    zero = (0, 0)
    dist = {start: zero}
    via: dict[int, tuple[int, int]] = {}
    heap = [(zero, start)]
    done: set[int] = set()
    out = problem.moves[strict]
    while heap:
        d, node = heapq.heappop(heap)
        if node in done:
            continue
        if node == goal:
            cells = []
            while node != start:
                node, k = via[node]
                cells.append(k)
            return d, cells
        done.add(node)
        for nxt, k in out[node]:
            if k == p or nxt in done:
                continue
            step = zero if k in hidden else (int(problem.is_total[k]), problem.values[k] + 1)
            nd = (d[0] + step[0], d[1] + step[1])
            if nxt not in dist or nd < dist[nxt]:
                dist[nxt] = nd
                via[nxt] = (node, k)
                heapq.heappush(heap, (nd, nxt))
    return None


class _Graph:
    """The directed moves of the hidden cells."""

    def __init__(self, problem: _Problem, hidden: set[int], strict: bool) -> None:
        self.problem, self.strict = problem, strict
        self.out: list[list[tuple[int, int]]] = [[] for _ in range(problem.n_nodes)]
        for k in hidden:
            for u, v in problem.arcs(k, strict=strict):
                self.out[u].append((v, k))

    def reachable(self, start: int, *, exclude: int) -> set[int]:
        seen = {start}
        queue = deque([start])
        while queue:
            node = queue.popleft()
            for nxt, k in self.out[node]:
                if k != exclude and nxt not in seen:
                    seen.add(nxt)
                    queue.append(nxt)
        return seen

    def protects(self, p: int) -> bool:
        """Whether a cycle of allowed moves through small count p exists (it admits another value)."""
        return any(a in self.reachable(b, exclude=p) for a, b in self.problem.arcs(p, strict=self.strict))
