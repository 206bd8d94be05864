"""Stock and flow of one structure-week must agree, or the gap be explained (pure functions, French messages).

Children present this week should equal last week's present + arrivals − departures (+ returns when
the coordination defines such an element). Runaways are not subtracted again: the « Fugues » element
counts departures already included in « Départs ». A gap is allowed (a transfer counted late, a
correction of last week) but needs a comment on « Enfants présents ».
"""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import FieldError
from core.formatting import fr_number
from services.weekly.validation import CHILDREN_PRESENT, DEPARTURES

ARRIVALS = "arrivees"
RETURNS = "retours"  # not seeded; counted in when a structure network defines it
STOCK_FLOW_GAP = (
    "{present} enfants présents, alors que la semaine précédente ({previous}) + arrivées ({arrivals}) "
    "− départs ({departures}){returns} en donnent {expected} : expliquez l'écart en commentaire"
)


@dataclass(frozen=True)
class StockFlowGap:
    present: float
    previous: float
    arrivals: float
    departures: float
    returns: float | None
    expected: float

    def message(self) -> str:
        return STOCK_FLOW_GAP.format(
            present=fr_number(self.present),
            previous=fr_number(self.previous),
            arrivals=fr_number(self.arrivals),
            departures=fr_number(self.departures),
            returns="" if self.returns is None else f" + retours ({fr_number(self.returns)})",
            expected=fr_number(self.expected),
        )


def stock_flow_gap(values: dict[str, float | None], previous_present: float | None) -> StockFlowGap | None:
    """The gap between children present and last week's present moved by the week's flows, if any.

    Nothing is checked while a figure it needs is missing (a draft, or no figures last week).

    >>> stock_flow_gap({"enfants_presents": 6, "arrivees": 1, "departs": 1}, 8).expected
    8
    >>> stock_flow_gap({"enfants_presents": 8, "arrivees": 1, "departs": 1}, 8) is None
    True
    """
    present, arrivals, departures = (values.get(code) for code in (CHILDREN_PRESENT, ARRIVALS, DEPARTURES))
    if previous_present is None or present is None or arrivals is None or departures is None:
        return None
    returns = values.get(RETURNS)
    expected = previous_present + arrivals - departures + (returns or 0)
    if expected == present:
        return None
    return StockFlowGap(present, previous_present, arrivals, departures, returns, expected)


def check_stock_flow(
    *,
    values: dict[str, float | None],
    comments: dict[str, str],
    previous_present: float | None,
    present_label: str,
    row: int | None = None,
) -> list[FieldError]:
    """A fault on « Enfants présents » when stock and flow disagree and no comment explains it."""
    gap = stock_flow_gap(values, previous_present)
    if gap is None or (comments.get(CHILDREN_PRESENT) or "").strip():
        return []
    return [FieldError(present_label, gap.message(), row)]
